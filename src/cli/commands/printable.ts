/**
 * Text from the server that people read in a terminal: span names, previews, tags and attributes are written by
 * whoever logged the trace, so control characters (ANSI escapes that could rewrite the screen, carriage returns,
 * bidirectional overrides) are shown as \u escapes instead of being interpreted; long text is cut to `max` characters.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export const printable = (text: string, max = Number.POSITIVE_INFINITY): string => {
  const cut = text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
  return cut.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
};

/** The first line only, cut to `max` and made printable ("" when absent). */
export const oneLine = (text: string | undefined, max = 60): string => {
  const first = (text ?? "").split(/\r?\n/)[0]?.trim() ?? "";
  return printable(first, max);
};
