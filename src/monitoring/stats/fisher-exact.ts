import type { TestResult } from "./types.js";

/** scipy.stats.fisher_exact(table, alternative="two-sided"); statistic is the sample odds ratio. */
export function fisherExact(table: [[number, number], [number, number]]): TestResult {
  void table;
  throw new Error("fisherExact: not implemented yet");
}
