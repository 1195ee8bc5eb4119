import type { TestResult } from "./types.js";

/** scipy.stats.ks_2samp(a, b), method="auto", two-sided. */
export function ks2samp(a: Float64Array, b: Float64Array): TestResult {
  void a; void b;
  throw new Error("ks2samp: not implemented yet");
}
