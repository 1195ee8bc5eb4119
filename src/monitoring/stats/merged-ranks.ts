import { sortedCopy } from "./sorting.js";

/**
 * Walks two sorted samples in merged order, one distinct value at a time: for each value, how many copies each
 * sample holds and the merged position before it. Average ranks (scipy.stats.rankdata 'average') follow as
 * position + (count + 1) / 2. No per-element objects: the callback receives numbers.
 */
export function forEachMergedValue(
  a: Float64Array,
  b: Float64Array,
  visit: (value: number, inA: number, inB: number, before: number, beforeA: number, beforeB: number) => void,
): void {
  const x = sortedCopy(a);
  const y = sortedCopy(b);
  const n = x.length;
  const m = y.length;
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const v = j >= m || (i < n && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    const i0 = i;
    const j0 = j;
    while (i < n && x[i]! === v) i++;
    while (j < m && y[j]! === v) j++;
    visit(v, i - i0, j - j0, i0 + j0, i0, j0);
  }
}
