import type { TestResult } from "./types.js";
import { chi2Sf } from "./special/distributions.js";
import { CompensatedSum } from "./sorting.js";

/**
 * scipy.stats.chisquare(observed, expected') with expected' = expected * (sum(observed) / sum(expected)): Evidently
 * passes reference counts scaled by n_current / n_reference, which is the same rescaling, so callers may pass raw
 * reference counts. A category with expected 0 and observed > 0 gives statistic Infinity and p 0 (as scipy);
 * a single category gives df 0 and p NaN (as scipy).
 */
export function chiSquare(observed: number[], expected: number[]): TestResult {
  if (observed.length !== expected.length) {
    throw new RangeError(`chiSquare: observed has ${observed.length} categories, expected ${expected.length}`);
  }
  if (observed.length === 0) throw new RangeError("chiSquare: at least one category is required");
  let so = 0;
  let se = 0;
  for (let i = 0; i < observed.length; i++) {
    so += observed[i]!;
    se += expected[i]!;
  }
  const k = so / se;
  const stat = new CompensatedSum();
  for (let i = 0; i < observed.length; i++) {
    const e = expected[i]! * k;
    const d = observed[i]! - e;
    stat.add((d * d) / e);
  }
  const statistic = stat.value();
  return { statistic, pValue: chi2Sf(statistic, observed.length - 1) };
}
