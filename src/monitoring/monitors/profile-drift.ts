import { invalidParameter } from "../../core/errors.js";
import { SMALL_REFERENCE_ROWS } from "../drift/select-method.js";
import { chiSquare, hellingerDistance, jensenShannonDistance, klDivergence, poolSparseCells, psi, totalVariationDistance } from "../stats/index.js";
import type { Dataset } from "../../validation/dataset.js";
import type { SkewReference } from "../skew/skew-reference.js";
import { distanceTable, goodnessOfFitTable, profileCounts, windowValues } from "./profile-counts.js";

/**
 * Drift of live inputs against a training PROFILE. A profile keeps counts, not values, so only tests over counts
 * apply (Evidently's names), over the profile's histogram bins (numeric) or its top categories plus "(other)"
 * (categorical):
 * - chisquare: scipy's chisquare(window counts, profile counts scaled to the window), after pooling adjacent cells
 *   until each expects >= 5 values; drifted at p < threshold (0.05).
 * - jensenshannon (scipy's JS distance, natural log), psi, kl_div, hellinger, TVD: drifted at statistic >= threshold
 *   (0.1).
 * The default follows the window's size, as Evidently's defaults follow the reference's size on raw data: a distance
 * between a sample's histogram and the population's is biased upward at small n (150 rows drawn from the training
 * distribution are a median 0.10 in JS distance from its profile), while the chi-square test accounts for n. So a
 * window of at most 1000 non-missing values gets chisquare, a larger one jensenshannon. A per-column method wins.
 */
export const PROFILE_DRIFT_METHODS = ["chisquare", "jensenshannon", "psi", "kl_div", "hellinger", "TVD"] as const;
export type ProfileDriftMethod = (typeof PROFILE_DRIFT_METHODS)[number];
/** The distances' threshold (drifted at statistic >= 0.1). */
export const PROFILE_DRIFT_THRESHOLD = 0.1;
/** The chi-square test's p-value threshold (drifted at p < 0.05). */
export const PROFILE_CHI_SQUARE_THRESHOLD = 0.05;
/** Windows with at most this many non-missing values of a column get the chi-square test by default. */
export const PROFILE_SMALL_WINDOW_ROWS = SMALL_REFERENCE_ROWS;

export interface ProfileColumnDrift {
  method: ProfileDriftMethod;
  /** The distance, or chisquare's test statistic. */
  statistic: number;
  /** chisquare: its p-value (what the threshold applies to); null for the distances. */
  p_value: number | null;
  threshold: number;
  drifted: boolean;
  /** Non-missing window values of the column (NaN excluded): the size that chose the default test. */
  current_rows?: number;
  /** chisquare: cells after pooling (degrees of freedom = cells - 1). */
  cells?: number;
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

type DistanceMethod = Exclude<ProfileDriftMethod, "chisquare">;

const distance = (method: DistanceMethod, ref: number[], cur: number[]): number => {
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

const defaultThreshold = (method: ProfileDriftMethod): number => (method === "chisquare" ? PROFILE_CHI_SQUARE_THRESHOLD : PROFILE_DRIFT_THRESHOLD);

export const parseProfileMethod = (column: string, spec: string): { method: ProfileDriftMethod; threshold: number } => {
  const [name, thresholdText] = spec.split(":");
  if (!(PROFILE_DRIFT_METHODS as readonly string[]).includes(name ?? "")) {
    throw invalidParameter(
      `Drift method '${name}' for column '${column}' cannot run against a training profile (it keeps counts, not values); use one of ${PROFILE_DRIFT_METHODS.join(", ")}.`,
    );
  }
  const method = name as ProfileDriftMethod;
  const threshold = thresholdText === undefined ? defaultThreshold(method) : Number(thresholdText);
  if (!Number.isFinite(threshold) || threshold < 0) throw invalidParameter(`Drift threshold '${thresholdText}' for column '${column}' must be a number >= 0.`);
  if (method === "chisquare" && threshold > 1) throw invalidParameter(`Drift threshold '${thresholdText}' for column '${column}' is a p-value: it must be between 0 and 1.`);
  return { method, threshold };
};

/** The default test for a window of `rows` non-missing values (Evidently's size boundary, 1000). */
export const defaultProfileMethod = (rows: number): ProfileDriftMethod => (rows > 0 && rows <= PROFILE_SMALL_WINDOW_ROWS ? "chisquare" : "jensenshannon");

export const profileDrift = async (
  reference: SkewReference,
  current: Dataset,
  options: { methods?: Record<string, string>; driftShare?: number } = {},
): Promise<ProfileDriftResult> => {
  const present = new Set(current.columns.map((c) => c.name));
  const columns: Record<string, ProfileColumnDrift> = {};
  for (const [name, ref] of Object.entries(reference)) {
    if (!present.has(name)) continue;
    const override = options.methods?.[name];
    const chosen = override === undefined ? undefined : parseProfileMethod(name, override);
    const counts = await profileCounts(ref, current, name);
    const rows = windowValues(counts);
    if (rows === 0 && counts.nan === 0) continue;
    let method = chosen?.method ?? defaultProfileMethod(rows);
    if (method === "chisquare") {
      const table = goodnessOfFitTable(counts);
      const pooled = poolSparseCells(table.current, table.reference);
      // One cell left (a profile with a single non-empty bin or category, or a window of a handful of values): the
      // test has no degree of freedom. The default then falls back to the distance; a chosen chisquare reports
      // p = 1 (nothing could be tested), never drift.
      if (pooled.groups.length >= 2) {
        const { statistic, pValue } = chiSquare(pooled.observed, pooled.expected);
        const threshold = chosen?.threshold ?? PROFILE_CHI_SQUARE_THRESHOLD;
        columns[name] = { method, statistic, p_value: pValue, threshold, drifted: pValue < threshold, current_rows: rows, cells: pooled.groups.length };
        continue;
      }
      if (chosen !== undefined) {
        columns[name] = { method, statistic: 0, p_value: 1, threshold: chosen.threshold, drifted: false, current_rows: rows, cells: pooled.groups.length };
        continue;
      }
      method = "jensenshannon";
    }
    const table = distanceTable(counts);
    const statistic = distance(method, shares(table.reference), shares(table.current));
    const threshold = chosen?.threshold ?? PROFILE_DRIFT_THRESHOLD;
    columns[name] = { method, statistic, p_value: null, threshold, drifted: statistic >= threshold, current_rows: rows };
  }
  const tested = Object.values(columns);
  const driftShare = options.driftShare ?? 0.5;
  const share = tested.length === 0 ? 0 : tested.filter((c) => c.drifted).length / tested.length;
  return { share_drifted: share, drift_share: driftShare, dataset_drift: tested.length > 0 && share >= driftShare, columns };
};
