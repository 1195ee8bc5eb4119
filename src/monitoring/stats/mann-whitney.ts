import type { TestResult } from "./types.js";

/** scipy.stats.mannwhitneyu(a, b, use_continuity=True, alternative="two-sided", method="auto"). */
export function mannWhitneyU(a: Float64Array, b: Float64Array): TestResult {
  void a; void b;
  throw new Error("mannWhitneyU: not implemented yet");
}
