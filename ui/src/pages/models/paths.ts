/** The UI's addresses of registry things; names may hold any character, so each part is encoded. */
export const modelPath = (name: string): string => `/models/${encodeURIComponent(name)}`;
export const versionPath = (name: string, version: string): string => `${modelPath(name)}/versions/${encodeURIComponent(version)}`;
export const runPath = (experimentId: string, runId: string): string =>
  `/experiments/${encodeURIComponent(experimentId)}/runs/${encodeURIComponent(runId)}`;
export const experimentPath = (experimentId: string): string => `/experiments/${encodeURIComponent(experimentId)}`;
export const deploymentPath = (name: string): string => `/deployments/${encodeURIComponent(name)}`;

/**
 * A route parameter as the name it stands for. Wouter decodes the path with decodeURI, which leaves the escapes of
 * URI delimiters in place ("a%2Fb"): those are decoded here. (A name that literally contains such an escape is
 * ambiguous after decodeURI; no real model name does.)
 */
export const routeParam = (value: string): string =>
  value.replace(/%(2F|3F|23|26|3D|2B|2C|3A|40|24|3B)/gi, (escape) => decodeURIComponent(escape));
