import type { SqlValue } from "../../validation/dataset.js";
import type { QualityMetric } from "./monitor.js";

/**
 * Model quality over the rows of a window that have a label. Classification (accuracy, f1) compares values as
 * numbers when both parse as numbers, else as text; f1 is binary (positive class 1 / true) when every label and
 * prediction is 0/1 or a boolean, else the macro average over the classes seen (scikit-learn's average="macro").
 * Regression (rmse, mae) needs numbers. Returns the metric and how many labelled rows it used.
 */
export interface QualityScore {
  value: number | null;
  labelled: number;
}

const normalise = (value: unknown): string | number | null => {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  const text = String(value);
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) ? n : text;
};

const labelOf = (label: unknown, field: string | undefined): unknown =>
  field !== undefined && label !== null && typeof label === "object" && !Array.isArray(label) ? (label as Record<string, unknown>)[field] : label;

export const qualityScore = (metric: QualityMetric, predictions: readonly SqlValue[], labels: readonly unknown[], labelField?: string): QualityScore => {
  const pairs: Array<[string | number, string | number]> = [];
  predictions.forEach((p, i) => {
    const label = normalise(labelOf(labels[i], labelField));
    const predicted = normalise(typeof p === "bigint" ? Number(p) : p);
    if (label !== null && predicted !== null) pairs.push([predicted, label]);
  });
  if (pairs.length === 0) return { value: null, labelled: 0 };
  switch (metric) {
    case "accuracy":
      return { value: pairs.filter(([p, l]) => p === l).length / pairs.length, labelled: pairs.length };
    case "f1":
      return { value: f1(pairs), labelled: pairs.length };
    case "rmse":
    case "mae": {
      let sum = 0;
      for (const [p, l] of pairs) {
        if (typeof p !== "number" || typeof l !== "number") return { value: null, labelled: pairs.length };
        sum += metric === "rmse" ? (p - l) ** 2 : Math.abs(p - l);
      }
      return { value: metric === "rmse" ? Math.sqrt(sum / pairs.length) : sum / pairs.length, labelled: pairs.length };
    }
  }
};

const f1For = (pairs: ReadonlyArray<[string | number, string | number]>, positive: string | number): number => {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [p, l] of pairs) {
    if (p === positive && l === positive) tp += 1;
    else if (p === positive) fp += 1;
    else if (l === positive) fn += 1;
  }
  // scikit-learn's zero_division default gives 0 when there is no positive at all.
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
};

const f1 = (pairs: ReadonlyArray<[string | number, string | number]>): number => {
  const classes = new Set<string | number>();
  for (const [p, l] of pairs) {
    classes.add(p);
    classes.add(l);
  }
  if ([...classes].every((c) => c === 0 || c === 1)) return f1For(pairs, 1);
  const values = [...classes].map((c) => f1For(pairs, c));
  return values.reduce((a, b) => a + b, 0) / values.length;
};
