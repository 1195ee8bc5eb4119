import { invalidParameter } from "../../core/errors.js";
import { hellingerDistance, jensenShannonDistance, klDivergence, psi, totalVariationDistance } from "../stats/index.js";
import type { Dataset } from "../../validation/dataset.js";
import { categoryServingCounts, numericServingCounts } from "../skew/serving-counts.js";
import type { SkewReference } from "../skew/skew-reference.js";

/**
 * Drift of live inputs against a training PROFILE. A profile keeps counts, not values, so only the binned methods
 * apply (Evidently's names): jensenshannon (the default, scipy's JS distance, natural log, threshold 0.1), psi,
 * kl_div, hellinger, TVD, each over the profile's histogram bins (numeric; plus below/above/NaN buckets when live
 * values fall outside) or its top categories plus "(other)" (categorical). Drifted at statistic >= threshold.
 */
export const PROFILE_DRIFT_METHODS = ["jensenshannon", "psi", "kl_div", "hellinger", "TVD"] as const;
export type ProfileDriftMethod = (typeof PROFILE_DRIFT_METHODS)[number];
export const PROFILE_DRIFT_THRESHOLD = 0.1;

export interface ProfileColumnDrift {
  method: ProfileDriftMethod;
  statistic: number;
  threshold: number;
  drifted: boolean;
}

export interface ProfileDriftResult {
  share_drifted: number;
  drift_share: number;
  dataset_drift: boolean;
  columns: Record<string, ProfileColumnDrift>;
}

const shares = (counts: readonly number[]): number[] => {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total === 0 ? 0 : c / total));
};

const score = (method: ProfileDriftMethod, ref: number[], cur: number[]): number => {
  switch (method) {
    case "jensenshannon":
      return jensenShannonDistance(ref, cur);
    case "psi":
      return psi(ref, cur);
    case "kl_div":
      return klDivergence(ref, cur);
    case "hellinger":
      return hellingerDistance(ref, cur);
    case "TVD":
      return totalVariationDistance(ref, cur);
  }
};

export const parseProfileMethod = (column: string, spec: string): { method: ProfileDriftMethod; threshold: number } => {
  const [name, thresholdText] = spec.split(":");
  if (!(PROFILE_DRIFT_METHODS as readonly string[]).includes(name ?? "")) {
    throw invalidParameter(
      `Drift method '${name}' for column '${column}' cannot run against a training profile (it keeps counts, not values); use one of ${PROFILE_DRIFT_METHODS.join(", ")}.`,
    );
  }
  const threshold = thresholdText === undefined ? PROFILE_DRIFT_THRESHOLD : Number(thresholdText);
  if (!Number.isFinite(threshold) || threshold < 0) throw invalidParameter(`Drift threshold '${thresholdText}' for column '${column}' must be a number >= 0.`);
  return { method: name as ProfileDriftMethod, threshold };
};

export const profileDrift = async (
  reference: SkewReference,
  current: Dataset,
  options: { methods?: Record<string, string>; driftShare?: number } = {},
): Promise<ProfileDriftResult> => {
  const present = new Set(current.columns.map((c) => c.name));
  const columns: Record<string, ProfileColumnDrift> = {};
  for (const [name, ref] of Object.entries(reference)) {
    if (!present.has(name)) continue;
    const { method, threshold } = parseProfileMethod(name, options.methods?.[name] ?? "jensenshannon");
    let refCounts: number[];
    let curCounts: number[];
    if (ref.kind === "numeric") {
      const s = await numericServingCounts(current, name, ref.edges);
      refCounts = [...ref.counts];
      curCounts = [...s.bins];
      for (const extra of [s.below, s.above, s.nan]) {
        if (extra > 0) {
          refCounts.push(0);
          curCounts.push(extra);
        }
      }
    } else {
      const observed = await categoryServingCounts(current, name);
      const listed = new Set(ref.categories.map((c) => c.value));
      refCounts = ref.categories.map((c) => c.count);
      curCounts = ref.categories.map((c) => observed.get(c.value) ?? 0);
      let other = 0;
      for (const [value, count] of observed) if (!listed.has(value)) other += count;
      refCounts.push(Math.max(0, ref.nonNullCount - refCounts.reduce((a, b) => a + b, 0)));
      curCounts.push(other);
    }
    if (curCounts.every((c) => c === 0)) continue;
    const statistic = score(method, shares(refCounts), shares(curCounts));
    columns[name] = { method, statistic, threshold, drifted: statistic >= threshold };
  }
  const tested = Object.values(columns);
  const driftShare = options.driftShare ?? 0.5;
  const share = tested.length === 0 ? 0 : tested.filter((c) => c.drifted).length / tested.length;
  return { share_drifted: share, drift_share: driftShare, dataset_drift: tested.length > 0 && share >= driftShare, columns };
};
