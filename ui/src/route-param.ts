/**
 * A route parameter as the name it stands for. Wouter decodes the path with decodeURI, which leaves the escapes of
 * URI delimiters in place ("a%2Fb" for the model "a/b"): those are decoded here, once, for every page. (A name that
 * literally contains such an escape is ambiguous after decodeURI; no real name does.)
 */
export const routeParam = (value: string): string =>
  value.replace(/%(2F|3F|23|26|3D|2B|2C|3A|40|24|3B)/gi, (escape) => decodeURIComponent(escape));
