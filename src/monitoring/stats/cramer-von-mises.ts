import type { TestResult } from "./types.js";
import gammaln from "@stdlib/math-base-special-gammaln";
import { forEachMergedValue } from "./merged-ranks.js";
import { CompensatedSum } from "./sorting.js";

/**
 * Modified Bessel function K_nu(q), q > 0, by the trapezoidal rule on K_nu(q) = int_0^inf exp(-q cosh t) cosh(nu t) dt;
 * the integrand is analytic in a strip, so the rule converges geometrically (step 1/16 gives full double precision).
 */
function besselK(nu: number, q: number): number {
  const h = 1 / 16;
  let s = 0.5 * Math.exp(-q);
  for (let i = 1; ; i++) {
    const t = i * h;
    const f = Math.exp(-q * Math.cosh(t)) * Math.cosh(nu * t);
    s += f;
    if (f < s * 1e-18) break;
  }
  return s * h;
}

/** scipy.stats._hypotests._cdf_cvm_inf: the limiting Cramer-von Mises CDF, series stopped at a term below 1e-7. */
function cdfCvmInf(x: number): number {
  let tot = 0;
  for (let k = 0; ; k++) {
    const u = Math.exp(gammaln(k + 0.5) - gammaln(k + 1)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = (y * y) / (16 * x);
    const z = u * Math.sqrt(y) * Math.exp(-q) * besselK(0.25, q);
    tot += z;
    if (!(Math.abs(z) >= 1e-7)) break;
  }
  return tot;
}

/** Python's float floor division a // b. */
function floorDiv(a: number, b: number): number {
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod && b < 0 !== mod < 0) div -= 1;
  let fl = Math.floor(div);
  if (div - fl > 0.5) fl += 1;
  return fl;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** scipy's _pval_cvm_2samp_exact: the exact distribution of the statistic by dynamic programming (m, n <= 20). */
function pvalExact(s: number, m: number, n: number): number {
  const lcm = (m / gcd(m, n)) * n;
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = floorDiv(lcm ** 2 * (m + n) * (6 * s - mn * (4 * mn - 1)), 6 * mn ** 2);
  let combinations = 1;
  for (let i = 1; i <= m; i++) combinations = (combinations * (n + i)) / i;
  combinations = Math.round(combinations);
  let gs: Map<number, number>[] = [new Map([[0, 1]])];
  for (let v = 0; v < m; v++) gs.push(new Map());
  for (let u = 0; u <= n; u++) {
    const next: Map<number, number>[] = [];
    let tmp = new Map<number, number>();
    for (let v = 0; v < gs.length; v++) {
      const merged = new Map(tmp);
      for (const [val, f] of gs[v]!) merged.set(val, (merged.get(val) ?? 0) + f);
      const res = (a * v - b * u) ** 2;
      tmp = new Map();
      for (const [val, f] of merged) tmp.set(val + res, f);
      next.push(tmp);
    }
    gs = next;
  }
  let count = 0;
  for (const [val, f] of gs[m]!) if (val >= zeta) count += f;
  return count / combinations;
}

/**
 * scipy.stats.cramervonmises_2samp(a, b) with method="auto": exact when both samples have at most 20 values,
 * the asymptotic distribution (Anderson 1962) otherwise. Each sample needs at least 2 values (scipy raises).
 */
export function cramerVonMises2samp(a: Float64Array, b: Float64Array): TestResult {
  const nx = a.length;
  const ny = b.length;
  if (nx <= 1 || ny <= 1) throw new RangeError("cramerVonMises2samp: each sample needs at least two observations");
  const sx = new CompensatedSum();
  const sy = new CompensatedSum();
  forEachMergedValue(a, b, (_v, inA, inB, before, beforeA, beforeB) => {
    const rank = before + (inA + inB + 1) / 2;
    for (let t = 0; t < inA; t++) sx.add((rank - (beforeA + t + 1)) ** 2);
    for (let t = 0; t < inB; t++) sy.add((rank - (beforeB + t + 1)) ** 2);
  });
  const u = nx * sx.value() + ny * sy.value();
  const k = nx * ny;
  const N = nx + ny;
  const t = u / (k * N) - (4 * k - 1) / (6 * N);
  let p: number;
  if (Math.max(nx, ny) <= 20) p = pvalExact(u, nx, ny);
  else {
    const et = (1 + 1 / N) / 6;
    let vt = (N + 1) * (4 * k * N - 3 * (nx ** 2 + ny ** 2) - 2 * k);
    vt = vt / (45 * N ** 2 * 4 * k);
    const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt);
    p = tn >= 0.003 ? Math.max(1 - cdfCvmInf(tn), 0) : 1;
  }
  return { statistic: t, pValue: p };
}
