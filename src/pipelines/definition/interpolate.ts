import { PipelineError } from "../errors.js";
import { setOwn } from "./own-keys.js";

/**
 * DVC's `${}` templating (dvc/parsing/interpolate.py), reproduced so that a DVC project's `dvc.yaml` resolves to
 * the same commands, paths and stage names under Cairn:
 * - `${a.b}`, `${a[0]}`, `${a.0}` select from the variables; `\${` is a literal `${`.
 * - A string that is exactly one `${...}` takes the value with its type (a number, a boolean, a list for foreach).
 * - Inside a longer string the value is rendered as Python's `str()` would (booleans `true`/`false`); a mapping is
 *   rendered only in `cmd`, as command-line options (`--key value`, lists as `--key 1 2`, `true` as a bare flag,
 *   `false` left out), and a list cannot be rendered at all (DVC refuses both elsewhere).
 */
export type Vars = Record<string, unknown>;

export interface InterpolateWhere {
  file: string;
  stage?: string;
  /** The stage field being resolved ("cmd", "outs", "foreach", ...): decides what may be rendered into a string. */
  field: string;
  /** Told the key path of every variable read (DVC tracks the params-file values a stage uses as its params). */
  onSelect?: (path: string[]) => void;
  /** Characters the strings made by interpolation may still take, shared by a whole load (see MAX_EXPANDED_CHARS). */
  budget?: { remaining: number };
}

/**
 * A foreach of 10,000 items over a 4 MiB command with a `${item}` in it would make 40 GiB of strings: the text that
 * interpolation produces in one pipeline is capped (strings without `${}` are shared, not copied, and do not count).
 */
export const MAX_EXPANDED_CHARS = 64 * 1024 * 1024;

/** `${` not preceded by a backslash, up to the first `}` (as DVC's KEYCRE: no nesting). */
const EXPRESSION = /(?<!\\)\$\{(.*?)\}/g;

const fail = (message: string, where: InterpolateWhere): never => {
  throw new PipelineError(`${where.field}: ${message}`, { file: where.file, ...(where.stage === undefined ? {} : { stage: where.stage }) });
};

/** `a.b[0].c` -> ["a", "b", "0", "c"], as DVC's parser (words between `.`, `[` and `]`). */
const keyPath = (expression: string, where: InterpolateWhere): string[] => {
  const trimmed = expression.trim();
  const parts: string[] = [];
  const pattern = /^([^.[\]]+)((?:\.[^.[\]]+|\[[^.[\]]+\])*)$/;
  const match = pattern.exec(trimmed);
  if (match === null) return fail(`malformed expression '\${${expression}}'`, where);
  parts.push((match[1] ?? "").trim());
  const rest = match[2] ?? "";
  for (const piece of rest.matchAll(/\.([^.[\]]+)|\[([^.[\]]+)\]/g)) parts.push((piece[1] ?? piece[2] ?? "").trim());
  return parts;
};

/** The value a key path names, or fails naming the variable that is not defined. */
export const selectVar = (vars: Vars, expression: string, where: InterpolateWhere): unknown => {
  let current: unknown = vars;
  const path = keyPath(expression, where);
  for (const part of path) {
    if (Array.isArray(current) && /^\d+$/.test(part) && Number(part) < current.length) current = current[Number(part)];
    else if (typeof current === "object" && current !== null && !Array.isArray(current) && Object.hasOwn(current, part)) {
      current = (current as Record<string, unknown>)[part];
    } else return fail(`undefined variable '\${${expression.trim()}}'`, where);
  }
  where.onSelect?.(path);
  return current;
};

/** Python's `repr` of a float (shortest round-trip digits, exponent below 1e-4 and from 1e16): 1e-05, 0.0001. */
const pythonFloat = (value: number): string => {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  const [mantissa = "0", exponentText = "0"] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(value);
};

