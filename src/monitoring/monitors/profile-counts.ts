import type { Dataset } from "../../validation/dataset.js";
import { categoryServingCounts, numericServingCounts, withOutOfRangeCells } from "../skew/serving-counts.js";
import type { FeatureSkewReference } from "../skew/skew-reference.js";

/**
 * One feature's counts for drift against a training profile: a cell per profile bin (numeric) or per listed
 * category then "(other)" (categorical: categories beyond the profile's top-K or unseen in training), with the
 * profile's count and the window's count in each. Numeric windows also count values below the first edge, above
 * the last one, and NaN, which the two kinds of test treat differently (see `distanceTable`, `goodnessOfFitTable`).
 */
export interface ProfileCounts {
  kind: "numeric" | "categorical";
  reference: number[];
  current: number[];
  below: number;
  above: number;
  nan: number;
}

export const profileCounts = async (reference: FeatureSkewReference, current: Dataset, column: string): Promise<ProfileCounts> => {
  if (reference.kind === "numeric") {
    const s = await numericServingCounts(current, column, reference.edges);
    return { kind: "numeric", reference: [...reference.counts], current: [...s.bins], below: s.below, above: s.above, nan: s.nan };
  }
  const observed = await categoryServingCounts(current, column);
  const listed = new Set(reference.categories.map((c) => c.value));
  let other = 0;
  for (const [value, count] of observed) if (!listed.has(value)) other += count;
  const listedTotal = reference.categories.reduce((a, c) => a + c.count, 0);
  return {
    kind: "categorical",
    reference: [...reference.categories.map((c) => c.count), Math.max(0, reference.nonNullCount - listedTotal)],
    current: [...reference.categories.map((c) => observed.get(c.value) ?? 0), other],
    below: 0,
    above: 0,
    nan: 0,
  };
};

/** Window values that a test can place: NaN is a missing value (Evidently drops NaN before testing). */
export const windowValues = (c: ProfileCounts): number => c.current.reduce((a, b) => a + b, 0) + c.below + c.above;

/**
 * The table of the distances (unchanged from before the chi-square path): values outside the profile's range and NaN
 * get cells of their own with a profile count of 0, as TFDV's rebucketing gives.
 */
export const distanceTable = (c: ProfileCounts): { reference: number[]; current: number[] } => withOutOfRangeCells(c.reference, c.current, c);

/**
 * The table of the chi-square goodness-of-fit test, in the order its cells may be pooled.
 * Numeric: the profile's bins in order; a value below the first edge counts in the first bin, above the last edge
 * in the last bin. The edges are the training minimum and maximum, and a new value from the training distribution
 * falls below the minimum of N training values with probability 1/(N + 1) (likewise above the maximum), so cells of
 * their own would expect n/(N + 1) values, far below 5, and the validity rule would pool them into the edge bins
 * anyway; a window that really moves past the range still fills an edge bin beyond its expected count. NaN is left
 * out (a missing value). Categorical: listed categories by decreasing profile count, "(other)" last, so that
 * pooling joins the rarest categories with the unseen ones.
 */
export const goodnessOfFitTable = (c: ProfileCounts): { reference: number[]; current: number[] } => {
  if (c.kind === "categorical") {
    const order = c.reference.slice(0, -1).map((_r, i) => i);
    order.sort((a, b) => c.reference[b]! - c.reference[a]!);
    order.push(c.reference.length - 1);
    return { reference: order.map((i) => c.reference[i]!), current: order.map((i) => c.current[i]!) };
  }
  const current = [...c.current];
  const last = current.length - 1;
  if (last >= 0) {
    current[0] = current[0]! + c.below;
    current[last] = current[last]! + c.above;
  }
  return { reference: [...c.reference], current };
};
