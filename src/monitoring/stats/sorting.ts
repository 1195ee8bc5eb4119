/** Sorted copies and compensated sums shared by the tests; numeric typed-array sorts, no per-element objects. */

/** True when a is in ascending order (an O(n) check that lets callers sort a column once for several tests). */
export function isSortedAscending(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (!(a[i - 1]! <= a[i]!)) return false;
  return true;
}

/**
 * The values in ascending order. Input already sorted is returned as is (never mutated), so a caller running
 * several tests on one column should sort it once (e.g. with this function) and pass the sorted array.
 */
export function sortedCopy(a: Float64Array): Float64Array {
  if (isSortedAscending(a)) return a;
  const s = Float64Array.from(a);
  s.sort();
  return s;
}

/** Merge of two ascending arrays into one ascending array. */
export function mergeSorted(x: Float64Array, y: Float64Array): Float64Array {
  const out = new Float64Array(x.length + y.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < x.length && j < y.length) out[k++] = x[i]! <= y[j]! ? x[i++]! : y[j++]!;
  while (i < x.length) out[k++] = x[i++]!;
  while (j < y.length) out[k++] = y[j++]!;
  return out;
}

/**
 * Neumaier-compensated sum: numpy sums pairwise, which is within a few ulp of the exact sum; a compensated sum is
 * too, so both land on (nearly) the same double even for millions of terms.
 */
export class CompensatedSum {
  private sum = 0;
  private comp = 0;
  add(v: number): void {
    const t = this.sum + v;
    if (Math.abs(this.sum) >= Math.abs(v)) this.comp += this.sum - t + v;
    else this.comp += v - t + this.sum;
    this.sum = t;
  }
  value(): number {
    // an infinite term makes the compensation NaN (Inf - Inf); the sum itself is then the answer
    if (!Number.isFinite(this.sum)) return this.sum;
    return this.sum + this.comp;
  }
}

export function sum(a: ArrayLike<number>): number {
  const s = new CompensatedSum();
  for (let i = 0; i < a.length; i++) s.add(a[i]!);
  return s.value();
}