/** Python's shlex.quote: safe words as they are, anything else in single quotes. */
export const shellQuote = (value: string): string => {
  if (value === "") return "''";
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'"'"'`)}'`;
};

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Nested mapping keys joined with "." (DVC's flatten), lists left as values. */
const flattenMapping = (value: Record<string, unknown>, prefix = "", out: Array<[string, unknown]> = []): Array<[string, unknown]> => {
  for (const [key, item] of Object.entries(value)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (isMapping(item)) flattenMapping(item, name, out);
    else out.push([name, item]);
  }
  return out;
};

/** A primitive as Python's `str()` renders it (what DVC puts into strings and stage names). */
export const primitiveToString = (value: unknown): string => {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return pythonFloat(value);
  return String(value);
};

/** A mapping rendered as command-line options, as DVC's `to_str(dict)` with its default settings. */
const mappingToArgs = (value: Record<string, unknown>, where: InterpolateWhere): string => {
  let result = "";
  for (const [key, item] of flattenMapping(value)) {
    if (typeof item === "boolean") {
      if (item) result += `--${key} `;
    } else if (typeof item === "string") {
      result += `--${key} ${shellQuote(item)} `;
    } else if (Array.isArray(item)) {
      item.forEach((element: unknown, index) => {
        if (Array.isArray(element) || isMapping(element)) fail(`cannot interpolate nested list in '${key}'`, where);
        const rendered = typeof element === "string" ? shellQuote(element) : primitiveToString(element);
        result += index > 0 ? `${rendered} ` : `--${key} ${rendered} `;
      });
    } else {
      result += `--${key} ${primitiveToString(item)} `;
    }
  }
  return result.trimEnd();
};

const renderInString = (value: unknown, expression: string, where: InterpolateWhere): string => {
  if (isMapping(value) && where.field === "cmd") return mappingToArgs(value, where);
  if (Array.isArray(value) || isMapping(value)) {
    return fail(`cannot interpolate a ${Array.isArray(value) ? "list" : "mapping"} ('\${${expression.trim()}}') into a string`, where);
  }
  return primitiveToString(value);
};

const spend = (made: string, where: InterpolateWhere): string => {
  if (where.budget !== undefined) {
    where.budget.remaining -= made.length;
    if (where.budget.remaining < 0) fail(`the pipeline expands to more than ${MAX_EXPANDED_CHARS} characters of interpolated text`, where);
  }
  return made;
};

/** One string resolved: its typed value when it is exactly one expression, else the rendered string. */
export const interpolateString = (text: string, vars: Vars, where: InterpolateWhere): unknown => {
  const matches = [...text.matchAll(EXPRESSION)];
  if (matches.length === 0) return text.includes("\\${") ? text.replaceAll("\\${", "${") : text;
  const only = matches[0];
  if (matches.length === 1 && only !== undefined && only[0] === text) {
    const value = selectVar(vars, only[1] ?? "", where);
    if ((Array.isArray(value) || isMapping(value)) && !where.field.includes("foreach") && !where.field.includes("matrix")) {
      if (!(isMapping(value) && where.field === "cmd")) fail(`cannot interpolate a ${Array.isArray(value) ? "list" : "mapping"} ('${text}')`, where);
      return spend(mappingToArgs(value as Record<string, unknown>, where), where);
    }
    return value;
  }
  let result = "";
  let index = 0;
  for (const match of matches) {
    const expression = match[1] ?? "";
    if (expression.includes("${")) fail(`malformed expression '${match[0]}'`, where);
    result += text.slice(index, match.index) + renderInString(selectVar(vars, expression, where), expression, where);
    index = (match.index ?? 0) + match[0].length;
  }
  result += text.slice(index);
  return spend(result.replaceAll("\\${", "${"), where);
};

/** Every string in a value (mapping keys too, as DVC does) resolved; numbers and booleans as they are. */
export const interpolateValue = (value: unknown, vars: Vars, where: InterpolateWhere): unknown => {
  if (typeof value === "string") return interpolateString(value, vars, where);
  if (Array.isArray(value)) return value.map((item: unknown) => interpolateValue(item, vars, where));
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolvedKey = interpolateString(key, vars, where);
      setOwn(out, primitiveToString(resolvedKey), interpolateValue(item, vars, where));
    }
    return out;
  }
  return value;
};
