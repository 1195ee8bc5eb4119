import erfc from "@stdlib/math-base-special-erfc";

/**
 * Standard normal CDF, arranged as Cephes/xsf `ndtr` (what scipy.special.ndtr and scipy.stats.norm.cdf call):
 * erf near zero, erfc in the tails so the small side keeps full relative precision.
 * erf(t) for |t| < 1/sqrt(2) is taken as 1 - erfc(t): the result sits in [0.24, 0.76] so the absolute error is ~1 ulp.
 */
export function ndtr(a: number): number {
  if (Number.isNaN(a)) return NaN;
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * (1 - erfc(x));
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}
