import type { Run } from "../../api/entities";
import { allFields, fieldValue, type FieldValue, type FieldName } from "./run-fields";

export interface DiffRow {
  field: FieldName;
  kind: "param" | "metric";
  key: string;
  /** One per run, in the runs' order. */
  values: FieldValue[];
  differs: boolean;
}

/** Values are compared as written: "0.1" and "0.10" differ as params, NaN equals NaN as a metric, missing is a value. */
const identity = (value: FieldValue): string => (value === undefined ? "\u0000missing" : typeof value === "number" ? `n:${String(value)}` : `s:${value}`);

/** A row differs when its runs do not all have the same value; a run without the param or metric counts as different. */
export const valuesDiffer = (values: readonly FieldValue[]): boolean => new Set(values.map(identity)).size > 1;

/** The param and metric rows of a comparison of runs. */
export const diffRows = (runs: readonly Run[]): DiffRow[] =>
  allFields(runs).map((field) => {
    const values = runs.map((run) => fieldValue(run, field));
    const isParam = field.startsWith("params.");
    return { field, kind: isParam ? "param" : "metric", key: field.slice(isParam ? "params.".length : "metrics.".length), values, differs: valuesDiffer(values) };
  });
