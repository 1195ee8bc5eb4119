import gammainc from "@stdlib/math-base-special-gammainc";
import betainc from "@stdlib/math-base-special-betainc";

/**
 * Survival functions of the chi-squared and Student t distributions, via stdlib's ports of Boost's regularised
 * incomplete gamma and beta functions (scipy's chdtrc/stdtr agree with them to a few ulp).
 */

/** scipy.stats.chi2.sf(x, df): the upper regularised incomplete gamma Q(df/2, x/2). NaN for df <= 0 as scipy. */
export function chi2Sf(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return gammainc(x / 2, df / 2, true, true);
}

/**
 * Two-sided p-value of Student's t: 2 * t.sf(|t|, df) = I_{df/(df+t^2)}(df/2, 1/2), computed as the upper tail of
 * I_{t^2/(df+t^2)}(1/2, df/2) so that neither small nor large |t| loses precision.
 */
export function tTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  if (t2 === 0) return 1;
  // x = df/(df+t^2) is computed directly when small, so that I_x(df/2, 1/2) keeps its relative precision
  const x = df / (df + t2);
  if (x < 0.5) return betainc(x, df / 2, 0.5, true, false);
  return betainc(t2 / (df + t2), 0.5, df / 2, true, true);
}
