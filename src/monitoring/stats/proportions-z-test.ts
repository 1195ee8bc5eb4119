import type { TestResult } from "./types.js";
import { ndtr } from "./special/normal.js";

/**
 * Evidently's z_stat_test: the pooled two-proportion z-test, two-sided, p = 2 * (1 - norm.cdf(|z|)) exactly as
 * Evidently writes it (so p underflows to 0 beyond |z| ~ 8.3, as there). Each argument is the pair of counts of the
 * two categories [first, second] in sorted key order; the proportion tested is that of the second category
 * (Evidently maps the first sorted key to 0, everything else to 1). When both samples hold only one and the same
 * category Evidently returns p = 1 without a statistic; here the statistic is 0 then.
 */
export function proportionsZTest(refCounts: [number, number], curCounts: [number, number]): TestResult {
  const n1 = refCounts[0] + refCounts[1];
  const n2 = curCounts[0] + curCounts[1];
  if (!(n1 > 0) || !(n2 > 0)) throw new RangeError("proportionsZTest: both samples must be non-empty");
  const refConstant = refCounts[0] === 0 || refCounts[1] === 0;
  const curConstant = curCounts[0] === 0 || curCounts[1] === 0;
  if (refConstant && curConstant && (refCounts[0] === 0) === (curCounts[0] === 0)) return { statistic: 0, pValue: 1 };
  const p1 = refCounts[1] / n1;
  const p2 = curCounts[1] / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: 2 * (1 - ndtr(Math.abs(z))) };
}
