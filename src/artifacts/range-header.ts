import type { ByteRange } from "./store.js";

/**
 * One byte range of an HTTP Range header (RFC 9110): "bytes=a-b", "bytes=a-" or the suffix form "bytes=-n".
 * Multiple ranges and other units are ignored (undefined: send the whole file), which RFC 9110 permits.
 */
export const parseRangeHeader = (header: string, size: number): ByteRange | "unsatisfiable" | undefined => {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return undefined;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
};
