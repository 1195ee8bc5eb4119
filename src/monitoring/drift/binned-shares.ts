/**
 * Evidently's get_binned_data (stattests/utils.py), with the counting done in DuckDB: for a numeric column with more
 * than 20 distinct reference values, the shares of a Sturges histogram over reference and current together; for
 * anything else, the shares of each value over the union of the values of both sides. With `fillZeroes` (PSI and KL)
 * an empty bin gets the smallest non-zero share / 10^6 when that share is <= 0.0001, else 0.0001, as Evidently does.
 */
import type { Dataset } from "../../validation/dataset.js";
import { categoryCounts, histogramCounts, type CategoryKey, type ColumnSummary } from "./column-data.js";
import { sturgesEdges } from "./histogram-edges.js";
import type { DriftColumnType } from "./methods.js";

export interface Side {
  dataset: Dataset;
  summary: ColumnSummary;
  /** Every finite value of the column, ascending, when they were read already (the summary was computed from them). */
  values?: Float64Array;
}

export interface SharedShares {
  reference: number[];
  current: number[];
  /** Bin edges (numeric histogram) or the categories, in the order of the shares. */
  bins: { edges: number[] } | { categories: CategoryKey[] };
}

export interface AlignedCounts {
  categories: CategoryKey[];
  reference: number[];
  current: number[];
}

/** Counts of each value over the union of both sides' values (reference's first, then current's new ones). */
export const alignedCategoryCounts = async (column: string, type: DriftColumnType, reference: Side, current: Side): Promise<AlignedCounts> => {
  const [ref, cur] = await Promise.all([
    categoryCounts(reference.dataset, column, type),
    categoryCounts(current.dataset, column, type),
  ]);
  const categories = [...new Set<CategoryKey>([...ref.keys(), ...cur.keys()])];
  return {
    categories,
    reference: categories.map((key) => ref.get(key) ?? 0),
    current: categories.map((key) => cur.get(key) ?? 0),
  };
};

export const binnedShares = async (
  column: string,
  type: DriftColumnType,
  reference: Side,
  current: Side,
  fillZeroes: boolean,
): Promise<SharedShares> => {
  const n = reference.summary.count;
  const m = current.summary.count;
  let result: SharedShares;
  if (type === "num" && reference.summary.distinct > 20) {
    const min = Math.min(reference.summary.min ?? 0, current.summary.min ?? 0);
    const max = Math.max(reference.summary.max ?? 0, current.summary.max ?? 0);
    const edges = sturgesEdges(min, max, n + m);
    const [ref, cur] = await Promise.all([
      histogramCounts(reference.dataset, column, edges),
      histogramCounts(current.dataset, column, edges),
    ]);
    result = { reference: ref.map((c) => c / n), current: cur.map((c) => c / m), bins: { edges } };
  } else {
    const counts = await alignedCategoryCounts(column, type, reference, current);
    result = {
      reference: counts.reference.map((c) => c / n),
      current: counts.current.map((c) => c / m),
      bins: { categories: counts.categories },
    };
  }
  if (fillZeroes) {
    result.reference = fillZeroShares(result.reference);
    result.current = fillZeroShares(result.current);
  }
  return result;
};

export const fillZeroShares = (shares: readonly number[]): number[] => {
  let smallest = Infinity;
  for (const share of shares) if (share !== 0 && share < smallest) smallest = share;
  if (smallest === Infinity) return [...shares];
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  return shares.map((share) => (share === 0 ? fill : share));
};
