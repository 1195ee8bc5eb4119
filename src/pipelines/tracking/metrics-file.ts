import { open } from "node:fs/promises";
import { parseLimitedYamlData } from "../../core/limited-yaml.js";

/** A metrics file is a few hundred bytes; one larger than this is not read (a mistaken `metrics:` entry). */
export const MAX_METRICS_FILE_BYTES = 4 * 1024 * 1024;
/** Most metrics taken from one file. */
export const MAX_METRICS_PER_FILE = 1000;

export type MetricsRead = { metrics: [string, number][]; note?: string };

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The numeric leaves of a metrics document, as `dvc metrics show` takes them: nested mappings flattened with '.',
 * numbers as they are, booleans as 1/0; strings, lists and non-finite numbers are not metrics and are left out.
 */
export const flattenMetrics = (document: unknown): { metrics: [string, number][]; truncated: boolean } => {
  const metrics: [string, number][] = [];
  let truncated = false;
  const walk = (key: string, node: unknown, depth: number): void => {
    if (metrics.length >= MAX_METRICS_PER_FILE) {
      truncated = true;
      return;
    }
    if (typeof node === "number" && Number.isFinite(node) && key !== "") metrics.push([key, node]);
    else if (typeof node === "boolean" && key !== "") metrics.push([key, node ? 1 : 0]);
    else if (isMapping(node) && depth < 32) {
      for (const [child, value] of Object.entries(node)) walk(key === "" ? child : `${key}.${child}`, value, depth + 1);
    }
  };
  walk("", document, 0);
  return { metrics, truncated };
};

/** Reads at most `limit` bytes; `undefined` when the file is larger. */
const readBounded = async (file: string, limit: number): Promise<string | undefined> => {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return length > limit ? undefined : buffer.subarray(0, length).toString("utf8");
  } finally {
    await handle.close();
  }
};

/**
 * A stage's metrics file (JSON, or YAML for any other name) as metrics. A file that is missing, too large or not
 * parseable gives no metrics and a note saying why: tracking reports what it can and never fails the pipeline.
 */
export const readMetricsFile = async (file: string, label: string): Promise<MetricsRead> => {
  let text: string | undefined;
  try {
    text = await readBounded(file, MAX_METRICS_FILE_BYTES);
  } catch (error) {
    return { metrics: [], note: `metrics ${label}: not readable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  if (text === undefined) return { metrics: [], note: `metrics ${label}: larger than ${MAX_METRICS_FILE_BYTES} bytes, not read` };
  let document: unknown;
  try {
    document = label.toLowerCase().endsWith(".json")
      ? JSON.parse(text)
      : parseLimitedYamlData(text, label, { maxBytes: MAX_METRICS_FILE_BYTES, maxDepth: 32, maxAliasCount: 0 });
  } catch {
    return { metrics: [], note: `metrics ${label}: not valid ${label.toLowerCase().endsWith(".json") ? "JSON" : "YAML"}, not read` };
  }
  const { metrics, truncated } = flattenMetrics(document);
  return truncated ? { metrics, note: `metrics ${label}: only the first ${MAX_METRICS_PER_FILE} values were logged` } : { metrics };
};
