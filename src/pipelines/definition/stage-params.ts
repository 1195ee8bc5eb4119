import { resolve } from "node:path";
import { PipelineError } from "../errors.js";
import { lookupParam, readParamsFile, type ParamsData } from "./params-file.js";
import type { ResolvedPipeline, ResolvedStage } from "./resolved-pipeline.js";
import { ownOrCreate, setOwn } from "./own-keys.js";

/**
 * The param values a stage uses now, as the lock file records them: params file -> key path -> value (a key naming
 * a section maps to the whole section). Read from the workspace at call time, since an upstream stage may have
 * rewritten a params file; a key that is missing then is an error naming the stage and the file.
 */
export type StageParams = Record<string, Record<string, unknown>>;

export const loadStageParams = async (
  pipeline: ResolvedPipeline,
  stage: ResolvedStage | string,
  /** Files already read in this run, by workspace-relative path (share one across stages of a repro). */
  cache: Map<string, ParamsData | undefined> = new Map(),
): Promise<StageParams> => {
  const resolved = typeof stage === "string" ? pipeline.stages.find((candidate) => candidate.name === stage) : stage;
  if (resolved === undefined) throw new PipelineError(`unknown stage '${String(stage)}'`, { file: pipeline.file });
  const out: StageParams = {};
  for (const param of resolved.params) {
    if (!cache.has(param.file)) cache.set(param.file, await readParamsFile(resolve(pipeline.root, param.file), param.file));
    const data = cache.get(param.file);
    if (data === undefined) throw new PipelineError(`params file '${param.file}' does not exist`, { file: pipeline.file, stage: resolved.name });
    const found = lookupParam(data, param.key);
    if (!found.found) throw new PipelineError(`param '${param.key}' does not exist in '${param.file}'`, { file: pipeline.file, stage: resolved.name });
    setOwn(ownOrCreate(out, param.file, () => ({})), param.key, found.value);
  }
  return out;
};

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * One level for tracking: `"params.yaml:train.lr" -> 0.01`. A section (`train` naming a mapping) is flattened to its
 * leaves with "." so that each becomes one MLflow param; lists stay values.
 */
export const flattenStageParams = (params: StageParams): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  const walk = (prefix: string, value: unknown): void => {
    if (isMapping(value) && Object.keys(value).length > 0) {
      for (const [key, item] of Object.entries(value)) walk(`${prefix}.${key}`, item);
    } else setOwn(out, prefix, value);
  };
  for (const [file, values] of Object.entries(params)) for (const [key, value] of Object.entries(values)) walk(`${file}:${key}`, value);
  return out;
};
