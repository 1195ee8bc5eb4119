import type { TestResult } from "./types.js";
import { tTwoSidedP } from "./special/distributions.js";
import { sum, CompensatedSum } from "./sorting.js";

function meanVar(a: Float64Array): { mean: number; v: number } {
  const n = a.length;
  const mean = sum(a) / n;
  const s = new CompensatedSum();
  for (let i = 0; i < n; i++) {
    const d = a[i]! - mean;
    s.add(d * d);
  }
  // scipy's _var: the second central moment times n / (n - ddof)
  return { mean, v: n === 1 ? 0 : (s.value() / n) * (n / (n - 1)) };
}

/**
 * scipy.stats.ttest_ind(a, b) with equal_var=True (scipy's default, and what Evidently calls): pooled variance,
 * df = n1 + n2 - 2, two-sided. Constant identical samples give statistic and p NaN (0/0), as scipy.
 */
export function tTest(a: Float64Array, b: Float64Array): TestResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { statistic: NaN, pValue: NaN };
  const x = meanVar(a);
  const y = meanVar(b);
  const df = n1 + n2 - 2;
  const svar = ((n1 - 1) * x.v + (n2 - 1) * y.v) / df;
  const denom = Math.sqrt(svar * (1 / n1 + 1 / n2));
  const t = (x.mean - y.mean) / denom;
  return { statistic: t, pValue: tTwoSidedP(t, df) };
}
