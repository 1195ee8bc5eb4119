import type { TestResult } from "./types.js";
import { sortedCopy, mergeSorted, CompensatedSum } from "./sorting.js";

const SIG = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];

/** Number of values in sorted s that are < v (side 'left') or <= v (side 'right'), advancing a cursor. */
function countUpTo(s: Float64Array, v: number, from: number, inclusive: boolean): number {
  let i = from;
  while (i < s.length && (inclusive ? s[i]! <= v : s[i]! < v)) i++;
  return i;
}

/** numpy.polyfit(x, y, 2) by Householder QR on the column-scaled Vandermonde matrix, as numpy scales it. */
function polyfit2(x: number[], y: number[]): [number, number, number] {
  const rows = x.length;
  const A = x.map((xi) => [xi * xi, xi, 1]);
  const scale = [0, 1, 2].map((c) => Math.sqrt(A.reduce((s, r) => s + r[c]! * r[c]!, 0)));
  for (const r of A) for (let c = 0; c < 3; c++) r[c]! /= scale[c]!;
  const b = y.slice();
  for (let c = 0; c < 3; c++) {
    let norm = 0;
    for (let r = c; r < rows; r++) norm += A[r]![c]! ** 2;
    norm = Math.sqrt(norm);
    const alpha = A[c]![c]! > 0 ? -norm : norm;
    const v = new Array<number>(rows).fill(0);
    for (let r = c; r < rows; r++) v[r] = A[r]![c]!;
    v[c]! -= alpha;
    const vnorm2 = v.reduce((s, t) => s + t * t, 0);
    if (vnorm2 === 0) continue;
    for (let k = c; k < 3; k++) {
      let dot = 0;
      for (let r = c; r < rows; r++) dot += v[r]! * A[r]![k]!;
      for (let r = c; r < rows; r++) A[r]![k]! -= (2 * dot * v[r]!) / vnorm2;
    }
    let dot = 0;
    for (let r = c; r < rows; r++) dot += v[r]! * b[r]!;
    for (let r = c; r < rows; r++) b[r]! -= (2 * dot * v[r]!) / vnorm2;
  }
  const coef = [0, 0, 0];
  for (let c = 2; c >= 0; c--) {
    let s = b[c]!;
    for (let k = c + 1; k < 3; k++) s -= A[c]![k]! * coef[k]!;
    coef[c] = s / A[c]![c]!;
  }
  return [coef[0]! / scale[0]!, coef[1]! / scale[1]!, coef[2]! / scale[2]!];
}

/**
 * scipy.stats.anderson_ksamp(samples) with the midrank variant (scipy's default): the standardised statistic of
 * Scholz & Stephens (1987) eq. 7 and its p-value by quadratic interpolation of log significance over the critical
 * values, capped at 0.25 and floored at 0.001 as scipy does. Throws when fewer than 2 samples, an empty sample or
 * fewer than 2 distinct values (scipy raises).
 */
export function andersonKsamp(samples: Float64Array[]): TestResult {
  const k = samples.length;
  if (k < 2) throw new RangeError("andersonKsamp: at least two samples are required");
  const sorted = samples.map((s) => sortedCopy(s));
  if (sorted.some((s) => s.length === 0)) throw new RangeError("andersonKsamp: every sample needs observations");
  let Z = sorted[0]!;
  for (let i = 1; i < k; i++) Z = mergeSorted(Z, sorted[i]!);
  const N = Z.length;
  // distinct values with their multiplicities
  const zstarAll = new Float64Array(N);
  const leftAll = new Float64Array(N);
  const multAll = new Float64Array(N);
  let nd = 0;
  for (let i = 0; i < N; ) {
    const v = Z[i]!;
    let j = i;
    while (j < N && Z[j]! === v) j++;
    zstarAll[nd] = v;
    leftAll[nd] = i;
    multAll[nd] = j - i;
    nd++;
    i = j;
  }
  const zstar = zstarAll.subarray(0, nd);
  const left = leftAll.subarray(0, nd);
  const mult = multAll.subarray(0, nd);
  if (zstar.length < 2) throw new RangeError("andersonKsamp: needs more than one distinct observation");
  let A2akN = 0;
  for (let i = 0; i < k; i++) {
    const s = sorted[i]!;
    const ni = s.length;
    const inner = new CompensatedSum();
    let cl = 0;
    let cr = 0;
    for (let j = 0; j < zstar.length; j++) {
      const v = zstar[j]!;
      cl = countUpTo(s, v, cl, false);
      cr = countUpTo(s, v, Math.max(cr, cl), true);
      const fij = cr - cl;
      const Mij = cr - fij / 2;
      const lj = mult[j]!;
      const Bj = left[j]! + lj / 2;
      const num = N * Mij - Bj * ni;
      inner.add(((lj / N) * num * num) / (Bj * (N - Bj) - (N * lj) / 4));
    }
    A2akN += inner.value() / ni;
  }
  A2akN *= (N - 1) / N;
  // scipy fails with N = 2 (an empty harmonic cumsum); with N = 3 it divides 0/0 and returns NaN, as here
  if (N <= 2) throw new RangeError("andersonKsamp: needs at least 3 observations in total");
  let H = 0;
  for (const s of sorted) H += 1 / s.length;
  // hs_cs = cumsum(1 / [N-1, N-2, ..., 2]) sequentially, as numpy's cumsum; g sums hs_cs[i] / (i + 2)
  let hs = 0;
  const gsum = new CompensatedSum();
  let idx = 0;
  for (let d = N - 1; d > 1; d--) {
    hs += 1 / d;
    gsum.add(hs / (idx + 2));
    idx++;
  }
  const h = hs + 1;
  const g = gsum.value();
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  if (sigmasq < 0) throw new RangeError("andersonKsamp: variance of the statistic is negative");
  const m = k - 1;
  const A2 = (A2akN - m) / Math.sqrt(sigmasq);
  const critical = B0.map((b0, i) => b0 + B1[i]! / Math.sqrt(m) + B2[i]! / m);
  let p: number;
  if (A2 < Math.min(...critical)) p = 0.25;
  else if (A2 > Math.max(...critical)) p = 0.001;
  else {
    const [c2, c1, c0] = polyfit2(critical, SIG.map(Math.log));
    p = Math.exp((c2 * A2 + c1) * A2 + c0);
  }
  return { statistic: A2, pValue: p };
}
