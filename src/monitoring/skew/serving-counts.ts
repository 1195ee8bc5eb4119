import { quoteIdentifier, type Dataset, type SqlValue } from "../../validation/dataset.js";

/**
 * Serving-side counts for skew, computed in DuckDB so that a large window never comes into JavaScript.
 *
 * Numeric: the values bucketed on the profile's edges (bound parameters, never interpolated), plus a bucket below
 * the first edge, one above the last and one for NaN. These extra buckets have a reference count of 0: TFDV, which
 * rebuckets both histograms on the union of their boundaries, likewise gives serving mass outside the training
 * range a training count of 0 (and adds a NaN bucket when either side has NaN). Nulls are missing values, not counted.
 */
export interface NumericServingCounts {
  /** One per profile bin. */
  bins: number[];
  below: number;
  above: number;
  nan: number;
}

const toNumber = (value: SqlValue | undefined): number => (typeof value === "bigint" ? Number(value) : Number(value ?? 0));

export const numericServingCounts = async (dataset: Dataset, column: string, edges: readonly number[]): Promise<NumericServingCounts> => {
  const k = edges.length - 1;
  const v = `CAST(${quoteIdentifier(column)} AS DOUBLE)`;
  const params: SqlValue[] = [];
  const bind = (value: number): string => {
    params.push(value);
    return `$${params.length}::DOUBLE`;
  };
  // Bucket -2 = NaN, -1 = below, k = above; bin i holds edges[i] <= v < edges[i+1], the last bin also v = edges[k].
  const cases = [`WHEN isnan(${v}) THEN -2`, `WHEN ${v} < ${bind(edges[0] as number)} THEN -1`];
  for (let i = 1; i < k; i += 1) cases.push(`WHEN ${v} < ${bind(edges[i] as number)} THEN ${i - 1}`);
  cases.push(`WHEN ${v} <= ${bind(edges[k] as number)} THEN ${k - 1}`);
  const sql = `SELECT CASE ${cases.join(" ")} ELSE ${k} END AS bucket, count(*) AS n
    FROM data WHERE ${quoteIdentifier(column)} IS NOT NULL GROUP BY 1`;
  const counts: NumericServingCounts = { bins: new Array<number>(k).fill(0), below: 0, above: 0, nan: 0 };
  for (const row of await dataset.query(sql, params)) {
    const bucket = toNumber(row.bucket);
    const n = toNumber(row.n);
    if (bucket === -2) counts.nan += n;
    else if (bucket === -1) counts.below += n;
    else if (bucket === k) counts.above += n;
    else counts.bins[bucket] = n;
  }
  return counts;
};

/** Non-null values of a column as text, with their counts. */
export const categoryServingCounts = async (dataset: Dataset, column: string): Promise<Map<string, number>> => {
  const c = quoteIdentifier(column);
  const rows = await dataset.query(`SELECT CAST(${c} AS VARCHAR) AS value, count(*) AS n FROM data WHERE ${c} IS NOT NULL GROUP BY 1`);
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(String(row.value), toNumber(row.n));
  return counts;
};

/**
 * The reference and current cells with the serving-only buckets appended (below, above, NaN), each with a reference
 * count of 0 and only when used, so that in-range data gives exactly the cells of the profile's bins.
 */
export const withOutOfRangeCells = (
  reference: readonly number[],
  current: readonly number[],
  extra: Pick<NumericServingCounts, "below" | "above" | "nan">,
): { reference: number[]; current: number[] } => {
  const ref = [...reference];
  const cur = [...current];
  for (const count of [extra.below, extra.above, extra.nan]) {
    if (count > 0) {
      ref.push(0);
      cur.push(count);
    }
  }
  return { reference: ref, current: cur };
};
