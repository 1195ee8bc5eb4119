/**
 * uPlot draws series that share one x array ("aligned data"). Series logged at different steps or times are merged
 * onto the sorted union of their x values, with null where a series has no point (spanGaps joins the line across).
 * Each input must be sorted by x (points with a non-finite x are left out); of several points at one x the last one wins, as the newest value would.
 */
export type AlignedData = [xs: number[], ...ys: (number | null)[][]];

export const alignSeries = (series: readonly { xs: readonly number[]; ys: readonly (number | null)[] }[]): AlignedData => {
  const all: number[] = [];
  for (const one of series) for (const x of one.xs) if (Number.isFinite(x)) all.push(x);
  const sorted = Float64Array.from(all).sort();
  const xs: number[] = [];
  for (let i = 0; i < sorted.length; i += 1) {
    const x = sorted[i] as number;
    if (i === 0 || x !== sorted[i - 1]) xs.push(x);
  }
  const columns = series.map((one) => {
    const column: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    let at = 0;
    for (let i = 0; i < one.xs.length; i += 1) {
      const x = one.xs[i] as number;
      if (!Number.isFinite(x)) continue;
      while (xs[at] !== x) at += 1;
      column[at] = one.ys[i] ?? null;
    }
    return column;
  });
  return [xs, ...columns];
};
