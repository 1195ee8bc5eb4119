/**
 * numpy's `histogram_bin_edges(a, bins="sturges")`, reproduced operation by operation so that the edges (and so the
 * counts) are the ones Evidently's get_binned_data gets: width = ptp / (log2(n) + 1), ceil(ptp / width) equal bins,
 * edges from linspace (i * step + start, the last one set to stop); a zero range widens to [v - 0.5, v + 0.5].
 */
export const sturgesEdges = (min: number, max: number, size: number): number[] => {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const ptp = max - min;
  const width = size > 0 ? ptp / (Math.log2(size) + 1) : 0;
  const bins = width !== 0 ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, bins + 1);
};

/** numpy.linspace(start, stop, num, endpoint=True). */
export const linspace = (start: number, stop: number, num: number): number[] => {
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  const edges: number[] = [];
  for (let i = 0; i < num; i += 1) edges.push(step === 0 ? ((i / div) * delta) + start : i * step + start);
  edges[num - 1] = stop;
  return edges;
};
