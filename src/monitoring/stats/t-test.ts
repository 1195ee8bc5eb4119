import type { TestResult } from "./types.js";

/** scipy.stats.ttest_ind(a, b, equal_var=True). */
export function tTest(a: Float64Array, b: Float64Array): TestResult {
  void a; void b;
  throw new Error("tTest: not implemented yet");
}
