import type { TestResult } from "./types.js";

/**
 * Hypergeometric probabilities of the top-left cell over its whole support, relative to the mode and then
 * normalised: each step multiplies by the exact pmf ratio, so no factorials overflow and every term keeps ~1e-14
 * relative precision (Boost, behind scipy.stats.hypergeom, is exact to a few ulp).
 */
function hypergeomPmfs(N: number, K: number, n: number): { lo: number; pmf: Float64Array } {
  const lo = Math.max(0, n - (N - K));
  const hi = Math.min(n, K);
  const size = hi - lo + 1;
  const w = new Float64Array(size);
  // mode of the hypergeometric
  const mode = Math.min(Math.max(Math.floor(((n + 1) * (K + 1)) / (N + 2)), lo), hi);
  w[mode - lo] = 1;
  for (let x = mode; x < hi; x++) {
    w[x + 1 - lo] = (w[x - lo]! * ((K - x) * (n - x))) / ((x + 1) * (N - K - n + x + 1));
  }
  for (let x = mode; x > lo; x--) {
    w[x - 1 - lo] = (w[x - lo]! * (x * (N - K - n + x))) / ((K - x + 1) * (n - x + 1));
  }
  // normalise, summing from the small end so the small terms are not lost
  let total = 0;
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => w[a]! - w[b]!);
  for (const i of order) total += w[i]!;
  for (let i = 0; i < size; i++) w[i]! /= total;
  return { lo, pmf: w };
}

/**
 * scipy.stats.fisher_exact(table) two-sided: the statistic is the sample odds ratio (a*d)/(b*c) (Infinity when
 * b*c = 0, NaN with p 1 when a row or column sums to 0); the p-value sums the tables no more probable than the
 * observed one, with scipy's relative tolerance 1 + 1e-14.
 */
export function fisherExact(table: [[number, number], [number, number]]): TestResult {
  const [[a, b], [c, d]] = table;
  for (const v of [a, b, c, d]) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError("fisherExact: table cells must be non-negative integers");
  }
  if (a + b === 0 || c + d === 0 || a + c === 0 || b + d === 0) return { statistic: NaN, pValue: 1 };
  const oddsratio = c > 0 && b > 0 ? (a * d) / (c * b) : Infinity;
  const n1 = a + b;
  const n2 = c + d;
  const n = a + c;
  const N = n1 + n2;
  const { lo, pmf } = hypergeomPmfs(N, n1, n);
  const at = (x: number): number => (x - lo >= 0 && x - lo < pmf.length ? pmf[x - lo]! : 0);
  const mode = Math.trunc(((n + 1) * (n1 + 1)) / (n1 + n2 + 2));
  const pexact = at(a);
  const pmode = at(mode);
  const epsilon = 1e-14;
  const gamma = 1 + epsilon;
  if (Math.abs(pexact - pmode) / Math.max(pexact, pmode) <= epsilon) return { statistic: oddsratio, pValue: 1 };
  const sumRange = (from: number, to: number): number => {
    // sum from the tail inwards (smallest terms first)
    let s = 0;
    if (from > to) return 0;
    if (at(from) <= at(to)) for (let x = from; x <= to; x++) s += at(x);
    else for (let x = to; x >= from; x--) s += at(x);
    return s;
  };
  const hi = lo + pmf.length - 1;
  let pvalue: number;
  if (a < mode) {
    const plower = sumRange(lo, a);
    if (at(n) > pexact * gamma) return { statistic: oddsratio, pValue: plower };
    // largest x in [mode, n] with pmf(x) >= pexact * gamma; add the tail beyond it
    let guess = mode;
    while (guess + 1 <= hi && at(guess + 1) >= pexact * gamma) guess++;
    pvalue = plower + sumRange(guess + 1, hi);
  } else {
    const pupper = sumRange(a, hi);
    if (at(0) > pexact * gamma) return { statistic: oddsratio, pValue: pupper };
    // largest x in [0, mode] with pmf(x) <= pexact * gamma
    let guess = mode;
    while (guess >= lo && at(guess) > pexact * gamma) guess--;
    pvalue = pupper + sumRange(lo, guess);
  }
  return { statistic: oddsratio, pValue: Math.min(pvalue, 1) };
}
