/**
 * Distances between two discrete distributions given as per-bin (or per-category) shares or counts, aligned by
 * index. Binning is the caller's job (Evidently's get_binned_data: Sturges bins over both samples for numeric
 * columns with more than 20 distinct reference values, categories otherwise).
 */
import { CompensatedSum } from "./sorting.js";

function checkAligned(name: string, p: number[], q: number[]): void {
  if (p.length !== q.length) throw new RangeError(`${name}: p has ${p.length} bins, q has ${q.length}`);
  if (p.length === 0) throw new RangeError(`${name}: at least one bin is required`);
}

function total(p: number[]): number {
  const s = new CompensatedSum();
  for (const v of p) s.add(v);
  return s.value();
}

/** x*log(x/y) with scipy.special.rel_entr's conventions: 0 when x = 0, +Infinity when y = 0 < x. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * scipy.spatial.distance.jensenshannon(p, q, base): sqrt((KL(p||m) + KL(q||m)) / 2) with m = (p+q)/2 after
 * normalising p and q to sum 1; natural log unless base is given. Evidently calls it with base None (natural log)
 * on shares without the zero fill.
 */
export function jensenShannonDistance(p: number[], q: number[], base?: number): number {
  checkAligned("jensenShannonDistance", p, q);
  const sp = total(p);
  const sq = total(q);
  const left = new CompensatedSum();
  const right = new CompensatedSum();
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const mi = (pi + qi) / 2;
    left.add(relEntr(pi, mi));
    right.add(relEntr(qi, mi));
  }
  let js = left.value() + right.value();
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js / 2);
}

/**
 * Evidently's zero fill (get_binned_data(feel_zeroes=True)): zero shares become 0.0001, or the smallest non-zero
 * share / 1e6 when that share is itself <= 0.0001. Applied to each side separately.
 */
export function fillZeroShares(shares: number[]): number[] {
  let min = Infinity;
  for (const v of shares) if (v !== 0 && v < min) min = v;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  return shares.map((v) => (v === 0 ? fill : v));
}

/** Evidently's PSI: sum (ref - cur) * ln(ref / cur) over shares after fillZeroShares on each side. */
export function psi(refShares: number[], curShares: number[]): number {
  checkAligned("psi", refShares, curShares);
  const r = fillZeroShares(refShares);
  const c = fillZeroShares(curShares);
  const s = new CompensatedSum();
  for (let i = 0; i < r.length; i++) s.add((r[i]! - c[i]!) * Math.log(r[i]! / c[i]!));
  return s.value();
}

/**
 * Evidently's kl_div: scipy.stats.entropy(ref, cur) = sum ref' * ln(ref'/cur') with both normalised to sum 1,
 * after fillZeroShares on each side (so it stays finite).
 */
export function klDivergence(p: number[], q: number[]): number {
  checkAligned("klDivergence", p, q);
  const a = fillZeroShares(p);
  const b = fillZeroShares(q);
  const sa = total(a);
  const sb = total(b);
  const s = new CompensatedSum();
  for (let i = 0; i < a.length; i++) s.add(relEntr(a[i]! / sa, b[i]! / sb));
  return s.value();
}

/**
 * Evidently's Hellinger distance: sqrt(1 - clip(sum sqrt(p_i q_i), 0, 1)) over shares (for numeric columns
 * Evidently multiplies densities by the common bin width, which is the share).
 */
export function hellingerDistance(p: number[], q: number[]): number {
  checkAligned("hellingerDistance", p, q);
  let bc = 0;
  for (let i = 0; i < p.length; i++) bc += Math.sqrt(p[i]! * q[i]!);
  bc = Math.min(Math.max(bc, 0), 1);
  return Math.sqrt(1 - bc);
}

/** Total variation distance 0.5 * sum |p/sum(p) - q/sum(q)| (Evidently's _total_variation_distance on counts). */
export function totalVariationDistance(p: number[], q: number[]): number {
  checkAligned("totalVariationDistance", p, q);
  const sp = total(p);
  const sq = total(q);
  const s = new CompensatedSum();
  for (let i = 0; i < p.length; i++) s.add(Math.abs(p[i]! / sp - q[i]! / sq));
  return 0.5 * s.value();
}
