/**
 * scipy.special.smirnov(n, x): the one-sided Kolmogorov-Smirnov tail Pr(D+_n >= x), by the Birnbaum-Tingey sum
 *   x * sum_{j=0}^{floor(n(1-x))} C(n,j) (1-x-j/n)^(n-j) (x+j/n)^(j-1),
 * each term formed in log space (the binomial by a running sum of logs) so that large n neither overflows nor
 * underflows. xsf evaluates the same sum in double-double; for the n and x that kstwo.sf sends here the two agree
 * to ~1e-12 relative (see the fixtures).
 */
import { CompensatedSum } from "../sorting.js";

export function smirnovSf(n: number, x: number): number {
  if (!(n > 0) || !(x >= 0 && x <= 1)) return NaN;
  if (n === 1) return x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  // xsf: beyond a million the sum is not evaluated; scipy returns the approximation exp(-(6nx+1)^2 / 18n)
  if (n > 1000000) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return logp < -Math.LN2 ? Math.exp(logp) : 1 - -Math.expm1(logp);
  }
  const jmax = Math.floor(n * (1 - x));
  // log C(n, j) as a compensated running sum of log(n-j+1) - log(j): a plain running sum drifts by ~1e-8 at n = 5e5
  const logC = new CompensatedSum();
  let sum = 0;
  let comp = 0;
  for (let j = 0; j <= jmax; j++) {
    if (j > 0) {
      logC.add(Math.log(n - j + 1));
      logC.add(-Math.log(j));
    }
    const a = 1 - x - j / n;
    if (a <= 0) break;
    const b = x + j / n;
    const lt = logC.value() + (n - j) * Math.log(a) + (j - 1) * Math.log(b);
    const term = Math.exp(lt);
    // Neumaier summation: the terms vary over many orders of magnitude
    const s = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - s + term : term - s + sum;
    sum = s;
  }
  const r = x * (sum + comp);
  return r < 0 ? 0 : r > 1 ? 1 : r;
}
