import type { TestResult } from "./types.js";

/** Evidently z_stat_test: two-sided pooled two-proportion z-test; counts are [count of the first category, total]. */
export function proportionsZTest(refCounts: [number, number], curCounts: [number, number]): TestResult {
  void refCounts; void curCounts;
  throw new Error("proportionsZTest: not implemented yet");
}
