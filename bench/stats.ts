/** The nearest-rank percentile of ascending `sorted` values (NaN for none), as every benchmark reports p50/p99. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
