import { PipelineError } from "../errors.js";
import { interpolateValue, primitiveToString, type Vars } from "./interpolate.js";
import type { ResolvedStage } from "./resolved-pipeline.js";
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
}

interface Instance {
  name: string;
  body: Record<string, unknown>;
  context: VarsContext;
}

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

const expandForeach = (name: string, definition: Record<string, unknown>, context: VarsContext, file: string): Instance[] => {
  const extra = Object.keys(definition).find((key) => key !== "foreach" && key !== "do");
  if (extra !== undefined) fail(`'${extra}' is not allowed beside foreach/do (put it inside 'do')`, file, name);
  const body = definition.do;
  if (!isMapping(body)) return fail("'foreach' needs a 'do' mapping (the stage to repeat)", file, name);
  const iterable = interpolateValue(definition.foreach, context.vars, { file, stage: name, field: "foreach" });
  let entries: Array<[string, unknown, boolean]>;
  if (Array.isArray(iterable)) {
    const byIndex = iterable.some(isComposite);
    entries = iterable.map((item, index) => [byIndex ? String(index) : primitiveToString(item), item, false]);
  } else if (isMapping(iterable)) {
    entries = Object.entries(iterable).map(([key, item]) => [key, item, true]);
  } else return fail("'foreach' must be a list or a mapping (or a ${} naming one)", file, name);
  if (entries.length > MAX_STAGES) fail(`'foreach' has ${entries.length} items, more than ${MAX_STAGES}`, file, name);
  return entries.map(([key, item, withKey]) => ({
    name: `${name}@${key}`,
    body,
    context: withLoopVars(context, withKey ? { item, key } : { item }),
  }));
};

const expandMatrix = (name: string, definition: Record<string, unknown>, context: VarsContext, file: string): Instance[] => {
  const raw = definition.matrix;
  if (!isMapping(raw) || Object.keys(raw).length === 0) return fail("'matrix' must be a non-empty mapping of names to lists", file, name);
  const axes = Object.entries(raw).map(([axis, values]) => {
    const resolved = interpolateValue(values, context.vars, { file, stage: name, field: `matrix.${axis}` });
    if (!Array.isArray(resolved) || resolved.length === 0) return fail(`matrix.${axis} must be a non-empty list`, file, name);
    return { axis, values: resolved as unknown[] };
  });
  const total = axes.reduce((product, { values }) => product * values.length, 1);
  if (total > MAX_STAGES) fail(`'matrix' makes ${total} stages, more than ${MAX_STAGES}`, file, name);
  const body = Object.fromEntries(Object.entries(definition).filter(([key]) => key !== "matrix"));
  const instances: Instance[] = [];
  const walk = (depth: number, item: Record<string, unknown>, parts: string[]): void => {
    const current = axes[depth];
    if (current === undefined) {
      instances.push({ name: `${name}@${parts.join("-")}`, body, context: withLoopVars(context, { item }) });
      return;
    }
    current.values.forEach((value, index) => {
      walk(depth + 1, { ...item, [current.axis]: value }, [...parts, isComposite(value) ? `${current.axis}${index}` : primitiveToString(value)]);
    });
  };
  walk(0, {}, []);
  return instances;
};

/** The body's fields interpolated one by one, each with its own field name (it decides what may be rendered). */
const interpolateBody = (body: Record<string, unknown>, vars: Vars, file: string, stage: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    out[field] = field === "meta" || field === "vars" ? value : interpolateValue(value, vars, { file, stage, field });
  }
  return out;
};

export const expandStages = async (raw: unknown, global: VarsContext, load: ExpandLoad): Promise<ResolvedStage[]> => {
  if (raw === undefined || raw === null) return [];
  if (!isMapping(raw)) throw new PipelineError("'stages' must be a mapping of stage names to stages", { file: load.file });
  const stages: ResolvedStage[] = [];
  const names = new Set<string>();
  for (const [name, definition] of Object.entries(raw)) {
    if (name === "" || INVALID_NAME.test(name)) fail("a stage name must be non-empty and hold none of \\ / @ :", load.file, name);
    if (!isMapping(definition)) fail("a stage must be a mapping", load.file, name);
    const record = definition as Record<string, unknown>;
    const instances =
      record.foreach !== undefined || record.do !== undefined
        ? expandForeach(name, record, global, load.file)
        : record.matrix !== undefined
          ? expandMatrix(name, record, global, load.file)
          : [{ name, body: record, context: global }];
    for (const instance of instances) {
      if (names.has(instance.name)) fail("two stages have this name", load.file, instance.name);
      names.add(instance.name);
      if (names.size > MAX_STAGES) throw new PipelineError(`more than ${MAX_STAGES} stages`, { file: load.file });
      let context = instance.context;
      if (instance.body.vars !== undefined) {
        // A stage's own vars are read relative to its wdir (itself resolved with the outer variables), as DVC does.
        const rawWdir = instance.body.wdir === undefined ? undefined : interpolateValue(instance.body.wdir, context.vars, { file: load.file, stage: instance.name, field: "wdir" });
        const baseDir = typeof rawWdir === "string" ? toWorkspacePath(load.root, "", rawWdir, { file: load.file, stage: instance.name, field: "wdir" }) : "";
        context = await loadVars(context, instance.body.vars, { ...load, stage: instance.name, baseDir });
      }
      const body = interpolateBody(instance.body, context.vars, load.file, instance.name);
      stages.push(resolveStageBody(body, { root: load.root, file: load.file, stage: instance.name }));
    }
  }
  return stages;
};
