/** Sorted copies and compensated sums shared by the tests; numeric typed-array sorts, no per-element objects. */

/** A sorted copy (ascending; NaN last, as Float64Array.prototype.sort orders them). */
export function sortedCopy(a: Float64Array): Float64Array {
  const s = Float64Array.from(a);
  s.sort();
  return s;
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
