import { parseParamsText } from "../definition/params-file.js";
import { PipelineError } from "../errors.js";
import { setOwn } from "../definition/own-keys.js";

/**
 * Params and metrics values as flat key -> value pairs: nested mapping keys joined with "." (DVC's flatten), lists
 * and scalars kept as values. A file that does not parse is an error naming the file and where it was read.
 */
const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export const flattenValues = (data: Record<string, unknown>, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> => {
  for (const [key, value] of Object.entries(data)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (isMapping(value) && Object.keys(value).length > 0) flattenValues(value, name, out);
    else setOwn(out, name, value);
  }
  return out;
};

/** Parses a params or metrics file read from `label` ("workspace" or a revision). */
export const parseValuesFile = (text: string, file: string, label: string, kind: "params file" | "metrics file"): Record<string, unknown> => {
  try {
    return parseParamsText(text, file, kind);
  } catch (error) {
    if (error instanceof PipelineError) {
      throw new PipelineError(`${label === "workspace" ? "in the workspace" : `at revision '${label}'`}: ${error.message.replace(`${file}: `, "")}`, { file });
    }
    throw error;
  }
};

/** The numeric change new - old, rounded to 12 significant digits (0.3 - 0.1 is 0.2, not 0.19999999999999998). */
export const numericChange = (old: unknown, next: unknown): number | undefined => {
  if (typeof old !== "number" || typeof next !== "number" || !Number.isFinite(old) || !Number.isFinite(next)) return undefined;
  return Number.parseFloat((next - old).toPrecision(12));
};

/** A value in a table cell: strings as they are, other values as JSON, missing as "-". */
export const cell = (value: unknown, present: boolean): string => {
  if (!present) return "-";
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "null";
};

export const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
