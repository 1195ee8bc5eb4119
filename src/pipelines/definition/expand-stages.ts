import { PipelineError } from "../errors.js";
import { interpolateValue, MAX_EXPANDED_CHARS, primitiveToString, type Vars } from "./interpolate.js";
import type { ResolvedParam, ResolvedStage } from "./resolved-pipeline.js";
import { setOwn } from "./own-keys.js";
import { resolveStageBody } from "./stage-body.js";
import { loadVars, type VarsContext } from "./vars-context.js";
import { toWorkspacePath, type SymlinkGuard } from "./workspace-paths.js";

/**
 * `stages:` entries to ResolvedStages: `foreach`/`do` and `matrix` expanded with DVC's names (`build@cpu` for a
 * list of plain values, `build@0` for a list holding mappings or lists, `build@uk` for a mapping's key,
 * `fit@cpu-3.9-dict0` for a matrix: plain values as text, other values as their matrix key and index), every
 * string interpolated with the stage's variables (`${item}`, `${key}` added by foreach, `${item.x}` by matrix).
 */
export const MAX_STAGES = 10_000;
/** DVC refuses these in a stage's own name (`@` separates a generated stage's key). */
const INVALID_NAME = /[\\/@:]/;

export interface ExpandLoad {
  root: string;
  file: string;
  guard: SymlinkGuard;
  /** Shared by every interpolation of the load (MAX_EXPANDED_CHARS). */
  budget?: { remaining: number };
}

interface Instance {
  name: string;
  body: Record<string, unknown>;
  context: VarsContext;
  /** Loop variables that stand for a variable's part (`item` -> models.us when foreach is `${models}`). */
  aliases: Map<string, string[]>;
}

/** The key path of a string that is exactly one `${...}` (as the foreach or matrix source), else undefined. */
const exactPath = (value: unknown): string[] | undefined => {
  if (typeof value !== "string") return undefined;
  const match = /^\$\{([^}]*)\}$/.exec(value);
  if (match === null) return undefined;
  return (match[1] ?? "").trim().replaceAll("[", ".").replaceAll("]", "").split(".").map((part) => part.trim());
};

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isComposite = (value: unknown): boolean => typeof value === "object" && value !== null;

const fail = (message: string, file: string, stage: string): never => {
  throw new PipelineError(message, { file, stage });
};

/** Adds `item` (and `key`) to a stage's variables; they shadow any variable of that name, for this stage only. */
const withLoopVars = (context: VarsContext, extra: Vars): VarsContext => {
  const vars = { ...context.vars, ...extra };
  return { vars, sources: context.sources, imported: context.imported };
};

const expandForeach = (name: string, definition: Record<string, unknown>, context: VarsContext, file: string, budget: { remaining: number }): Instance[] => {
  const extra = Object.keys(definition).find((key) => key !== "foreach" && key !== "do");
  if (extra !== undefined) fail(`'${extra}' is not allowed beside foreach/do (put it inside 'do')`, file, name);
  const body = definition.do;
  if (!isMapping(body)) return fail("'foreach' needs a 'do' mapping (the stage to repeat)", file, name);
  const iterable = interpolateValue(definition.foreach, context.vars, { file, stage: name, field: "foreach", budget });
  let entries: Array<[string, unknown, boolean]>;
  if (Array.isArray(iterable)) {
    const byIndex = iterable.some(isComposite);
    entries = iterable.map((item, index) => [byIndex ? String(index) : primitiveToString(item), item, false]);
  } else if (isMapping(iterable)) {
    entries = Object.entries(iterable).map(([key, item]) => [key, item, true]);
  } else return fail("'foreach' must be a list or a mapping (or a ${} naming one)", file, name);
  if (entries.length > MAX_STAGES) fail(`'foreach' has ${entries.length} items, more than ${MAX_STAGES}`, file, name);
  const base = exactPath(definition.foreach);
  return entries.map(([key, item, withKey], index) => ({
    name: `${name}@${key}`,
    body,
    context: withLoopVars(context, withKey ? { item, key } : { item }),
    aliases: new Map(base === undefined ? [] : [["item", [...base, withKey ? key : String(index)]]]),
  }));
};

const expandMatrix = (name: string, definition: Record<string, unknown>, context: VarsContext, file: string, budget: { remaining: number }): Instance[] => {
  const raw = definition.matrix;
  if (!isMapping(raw) || Object.keys(raw).length === 0) return fail("'matrix' must be a non-empty mapping of names to lists", file, name);
  const axes = Object.entries(raw).map(([axis, values]) => {
    const resolved = interpolateValue(values, context.vars, { file, stage: name, field: `matrix.${axis}`, budget });
    if (!Array.isArray(resolved) || resolved.length === 0) return fail(`matrix.${axis} must be a non-empty list`, file, name);
    return { axis, values: resolved as unknown[] };
  });
  const total = axes.reduce((product, { values }) => product * values.length, 1);
  if (total > MAX_STAGES) fail(`'matrix' makes ${total} stages, more than ${MAX_STAGES}`, file, name);
  const body = Object.fromEntries(Object.entries(definition).filter(([key]) => key !== "matrix"));
  const instances: Instance[] = [];
  const walk = (depth: number, item: Record<string, unknown>, parts: string[], aliases: Array<[string, string[]]>): void => {
    const current = axes[depth];
    if (current === undefined) {
      instances.push({ name: `${name}@${parts.join("-")}`, body, context: withLoopVars(context, { item }), aliases: new Map(aliases) });
      return;
    }
    const base = exactPath(raw[current.axis]);
    current.values.forEach((value, index) => {
      const alias: Array<[string, string[]]> = base === undefined ? [] : [[`item.${current.axis}`, [...base, String(index)]]];
      walk(depth + 1, { ...item, [current.axis]: value }, [...parts, isComposite(value) ? `${current.axis}${index}` : primitiveToString(value)], [...aliases, ...alias]);
    });
  };
  walk(0, {}, [], []);
  return instances;
};

