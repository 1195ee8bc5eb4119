/**
 * The drift tests Cairn offers, under Evidently's stattest names, with Evidently's default thresholds and the
 * direction of each comparison: a p-value test drifts below its threshold, a distance at or above it (energy
 * distance strictly above, as Evidently's `ed`).
 */
import { invalidParameter } from "../../core/errors.js";

export type DriftColumnType = "num" | "cat";

export type DriftMethodName =
  | "ks"
  | "chisquare"
  | "z"
  | "wasserstein"
  | "jensenshannon"
  | "psi"
  | "kl_div"
  | "hellinger"
  | "TVD"
  | "ed"
  | "anderson"
  | "cramer_von_mises"
  | "mannw"
  | "t_test"
  | "fisher_exact";

export interface DriftMethod {
  name: DriftMethodName;
  displayName: string;
  /** "p_value": drifted when p < threshold; "distance": drifted when statistic >= threshold (> for energy). */
  score: "p_value" | "distance";
  defaultThreshold: number;
  columnTypes: readonly DriftColumnType[];
  /** Needs the raw values (a sample past the limit) rather than counts computed in DuckDB. */
  rawValues: boolean;
}

const method = (
  name: DriftMethodName,
  displayName: string,
  score: DriftMethod["score"],
  defaultThreshold: number,
  columnTypes: readonly DriftColumnType[],
  rawValues: boolean,
): DriftMethod => ({ name, displayName, score, defaultThreshold, columnTypes, rawValues });

export const DRIFT_METHODS: Readonly<Record<DriftMethodName, DriftMethod>> = {
  ks: method("ks", "K-S p_value", "p_value", 0.05, ["num"], true),
  chisquare: method("chisquare", "chi-square p_value", "p_value", 0.05, ["cat", "num"], false),
  z: method("z", "Z-test p_value", "p_value", 0.05, ["cat", "num"], false),
  wasserstein: method("wasserstein", "Wasserstein distance (normed)", "distance", 0.1, ["num"], true),
  jensenshannon: method("jensenshannon", "Jensen-Shannon distance", "distance", 0.1, ["cat", "num"], false),
  psi: method("psi", "PSI", "distance", 0.1, ["cat", "num"], false),
  kl_div: method("kl_div", "Kullback-Leibler divergence", "distance", 0.1, ["cat", "num"], false),
  hellinger: method("hellinger", "Hellinger distance", "distance", 0.1, ["cat", "num"], false),
  TVD: method("TVD", "Total variation distance", "distance", 0.1, ["cat", "num"], false),
  ed: method("ed", "Energy distance", "distance", 0.1, ["num"], true),
  anderson: method("anderson", "Anderson-Darling p_value", "p_value", 0.1, ["num"], true),
  cramer_von_mises: method("cramer_von_mises", "Cramer-von Mises p_value", "p_value", 0.1, ["num"], true),
  mannw: method("mannw", "Mann-Whitney U-rank p_value", "p_value", 0.05, ["num"], true),
  t_test: method("t_test", "t-test p_value", "p_value", 0.05, ["num"], true),
  fisher_exact: method("fisher_exact", "Fisher's exact p_value", "p_value", 0.1, ["cat", "num"], false),
};

/** Other spellings people use (scipy's names, long names), all lower-case. */
const ALIASES: Readonly<Record<string, DriftMethodName>> = {
  ks_2samp: "ks",
  kolmogorov_smirnov: "ks",
  chi2: "chisquare",
  chi_square: "chisquare",
  proportions_z: "z",
  wasserstein_distance: "wasserstein",
  js: "jensenshannon",
  jensen_shannon: "jensenshannon",
  kl: "kl_div",
  tvd: "TVD",
  total_variation: "TVD",
  energy: "ed",
  energy_distance: "ed",
  anderson_darling: "anderson",
  ad: "anderson",
  cvm: "cramer_von_mises",
  cramervonmises: "cramer_von_mises",
  mann_whitney: "mannw",
  mannwhitneyu: "mannw",
  ttest: "t_test",
  t: "t_test",
  fisher: "fisher_exact",
};

export const driftMethodNames = (): string[] => Object.keys(DRIFT_METHODS);

/** The method for a user-given name (case-insensitive; Evidently's names and common aliases). */
export const resolveDriftMethod = (name: string): DriftMethod => {
  const key = name.trim();
  const exact = Object.values(DRIFT_METHODS).find((m) => m.name.toLowerCase() === key.toLowerCase());
  const found = exact ?? DRIFT_METHODS[ALIASES[key.toLowerCase()] ?? ("" as DriftMethodName)];
  if (found === undefined) {
    throw invalidParameter(`Unknown drift method '${name}'; known: ${driftMethodNames().join(", ")}`);
  }
  return found;
};

/** Whether a score crosses its threshold, in the method's direction. */
export const isDrifted = (m: DriftMethod, score: number, threshold: number): boolean => {
  if (m.score === "p_value") return score < threshold;
  return m.name === "ed" ? score > threshold : score >= threshold;
};
