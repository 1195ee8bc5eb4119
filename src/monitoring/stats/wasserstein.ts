import { sortedCopy, CompensatedSum } from "./sorting.js";

/**
 * The L^p distance between the two empirical CDFs, scipy.stats._stats_py._cdf_distance for unweighted samples:
 * sum over consecutive merged values of |F_u - F_v|^p * gap, where F counts values <= the left end of the gap.
 * One merge walk over the sorted samples, O(n log n) in the sorts.
 */
export function cdfDistanceSum(a: Float64Array, b: Float64Array, p: 1 | 2): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new RangeError("distance: both samples must be non-empty");
  const u = sortedCopy(a);
  const v = sortedCopy(b);
  let i = 0;
  let j = 0;
  const acc = new CompensatedSum();
  let prev = NaN;
  let first = true;
  while (i < n || j < m) {
    const x = j >= m || (i < n && u[i]! <= v[j]!) ? u[i]! : v[j]!;
    if (!first && x !== prev) {
      // gap (prev, x): the CDFs count values <= prev, i.e. what has been consumed so far
      const diff = Math.abs(i / n - j / m);
      acc.add((p === 1 ? diff : diff * diff) * (x - prev));
    }
    while (i < n && u[i]! === x) i++;
    while (j < m && v[j]! === x) j++;
    prev = x;
    first = false;
  }
  return acc.value();
}

/** scipy.stats.wasserstein_distance(a, b): the first Wasserstein distance between the empirical distributions. */
export function wassersteinDistance(a: Float64Array, b: Float64Array): number {
  return cdfDistanceSum(a, b, 1);
}
