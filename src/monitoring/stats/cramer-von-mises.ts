import type { TestResult } from "./types.js";

/** scipy.stats.cramervonmises_2samp(a, b, method="auto"). */
export function cramerVonMises2samp(a: Float64Array, b: Float64Array): TestResult {
  void a; void b;
  throw new Error("cramerVonMises2samp: not implemented yet");
}
