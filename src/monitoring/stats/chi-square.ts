import type { TestResult } from "./types.js";

/** scipy.stats.chisquare(observed, expected rescaled to the observed total). */
export function chiSquare(observed: number[], expected: number[]): TestResult {
  void observed; void expected;
  throw new Error("chiSquare: not implemented yet");
}
