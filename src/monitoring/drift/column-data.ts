/**
 * What drift reads from one side (reference or current) of one column, each as one DuckDB query so that counting
 * runs in the engine: the summary (non-missing count, distinct count, range, population std), category frequencies
 * (GROUP BY), histogram counts over given edges, and, only for tests that need them, the raw values (a seeded
 * uniform sample past a limit). Missing values are dropped as Evidently drops them: NULL, and for numbers also NaN
 * and +-infinity.
 */
import { quoteIdentifier, type Dataset, type SqlValue } from "../../validation/dataset.js";
import type { DriftColumnType } from "./methods.js";
import { sortedCopy } from "../stats/sorting.js";

export interface ColumnSummary {
  /** Non-missing values. */
  count: number;
  /** Rows of the dataset, missing included. */
  rows: number;
  /**
   * Distinct non-missing values: exact up to EXACT_DISTINCT_LIMIT (dataset-summary.ts), above it an estimate, which
   * is only ever compared with thresholds far below that limit.
   */
  distinct: number;
  min: number | null;
  max: number | null;
  /** Population standard deviation (numpy's np.std, ddof = 0). */
  std: number | null;
}

/** A category (or, for a numeric column counted by value, a number) and how often it occurs. */
export type CategoryKey = string | number;

const valuesRelation = (column: string, type: DriftColumnType): string => {
  const q = quoteIdentifier(column);
  return type === "num"
    ? `SELECT CAST(${q} AS DOUBLE) AS v FROM data WHERE ${q} IS NOT NULL AND isfinite(CAST(${q} AS DOUBLE))`
    : `SELECT CAST(${q} AS VARCHAR) AS v FROM data WHERE ${q} IS NOT NULL`;
};

const num = (value: SqlValue | undefined): number | null => (value === null || value === undefined ? null : Number(value));

export const summarizeColumn = async (dataset: Dataset, column: string, type: DriftColumnType): Promise<ColumnSummary> => {
  const stats = type === "num" ? "min(v) AS lo, max(v) AS hi, stddev_pop(v) AS sd" : "NULL AS lo, NULL AS hi, NULL AS sd";
  const [row] = await dataset.query(`SELECT count(v) AS n, count(DISTINCT v) AS d, ${stats} FROM (${valuesRelation(column, type)})`);
  return {
    count: num(row?.n) ?? 0,
    rows: await dataset.rowCount(),
    distinct: num(row?.d) ?? 0,
    min: num(row?.lo),
    max: num(row?.hi),
    std: num(row?.sd),
  };
};

/** Up to `limit` distinct values (all without one), to count the distinct values of both sides together. */
export const distinctValues = async (dataset: Dataset, column: string, type: DriftColumnType, limit?: number): Promise<CategoryKey[]> => {
  const cap = limit === undefined ? "" : ` LIMIT ${Math.trunc(limit)}`;
  const rows = await dataset.query(`SELECT DISTINCT v FROM (${valuesRelation(column, type)})${cap}`);
  return rows.map((row) => toKey(row.v, type));
};

export const categoryCounts = async (dataset: Dataset, column: string, type: DriftColumnType): Promise<Map<CategoryKey, number>> => {
  const rows = await dataset.query(`SELECT v, count(*) AS c FROM (${valuesRelation(column, type)}) GROUP BY v`);
  return new Map(rows.map((row) => [toKey(row.v, type), Number(row.c)]));
};

const toKey = (value: SqlValue | undefined, type: DriftColumnType): CategoryKey => (type === "num" ? Number(value) : String(value));

/** A double as a DuckDB literal that parses back to the same double (JS prints the shortest round-trip form). */
const doubleLiteral = (value: number): string => `CAST('${String(value)}' AS DOUBLE)`;

/**
 * Counts per bin as numpy.histogram counts them: bin i holds edges[i] <= v < edges[i+1], the last bin also its right
 * edge. The engine guesses the bin arithmetically and corrects the guess against the exact edges, so values on an
 * edge land where numpy puts them.
 */
export const histogramCounts = async (dataset: Dataset, column: string, edges: readonly number[]): Promise<number[]> => {
  const bins = edges.length - 1;
  const first = edges[0] ?? 0;
  const step = ((edges[bins] ?? 0) - first) / bins;
  const list = `[${edges.map(doubleLiteral).join(", ")}]`;
  const guess = `least(greatest(CAST(floor((v - ${doubleLiteral(first)}) / ${doubleLiteral(step)}) AS BIGINT), 0), ${bins - 1})`;
  const sql = `SELECT bin, count(*) AS c FROM (
      SELECT CASE WHEN v < e[k + 1] THEN k - 1 WHEN k < ${bins - 1} AND v >= e[k + 2] THEN k + 1 ELSE k END AS bin
      FROM (SELECT v, e, ${guess} AS k FROM (SELECT v, ${list} AS e FROM (${valuesRelation(column, "num")})))
    ) GROUP BY bin`;
  const counts = new Array<number>(bins).fill(0);
  for (const row of await dataset.query(sql)) {
    const bin = Math.min(Math.max(Number(row.bin), 0), bins - 1);
    counts[bin] = (counts[bin] ?? 0) + Number(row.c);
  }
  return counts;
};

export interface RawValues {
  values: Float64Array;
  /** Set when a sample was taken: how many of how many non-missing values. */
  sampledFrom?: number;
}

/** Finite values only, in the order given (NaN and +-infinity are missing values for drift). */
export const finiteOnly = (values: Float64Array): Float64Array => {
  let finite = 0;
  for (const value of values) if (Number.isFinite(value)) finite += 1;
  return finite === values.length ? values : values.filter((value) => Number.isFinite(value));
};

/**
 * The finite values of a numeric column in ascending order (sorted once by the engine, so every test skips its own sort);
 * past `limit` a uniform sample of `limit` (seeded, so repeatable).
 */
export const rawValues = async (dataset: Dataset, column: string, count: number, limit: number, seed: number): Promise<RawValues> => {
  const sample = count > limit;
  const values = sortedCopy(finiteOnly(await dataset.numericValues(column, sample ? { limit, seed, sorted: true } : { sorted: true })));
  return sample ? { values, sampledFrom: count } : { values };
};

/**
 * The summary of a column from all its finite values, sorted: what the summary query computes, without a scan of
 * its own when the values are read anyway. distinct counts -0 and +0 as one value, as DuckDB does.
 */
export const summaryOfSorted = (values: Float64Array, rows: number): ColumnSummary => {
  const n = values.length;
  if (n === 0) return { count: 0, rows, distinct: 0, min: null, max: null, std: null };
  let distinct = 1;
  for (let i = 1; i < n; i += 1) if (values[i] !== values[i - 1]) distinct += 1;
  // Two passes with compensated sums: the population std numpy's np.std computes, to within an ulp or two.
  const mean = compensatedSum(values) / n;
  return { count: n, rows, distinct, min: values[0] ?? null, max: values[n - 1] ?? null, std: Math.sqrt(compensatedSum(values, mean) / n) };
};

/** Neumaier sum of the values, or with `center` of their squared deviations from it. */
const compensatedSum = (values: Float64Array, center?: number): number => {
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < values.length; i += 1) {
    const x = values[i]!;
    const v = center === undefined ? x : (x - center) * (x - center);
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + comp;
};