/** An inline `vars` mapping's label (vars-context's); any other source is a params file. */
const INLINE_SOURCE = /^vars\[\d+\]$/;

/**
 * The params-file values a stage read through `${}`, as params of the stage (DVC tracks them: they appear in the
 * lock file and in `params diff`). A loop variable is followed to the variable it stands for; values from inline
 * `vars` mappings and foreach keys are not params.
 */
const trackedParams = (selected: string[][], instance: Instance, context: VarsContext): ResolvedParam[] => {
  const found: ResolvedParam[] = [];
  for (const path of selected) {
    let real: string[] | undefined = path;
    if (path[0] === "item" || path[0] === "key") {
      real = undefined;
      for (let length = path.length; length > 0 && real === undefined; length -= 1) {
        const alias = instance.aliases.get(path.slice(0, length).join("."));
        if (alias !== undefined) real = [...alias, ...path.slice(length)];
      }
    }
    if (real === undefined) continue;
    for (let length = real.length; length > 0; length -= 1) {
      const source = context.sources.get(real.slice(0, length).join("."));
      if (source === undefined) continue;
      if (!INLINE_SOURCE.test(source)) found.push({ file: source, key: real.join(".") });
      break;
    }
  }
  return found;
};

/** The body's fields interpolated one by one, each with its own field name (it decides what may be rendered). */
const interpolateBody = (
  body: Record<string, unknown>,
  vars: Vars,
  where: { file: string; stage: string; budget: { remaining: number } },
  onSelect: (path: string[]) => void,
): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    setOwn(out, field, field === "meta" || field === "vars" ? value : interpolateValue(value, vars, { ...where, field, onSelect }));
  }
  return out;
};

export const expandStages = async (raw: unknown, global: VarsContext, load: ExpandLoad): Promise<ResolvedStage[]> => {
  if (raw === undefined || raw === null) return [];
  if (!isMapping(raw)) throw new PipelineError("'stages' must be a mapping of stage names to stages", { file: load.file });
  const stages: ResolvedStage[] = [];
  const names = new Set<string>();
  const budget = load.budget ?? { remaining: MAX_EXPANDED_CHARS };
  for (const [name, definition] of Object.entries(raw)) {
    if (name === "" || INVALID_NAME.test(name)) fail("a stage name must be non-empty and hold none of \\ / @ :", load.file, name);
    if (!isMapping(definition)) fail("a stage must be a mapping", load.file, name);
    const record = definition as Record<string, unknown>;
    const instances =
      record.foreach !== undefined || record.do !== undefined
        ? expandForeach(name, record, global, load.file, budget)
        : record.matrix !== undefined
          ? expandMatrix(name, record, global, load.file, budget)
          : [{ name, body: record, context: global, aliases: new Map<string, string[]>() }];
    for (const instance of instances) {
      if (names.has(instance.name)) fail("two stages have this name", load.file, instance.name);
      names.add(instance.name);
      if (names.size > MAX_STAGES) throw new PipelineError(`more than ${MAX_STAGES} stages`, { file: load.file });
      let context = instance.context;
      if (instance.body.vars !== undefined) {
        // A stage's own vars are read relative to its wdir (itself resolved with the outer variables), as DVC does.
        const rawWdir = instance.body.wdir === undefined ? undefined : interpolateValue(instance.body.wdir, context.vars, { file: load.file, stage: instance.name, field: "wdir", budget });
        const baseDir = typeof rawWdir === "string" ? toWorkspacePath(load.root, "", rawWdir, { file: load.file, stage: instance.name, field: "wdir" }) : "";
        context = await loadVars(context, instance.body.vars, { ...load, stage: instance.name, baseDir });
      }
      const selected: string[][] = [];
      const body = interpolateBody(instance.body, context.vars, { file: load.file, stage: instance.name, budget }, (path) => selected.push(path));
      const stage = resolveStageBody(body, { root: load.root, file: load.file, stage: instance.name });
      const known = new Set(stage.params.map((param) => `${param.file}\0${param.key}`));
      for (const param of trackedParams(selected, instance, context)) {
        const id = `${param.file}\0${param.key}`;
        const covered = stage.params.some((other) => other.file === param.file && param.key.startsWith(`${other.key}.`));
        if (known.has(id) || covered) continue;
        known.add(id);
        stage.params.push(param);
      }
      stages.push(stage);
    }
  }
  return stages;
};
