import { invalidParameter } from "../../core/errors.js";
import type { Dataset } from "../../validation/dataset.js";
import { approximateJsDivergence } from "./js-divergence.js";
import { lInfinityDistance } from "./l-infinity.js";
import { categoryServingCounts, numericServingCounts, withOutOfRangeCells } from "./serving-counts.js";
import {
  DEFAULT_SKEW_THRESHOLD,
  OTHER_CATEGORY,
  type CategoricalSkewReference,
  type FeatureSkew,
  type NumericSkewReference,
  type SkewReference,
  type SkewResult,
} from "./skew-reference.js";

export interface SkewOptions {
  /** Per feature; features not named use `defaultThreshold`. */
  thresholds?: Record<string, number>;
  /** Default 0.1 for both comparators (TFDV's examples; Vertex AI's default). */
  defaultThreshold?: number;
  /** Compare only these features (default: every feature of the reference that the serving data has). */
  features?: readonly string[];
}

const checkThreshold = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw invalidParameter(`Invalid skew threshold ${value} for feature '${name}': it must be between 0 and 1.`);
  }
  return value;
};

/**
 * Training/serving skew as TFDV computes it: per feature, the L-infinity distance between category frequency
 * vectors (categorical) or the approximate Jensen-Shannon divergence, base 2, over the training profile's histogram
 * bins (numeric); a feature is skewed when the statistic is strictly above its threshold (TFDV's `>`).
 */
export const computeSkew = async (reference: SkewReference, serving: Dataset, options: SkewOptions = {}): Promise<SkewResult> => {
  const defaultThreshold = checkThreshold("(default)", options.defaultThreshold ?? DEFAULT_SKEW_THRESHOLD);
  const servingColumns = new Set(serving.columns.map((c) => c.name));
  for (const name of Object.keys(options.thresholds ?? {})) {
    if (reference[name] === undefined) throw invalidParameter(`Skew threshold for feature '${name}': the training profile has no such feature.`);
  }
  const names = options.features ?? Object.keys(reference).filter((name) => servingColumns.has(name));
  const features: Record<string, FeatureSkew> = {};
  for (const name of names) {
    const ref = reference[name];
    if (ref === undefined) throw invalidParameter(`Skew feature '${name}': the training profile has no such feature.`);
    if (!servingColumns.has(name)) throw invalidParameter(`Skew feature '${name}': the serving data has no such column.`);
    const threshold = checkThreshold(name, options.thresholds?.[name] ?? defaultThreshold);
    features[name] = ref.kind === "numeric"
      ? await numericSkew(name, ref, serving, threshold)
      : await categoricalSkew(name, ref, serving, threshold);
  }
  return { schema_version: 1, skewed: Object.values(features).some((f) => f.skewed), features };
};

const numericSkew = async (name: string, ref: NumericSkewReference, serving: Dataset, threshold: number): Promise<FeatureSkew> => {
  if (ref.edges.length < 2 || ref.counts.length !== ref.edges.length - 1) {
    throw invalidParameter(`Skew feature '${name}': the profile histogram needs k + 1 edges for k counts (${ref.edges.length} edges, ${ref.counts.length} counts).`);
  }
  const s = await numericServingCounts(serving, name, ref.edges);
  const servingCount = s.bins.reduce((a, b) => a + b, 0) + s.below + s.above + s.nan;
  // Extra buckets only when used, so that in-range data gives exactly the JS divergence over the profile's bins.
  const { reference: training, current } = withOutOfRangeCells(ref.counts, s.bins, s);
  const statistic = approximateJsDivergence(training, current) ?? 0;
  return { feature: name, method: "jensen_shannon_divergence", statistic, threshold, skewed: statistic > threshold, servingCount };
};

const categoricalSkew = async (name: string, ref: CategoricalSkewReference, serving: Dataset, threshold: number): Promise<FeatureSkew> => {
  const observed = await categoryServingCounts(serving, name);
  const training = new Map<string, number>();
  let listed = 0;
  for (const { value, count } of ref.categories) {
    training.set(value, count);
    listed += count;
  }
  const current = new Map<string, number>();
  let servingCount = 0;
  let other = 0;
  for (const [value, count] of observed) {
    servingCount += count;
    if (training.has(value)) current.set(value, count);
    else other += count;
  }
  // Categories outside the profile's list are pooled on both sides: the profile only knows its top-K by name.
  const trainingOther = Math.max(0, ref.nonNullCount - listed);
  if (trainingOther > 0) training.set(OTHER_CATEGORY, trainingOther);
  if (other > 0) current.set(OTHER_CATEGORY, other);
  const { distance, category } = lInfinityDistance(training, current);
  return {
    feature: name,
    method: "l_infinity",
    statistic: distance,
    threshold,
    skewed: distance > threshold,
    ...(category !== undefined ? { worstCategory: category } : {}),
    servingCount,
  };
};
