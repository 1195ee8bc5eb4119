import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseLimitedYamlData } from "../../core/limited-yaml.js";
import { PipelineError } from "../errors.js";
import { expandStages } from "./expand-stages.js";
import { buildGraph } from "./graph.js";
import type { ParamsData } from "./params-file.js";
import type { ResolvedPipeline } from "./resolved-pipeline.js";
import { validatePipeline } from "./validate-pipeline.js";
import { emptyContext, loadDefaultParams, loadVars } from "./vars-context.js";
import { SymlinkGuard, toWorkspacePath } from "./workspace-paths.js";
import { interpolateValue, type Vars } from "./interpolate.js";

/**
 * Reads the workspace's pipeline file (`cairn.yaml`, else `dvc.yaml`, at the root) in DVC's schema and resolves it:
 * variables (the root `params.yaml`, then `vars`), `${}` interpolation, foreach/matrix expansion, workspace-relative
 * paths, and every check that does not need to run anything (unknown keys, missing cmd, outputs that collide or
 * overlap, paths outside the workspace, undefined variables, missing params keys, a cycle). Missing dependencies
 * are left to `repro` (see missingDeps): an upstream stage may create them.
 */
export const PIPELINE_FILES = ["cairn.yaml", "dvc.yaml"] as const;
/** A pipeline file is hand-written: a few KiB usually; anchors (`&deps`, `*deps`) are common in big ones. */
export const PIPELINE_LIMITS = { maxBytes: 4 * 1024 * 1024, maxDepth: 64, maxAliasCount: 1000 };
const TOP_LEVEL_KEYS = new Set(["stages", "vars", "plots", "metrics", "params", "artifacts", "datasets"]);

const readPipelineText = async (root: string): Promise<{ file: string; text: string } | undefined> => {
  for (const file of PIPELINE_FILES) {
    try {
      return { file, text: await readFile(resolve(root, file), "utf8") };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") throw new PipelineError(`cannot read the pipeline file: ${(error as Error).message}`, { file });
    }
  }
  return undefined;
};

/** DVC 3's top-level `metrics:` and `params:` lists: files relative to the pipeline file, `${}` allowed. */
const topLevelFiles = (raw: unknown, field: string, root: string, file: string, vars: Vars, guard: SymlinkGuard): string[] => {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new PipelineError(`'${field}' must be a list of files`, { file });
  return [
    ...new Set(
      raw.map((entry: unknown, index) => {
        const value = interpolateValue(entry, vars, { file, field: `${field}[${index}]` });
        if (typeof value !== "string") throw new PipelineError(`${field}[${index}] must be a path`, { file });
        const rel = toWorkspacePath(root, "", value, { file, field: `${field}[${index}]` });
        guard.check(rel, { file, field: `${field}[${index}]` });
        return rel;
      }),
    ),
  ];
};

/** The pipeline file's name at `root`, or undefined when there is none. */
export const findPipelineFile = async (root: string): Promise<string | undefined> => (await readPipelineText(root))?.file;

/** Parses and resolves pipeline text already read (from the workspace or from a git revision). */
export const resolvePipelineText = async (root: string, file: string, text: string): Promise<ResolvedPipeline> => {
  if (text.length > PIPELINE_LIMITS.maxBytes) throw new PipelineError(`the pipeline file is larger than ${PIPELINE_LIMITS.maxBytes} bytes`, { file });
  let data: unknown;
  try {
    data = parseLimitedYamlData(text, file, PIPELINE_LIMITS);
  } catch (error) {
    throw new PipelineError(`malformed pipeline file: ${(error as Error).message}`, { file });
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== "object" || Array.isArray(data)) throw new PipelineError("malformed pipeline file: expected a mapping with 'stages'", { file });
  const record = data as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !TOP_LEVEL_KEYS.has(key));
  if (unknown !== undefined) throw new PipelineError(`unknown top-level key '${unknown}' (known: ${[...TOP_LEVEL_KEYS].join(", ")})`, { file });
  const guard = new SymlinkGuard(root);
  const files = new Map<string, ParamsData | undefined>();
  const load = { root, file, guard, baseDir: "", files };
  let context = await loadDefaultParams(emptyContext(), load);
  context = await loadVars(context, record.vars, load);
  const stages = await expandStages(record.stages, context, load);
  const metrics = topLevelFiles(record.metrics, "metrics", root, file, context.vars, guard);
  const paramsFiles = topLevelFiles(record.params, "params", root, file, context.vars, guard);
  const pipeline = await validatePipeline(
    { root, file, stages, ...(metrics.length === 0 ? {} : { metrics }), ...(paramsFiles.length === 0 ? {} : { paramsFiles }) },
    guard,
    files,
  );
  buildGraph(pipeline); // refuses a cycle, naming its stages
  return pipeline;
};

export const loadPipeline = async (root: string): Promise<ResolvedPipeline> => {
  const absolute = resolve(root);
  const found = await readPipelineText(absolute);
  if (found === undefined) throw new PipelineError(`no pipeline file: neither ${PIPELINE_FILES.join(" nor ")} exists in ${absolute}`);
  return resolvePipelineText(absolute, found.file, found.text);
};
