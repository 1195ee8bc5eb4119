import { PipelineError } from "../errors.js";
import type { ResolvedOut, ResolvedStage } from "./resolved-pipeline.js";
import { toWorkspacePath } from "./workspace-paths.js";

/**
 * One stage's fields, after interpolation, checked and turned into a ResolvedStage (paths workspace-relative).
 * The fields and per-output flags are DVC's; anything else is refused so that a typo (`dep:`, `out:`) is not
 * silently a stage with no dependencies.
 */
export const STAGE_KEYS = new Set(["cmd", "wdir", "deps", "params", "outs", "metrics", "plots", "frozen", "always_changed", "desc", "meta", "vars"]);
const OUT_FLAGS = new Set(["cache", "persist", "push", "remote", "desc", "type", "labels", "meta"]);
const PLOT_FLAGS = new Set([...OUT_FLAGS, "x", "y", "template", "title", "x_label", "y_label", "header"]);

/** A whole params file (`{file.yaml: }` or `{file.yaml: []}`): every top-level key, expanded once the file is read. */
export const ALL_KEYS = "";

export interface StageWhere {
  root: string;
  file: string;
  stage: string;
}

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const fail = (message: string, w: StageWhere): never => {
  throw new PipelineError(message, { file: w.file, stage: w.stage });
};

const bool = (value: unknown, field: string, fallback: boolean, w: StageWhere): boolean => {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") return fail(`${field} must be true or false, not ${JSON.stringify(value)}`, w);
  return value;
};

const list = (value: unknown, field: string, w: StageWhere): unknown[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail(`${field} must be a list`, w);
  return value;
};

const cmdOf = (value: unknown, w: StageWhere): string | string[] => {
  if (value === undefined || value === null) return fail("missing 'cmd'", w);
  if (typeof value === "string") {
    if (value.trim() === "") fail("'cmd' is empty", w);
    return value;
  }
  if (Array.isArray(value) && value.length > 0 && value.every((part): part is string => typeof part === "string" && part.trim() !== "")) return value;
  return fail("'cmd' must be a non-empty string or a list of non-empty strings", w);
};

const outsOf = (value: unknown, kind: ResolvedOut["kind"], field: string, wdir: string, w: StageWhere): ResolvedOut[] =>
  list(value, field, w).map((entry, index) => {
    const at = `${field}[${index}]`;
    let raw: string;
    let flags: Record<string, unknown> = {};
    if (typeof entry === "string") raw = entry;
    else if (isMapping(entry) && Object.keys(entry).length === 1) {
      const [path, options] = Object.entries(entry)[0] as [string, unknown];
      raw = path;
      if (options !== null && options !== undefined && !isMapping(options)) fail(`${at}: options of '${path}' must be a mapping`, w);
      flags = (options as Record<string, unknown> | null) ?? {};
      const allowed = kind === "plot" ? PLOT_FLAGS : OUT_FLAGS;
      const unknown = Object.keys(flags).find((key) => !allowed.has(key));
      if (unknown !== undefined) fail(`${at}: unknown option '${unknown}' for '${path}' (known: ${[...allowed].join(", ")})`, w);
    } else return fail(`${at} must be a path or a mapping {path: {options}}`, w);
    const path = toWorkspacePath(w.root, wdir, raw, { file: w.file, stage: w.stage, field: at });
    return {
      path,
      kind,
      cache: bool(flags.cache, `${at}.cache`, true, w),
      persist: bool(flags.persist, `${at}.persist`, false, w),
      push: bool(flags.push, `${at}.push`, true, w),
    };
  });

const paramsOf = (value: unknown, wdir: string, w: StageWhere): ResolvedStage["params"] => {
  const out: ResolvedStage["params"] = [];
  const seen = new Set<string>();
  const add = (file: string, key: string) => {
    const id = `${file}\0${key}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ file, key });
  };
  const defaultFile = toWorkspacePath(w.root, wdir, "params.yaml", { file: w.file, stage: w.stage, field: "params" });
  list(value, "params", w).forEach((entry, index) => {
    const at = `params[${index}]`;
    if (typeof entry === "string") {
      if (entry === "") fail(`${at}: empty key`, w);
      add(defaultFile, entry);
    } else if (isMapping(entry)) {
      for (const [name, keys] of Object.entries(entry)) {
        const file = toWorkspacePath(w.root, wdir, name, { file: w.file, stage: w.stage, field: at });
        if (keys === null || keys === undefined || (Array.isArray(keys) && keys.length === 0)) add(file, ALL_KEYS);
        else if (Array.isArray(keys) && keys.every((key): key is string => typeof key === "string" && key !== "")) keys.forEach((key) => add(file, key));
        else fail(`${at}: keys of '${name}' must be a list of key names (or empty for all keys)`, w);
      }
    } else fail(`${at} must be a key name or a mapping {file: [keys]}`, w);
  });
  return out;
};

/** A stage body (interpolated) to a ResolvedStage; `name` is the final (expanded) stage name. */
export const resolveStageBody = (body: Record<string, unknown>, w: StageWhere): ResolvedStage => {
  const unknown = Object.keys(body).find((key) => !STAGE_KEYS.has(key));
  if (unknown !== undefined) fail(`unknown key '${unknown}' (known: ${[...STAGE_KEYS].join(", ")}, or foreach/do, matrix)`, w);
  const cmd = cmdOf(body.cmd, w);
  let wdir = "";
  if (body.wdir !== undefined && body.wdir !== null) {
    if (typeof body.wdir !== "string") fail("'wdir' must be a string", w);
    wdir = toWorkspacePath(w.root, "", body.wdir as string, { file: w.file, stage: w.stage, field: "wdir" });
  }
  const deps = list(body.deps, "deps", w).map((dep, index) => {
    if (typeof dep !== "string") return fail(`deps[${index}] must be a path`, w);
    return toWorkspacePath(w.root, wdir, dep, { file: w.file, stage: w.stage, field: `deps[${index}]` });
  });
  if (body.desc !== undefined && body.desc !== null && typeof body.desc !== "string") fail("'desc' must be a string", w);
  const outs = [...outsOf(body.outs, "out", "outs", wdir, w), ...outsOf(body.metrics, "metric", "metrics", wdir, w), ...outsOf(body.plots, "plot", "plots", wdir, w)];
  return {
    name: w.stage,
    cmd,
    wdir,
    deps: [...new Set(deps)],
    params: paramsOf(body.params, wdir, w),
    outs,
    frozen: bool(body.frozen, "frozen", false, w),
    alwaysChanged: bool(body.always_changed, "always_changed", false, w),
    ...(typeof body.desc === "string" ? { desc: body.desc } : {}),
  };
};
