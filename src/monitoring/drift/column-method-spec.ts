/** `column=method[:threshold]`, as `cairn data drift --column-method` and monitor definitions take it. */
import { invalidParameter } from "../../core/errors.js";
import type { ColumnMethodChoice } from "./dataset-drift.js";
import { resolveDriftMethod } from "./methods.js";

export const parseColumnMethod = (spec: string): [string, ColumnMethodChoice] => {
  const eq = spec.lastIndexOf("=");
  if (eq <= 0 || eq === spec.length - 1) {
    throw invalidParameter(`--column-method '${spec}' must look like column=method or column=method:threshold (e.g. age=psi:0.2)`);
  }
  const column = spec.slice(0, eq);
  const rest = spec.slice(eq + 1);
  const colon = rest.indexOf(":");
  const method = resolveDriftMethod(colon === -1 ? rest : rest.slice(0, colon));
  if (colon === -1) return [column, { method }];
  const text = rest.slice(colon + 1).trim();
  const threshold = Number(text);
  if (text === "" || !Number.isFinite(threshold) || threshold < 0) {
    throw invalidParameter(`--column-method '${spec}': threshold must be a number >= 0, got '${text}'`);
  }
  return [column, { method, threshold }];
};

export const parseColumnMethods = (specs: readonly string[]): Record<string, ColumnMethodChoice> => {
  const choices: Record<string, ColumnMethodChoice> = {};
  for (const spec of specs) {
    const [column, choice] = parseColumnMethod(spec);
    if (choices[column] !== undefined) throw invalidParameter(`--column-method: column '${column}' is given twice`);
    choices[column] = choice;
  }
  return choices;
};
