import type { TestResult } from "./types.js";

/** scipy.stats.anderson_ksamp(samples, midrank=True). */
export function andersonKsamp(samples: Float64Array[]): TestResult {
  void samples;
  throw new Error("andersonKsamp: not implemented yet");
}
