import { posix, resolve } from "node:path";
import { PipelineError } from "../errors.js";
import type { Vars } from "./interpolate.js";
import { pickParams, readParamsFile, type ParamsData } from "./params-file.js";
import { toWorkspacePath, type SymlinkGuard } from "./workspace-paths.js";
import { setOwn } from "./own-keys.js";

/**
 * The variables `${}` reads, as DVC builds them: the root `params.yaml` first (when present), then each `vars`
 * entry in order (a params file, `file.yaml:key1,key2` for some of its keys, or an inline mapping), then a stage's
 * own `vars`. Mappings merge (`{grp: {a: 1}}` with `{grp: {b: 2}}`); redefining a value is an error naming both
 * sources, as DVC's "cannot redefine".
 */
export interface VarsContext {
  vars: Vars;
  /** Key path -> where it was defined, for the redefinition message. */
  sources: Map<string, string>;
  /** Params files imported whole (workspace-relative): importing one again is a no-op, as in DVC. */
  imported: Set<string>;
}

export const emptyContext = (): VarsContext => ({ vars: {}, sources: new Map(), imported: new Set() });

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Copy-on-write merge: `base` is never mutated, so stages can each extend the shared context cheaply. */
const merge = (base: Vars, addition: Vars, prefix: string, source: string, sources: Map<string, string>, where: { file: string; stage?: string }): Vars => {
  const out: Vars = { ...base };
  for (const [key, value] of Object.entries(addition)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    const existing = Object.hasOwn(out, key) ? out[key] : undefined;
    if (!Object.hasOwn(out, key)) {
      setOwn(out, key, value);
      sources.set(path, source);
    } else if (isMapping(existing) && isMapping(value)) {
      setOwn(out, key, merge(existing, value, path, source, sources, where));
    } else {
      const first = sources.get(path) ?? [...sources.entries()].find(([k]) => path.startsWith(`${k}.`) || k.startsWith(`${path}.`))?.[1] ?? "an earlier source";
      throw new PipelineError(`vars: cannot redefine '${path}' from '${source}': it is already defined in '${first}'`, where);
    }
  }
  return out;
};

export const mergeInto = (context: VarsContext, addition: Vars, source: string, where: { file: string; stage?: string }): VarsContext => {
  const sources = new Map(context.sources);
  return { vars: merge(context.vars, addition, "", source, sources, where), sources, imported: new Set(context.imported) };
};

export interface VarsLoad {
  root: string;
  /** The pipeline file (workspace-relative), for messages. */
  file: string;
  stage?: string;
  /** Workspace-relative folder that relative vars files are read from (the pipeline file's, or the stage's wdir). */
  baseDir: string;
  guard: SymlinkGuard;
  /** Params files read during this load, shared with the params checks so each file is read once. */
  files?: Map<string, ParamsData | undefined>;
}

const readCached = async (load: VarsLoad, rel: string): Promise<ParamsData | undefined> => {
  if (load.files?.has(rel) === true) return load.files.get(rel);
  const data = await readParamsFile(resolve(load.root, rel), rel);
  load.files?.set(rel, data);
  return data;
};

/** Applies a `vars` list (top-level or a stage's) to a context. */
export const loadVars = async (context: VarsContext, raw: unknown, load: VarsLoad): Promise<VarsContext> => {
  const where = { file: load.file, ...(load.stage === undefined ? {} : { stage: load.stage }) };
  if (raw === undefined || raw === null) return context;
  if (!Array.isArray(raw)) throw new PipelineError("vars: must be a list of params files and mappings", where);
  let current = context;
  for (const [index, item] of raw.entries()) {
    if (isMapping(item)) {
      current = mergeInto(current, item, `vars[${index}]`, where);
      continue;
    }
    if (typeof item !== "string" || item === "") throw new PipelineError(`vars[${index}]: must be a params file name or a mapping`, where);
    const colon = item.lastIndexOf(":");
    const [name, keys] = colon > 0 ? [item.slice(0, colon), item.slice(colon + 1).split(",").map((key) => key.trim()).filter((key) => key !== "")] : [item, undefined];
    const rel = toWorkspacePath(load.root, load.baseDir, name, { ...where, field: `vars[${index}]` });
    if (keys === undefined && current.imported.has(rel)) continue;
    load.guard.check(rel, { ...where, field: `vars[${index}]` });
    const data = await readCached(load, rel);
    if (data === undefined) throw new PipelineError(`vars[${index}]: params file '${rel}' does not exist`, where);
    if (keys !== undefined && current.imported.has(rel)) continue;
    const picked = keys === undefined ? data : pickParams(data, keys, rel);
    current = mergeInto(current, picked, rel, where);
    if (keys === undefined) current.imported.add(rel);
  }
  return current;
};

/** DVC's default: the `params.yaml` beside the pipeline file is loaded as variables when it exists. */
export const loadDefaultParams = async (context: VarsContext, load: VarsLoad): Promise<VarsContext> => {
  const rel = load.baseDir === "" ? "params.yaml" : posix.join(load.baseDir, "params.yaml");
  load.guard.check(rel, { file: load.file, field: "params.yaml" });
  const data = await readCached(load, rel);
  if (data === undefined) return context;
  const next = mergeInto(context, data, rel, { file: load.file });
  next.imported.add(rel);
  return next;
};
