/**
 * numpy.histogram's binning as a DuckDB expression: equal-width bins from `first` to `last`, the index computed
 * as numpy does (floor((x - first) / (last - first) * bins), then moved one down or up where x falls on the other side of the edge
 * linspace() put there), the last bin closed. `first`, `last`, `width` (last - first) and `step` are bound parameters ($n).
 */
export interface BinParams {
  first: string;
  last: string;
  width: string;
  step: string;
}

export const binExpression = (x: string, bins: number, p: BinParams): string => {
  const top = bins - 1;
  const edge = (i: string) => `(CASE WHEN ${i} >= ${bins} THEN ${p.last} ELSE ${p.first} + (${i}) * ${p.step} END)`;
  const i0 = `LEAST(${top}, CAST(floor((${x} - ${p.first}) / ${p.width} * ${bins}) AS BIGINT))`;
  return `(${i0} - (CASE WHEN ${x} < ${edge(i0)} THEN 1 ELSE 0 END) + (CASE WHEN ${i0} < ${top} AND ${x} >= ${edge(`${i0} + 1`)} THEN 1 ELSE 0 END))`;
};

/** The range numpy uses: min..max, or min - 0.5..max + 0.5 when they are equal. */
export const histogramRange = (min: number, max: number): { first: number; last: number } =>
  min === max ? { first: min - 0.5, last: max + 0.5 } : { first: min, last: max };

/** numpy.linspace(first, last, bins + 1): first + i * step, the last edge exactly `last`. */
export const histogramEdges = (first: number, last: number, bins: number): number[] => {
  const step = (last - first) / bins;
  const edges: number[] = [];
  for (let i = 0; i < bins; i += 1) edges.push(i * step + first);
  edges.push(last);
  return edges;
};
