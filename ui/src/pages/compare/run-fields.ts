import type { Run } from "../../api/entities";
import { metricValue } from "../../charts/x-axis";

/** A value compared across runs: a param (text), a latest metric (number), or missing. */
export type FieldValue = string | number | undefined;

/** A column of the comparison, named as the search grammar names it: `params.lr`, `metrics.acc`. */
export type FieldName = `params.${string}` | `metrics.${string}`;

export const fieldValue = (run: Run, field: string): FieldValue => {
  if (field.startsWith("params.")) {
    const key = field.slice("params.".length);
    return run.data.params?.find((param) => param.key === key)?.value;
  }
  if (field.startsWith("metrics.")) {
    const key = field.slice("metrics.".length);
    const metric = run.data.metrics?.find((one) => one.key === key);
    return metric ? metricValue(metric.value) : undefined;
  }
  return undefined;
};

const sortedUnion = (lists: readonly (readonly string[])[]): string[] => [...new Set(lists.flat())].sort();

export const paramKeys = (runs: readonly Run[]): string[] => sortedUnion(runs.map((run) => (run.data.params ?? []).map((param) => param.key)));

export const metricKeys = (runs: readonly Run[]): string[] => sortedUnion(runs.map((run) => (run.data.metrics ?? []).map((metric) => metric.key)));

/** Every param and metric of any of the runs, params first. */
export const allFields = (runs: readonly Run[]): FieldName[] => [
  ...paramKeys(runs).map((key): FieldName => `params.${key}`),
  ...metricKeys(runs).map((key): FieldName => `metrics.${key}`),
];
