import type { ResolvedPipeline } from "../definition/resolved-pipeline.js";
import { flattenValues, parseValuesFile } from "./flatten.js";
import type { FileSource } from "./revision-files.js";
import { diffValues, type ValueChange } from "./value-diff.js";

/**
 * `cairn metrics show|diff`: the stages' `metrics` outputs and the top-level `metrics:` files (JSON or YAML), nested
 * keys flattened with ".". A metrics file missing on one side is shown as missing ("-"); one that does not parse is
 * an error naming it.
 */
export const metricsFiles = (pipeline: ResolvedPipeline): string[] => [
  ...new Set([...pipeline.stages.flatMap((stage) => stage.outs.filter((out) => out.kind === "metric").map((out) => out.path)), ...(pipeline.metrics ?? [])]),
];

export const readMetrics = async (source: FileSource, file: string): Promise<Record<string, unknown> | undefined> => {
  const text = await source.read(file);
  return text === undefined ? undefined : flattenValues(parseValuesFile(text, file, source.label, "metrics file"));
};

export interface MetricsOfFile {
  file: string;
  /** undefined: the file does not exist (the stage has not run). */
  values: Record<string, unknown> | undefined;
}

export const showMetrics = async (pipeline: ResolvedPipeline, source: FileSource): Promise<MetricsOfFile[]> => {
  const out: MetricsOfFile[] = [];
  for (const file of metricsFiles(pipeline)) out.push({ file, values: await readMetrics(source, file) });
  return out;
};

export const metricsDiff = async (pipeline: ResolvedPipeline, a: FileSource, b: FileSource, options: { all: boolean }): Promise<ValueChange[]> => {
  const rows: ValueChange[] = [];
  for (const file of metricsFiles(pipeline)) rows.push(...diffValues(file, await readMetrics(a, file), await readMetrics(b, file), undefined, options.all));
  return rows;
};
