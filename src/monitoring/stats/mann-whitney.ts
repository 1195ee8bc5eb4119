import type { TestResult } from "./types.js";
import { forEachMergedValue } from "./merged-ranks.js";
import { ndtr } from "./special/normal.js";

/** Exact null distribution of U for sizes n1 <= n2 (scipy's _MWU, after Andreas Löffler's recurrence). */
function exactCdf(n1: number, n2: number, k: number): number {
  const maxu = k;
  const sigma = new Float64Array(maxu + 1);
  for (let d = 1; d <= n1; d++) for (let idx = d; idx <= maxu; idx += d) sigma[idx]! += d;
  for (let d = n2 + 1; d <= n2 + n1; d++) for (let idx = d; idx <= maxu; idx += d) sigma[idx]! -= d;
  const conf = new Float64Array(maxu + 1);
  conf[0] = 1;
  for (let u = 1; u <= maxu; u++) {
    let dot = 0;
    for (let t = 0; t < u; t++) dot += conf[t]! * sigma[u - t]!;
    conf[u] = dot / u;
  }
  let total = 1;
  for (let i = 1; i <= n1; i++) total = (total * (n2 + i)) / i;
  total = Math.round(total);
  let cdf = 0;
  for (let u = 0; u <= k; u++) cdf += conf[u]! / total;
  return cdf;
}

/**
 * scipy.stats.mannwhitneyu(a, b, use_continuity=True, alternative="two-sided", method="auto"): exact when either
 * sample has at most 8 values and there are no ties, normal approximation with tie correction otherwise. The
 * statistic is U1, the U of the first sample.
 */
export function mannWhitneyU(a: Float64Array, b: Float64Array): TestResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("mannWhitneyU: both samples must be non-empty");
  let R1 = 0;
  let tieTerm = 0;
  let ties = false;
  forEachMergedValue(a, b, (_v, inA, inB, before) => {
    const c = inA + inB;
    R1 += inA * (before + (c + 1) / 2);
    tieTerm += c ** 3 - c;
    if (c > 1) ties = true;
  });
  const U1 = R1 - (n1 * (n1 + 1)) / 2;
  const U2 = n1 * n2 - U1;
  const U = Math.max(U1, U2);
  const exact = !(n1 > 8 && n2 > 8) && !ties;
  let p: number;
  if (exact) {
    // sf(U) for U >= n1*n2/2 is cdf(n1*n2 - U)
    const kc = n1 * n2 - U;
    p = exactCdf(Math.min(n1, n2), Math.max(n1, n2), kc);
  } else {
    const mu = (n1 * n2) / 2;
    const n = n1 + n2;
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    const z = (U - mu - 0.5) / s;
    p = ndtr(-z);
  }
  p *= 2;
  p = Math.min(Math.max(p, 0), 1);
  return { statistic: U1, pValue: p };
}
