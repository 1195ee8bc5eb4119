import type { TestResult } from "./types.js";
import { sortedCopy } from "./sorting.js";
import { kstwoSf } from "./special/kolmogorov-n.js";
import { outerProbInsideMethod, probOutsideSquare } from "./special/ks-two-sample-exact.js";
import { roundHalfEven } from "./rounding.js";

/** scipy's MAX_AUTO_N: method="auto" is exact when both samples have at most this many values. */
const MAX_AUTO_N = 10000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * scipy.stats.ks_2samp(a, b) two-sided with method="auto": exact when max(n1, n2) <= 10000, else kstwo.sf(d, round(
 * n1*n2/(n1+n2))). In the exact branch the statistic is snapped to h/lcm(n1, n2) as scipy does. NaN must be
 * removed by the caller; empty samples throw (scipy raises).
 */
export function ks2samp(a: Float64Array, b: Float64Array): TestResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("ks2samp: both samples must be non-empty");
  const x = sortedCopy(a);
  const y = sortedCopy(b);
  // Walk the merged order; after each distinct value the ECDF difference is i/n1 - j/n2 (searchsorted 'right').
  let i = 0;
  let j = 0;
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    while (i < n1 && x[i]! === v) i++;
    while (j < n2 && y[j]! === v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  let d = minS > maxDiff ? minS : maxDiff;
  let prob = NaN;
  let exact = Math.max(n1, n2) <= MAX_AUTO_N;
  if (exact) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) prob = 1;
    else {
      prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
      if (!(prob >= 0 && prob <= 1) || !Number.isFinite(prob)) exact = false;
    }
  }
  if (!exact) {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    prob = kstwoSf(d, roundHalfEven(en));
  }
  prob = Math.min(Math.max(prob, 0), 1);
  return { statistic: d, pValue: prob };
}
