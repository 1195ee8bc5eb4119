import { numericChange, sameValue } from "./flatten.js";

/**
 * One row of `params diff` / `metrics diff`: a file's key with its value on each side. `old`/`new` are absent
 * when the key (or the whole file) is missing on that side; `change` is new - old when both are numbers.
 */
export interface ValueChange {
  file: string;
  key: string;
  old?: unknown;
  new?: unknown;
  change?: number;
}

/** Rows for one file from its flat values on each side, in key order of A then the keys only B has. */
export const diffValues = (
  file: string,
  a: Record<string, unknown> | undefined,
  b: Record<string, unknown> | undefined,
  keys: readonly string[] | undefined,
  all: boolean,
): ValueChange[] => {
  const names = keys ?? [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])];
  const rows: ValueChange[] = [];
  for (const key of names) {
    const inA = a !== undefined && Object.hasOwn(a, key);
    const inB = b !== undefined && Object.hasOwn(b, key);
    if (!inA && !inB) continue;
    const old = inA ? a[key] : undefined;
    const next = inB ? b[key] : undefined;
    if (!all && inA === inB && sameValue(old, next)) continue;
    const change = inA && inB ? numericChange(old, next) : undefined;
    rows.push({ file, key, ...(inA ? { old } : {}), ...(inB ? { new: next } : {}), ...(change === undefined ? {} : { change }) });
  }
  return rows;
};
