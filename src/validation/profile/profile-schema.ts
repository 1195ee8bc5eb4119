import type { ColumnKind } from "../dataset.js";

/**
 * The profile JSON, version 1. Later releases keep reading version 1 (fields are only ever added); a reader refuses
 * a version it does not know. Numbers that do not exist (the std of one value, the min of an all-missing column)
 * are null.
 */
export const PROFILE_SCHEMA_VERSION = 1;

export interface Histogram {
  /** bins + 1 edges, numpy.histogram's: linspace(min, max) (min - 0.5, max + 0.5 for a constant column). */
  edges: number[];
  /** Counts per bin; each bin is [edge i, edge i+1), the last one closed. */
  counts: number[];
}

export interface QuantileValue {
  q: number;
  /** DuckDB quantile_cont: linear interpolation between order statistics, numpy's default ("linear"). */
  value: number | null;
}

export interface CategoryCount {
  value: string;
  count: number;
}

export interface NumericSummary {
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (ddof = 1), as pandas' Series.std(). */
  std: number | null;
  quantiles: QuantileValue[];
  histogram: Histogram | null;
}

export interface ColumnProfile {
  name: string;
  kind: ColumnKind;
  sql_type: string;
  /** Non-missing values. */
  count: number;
  missing: number;
  distinct: number;
  /** "exact" (count(DISTINCT)) or "approx" (DuckDB's HyperLogLog approx_count_distinct, for large data). */
  distinct_method: "exact" | "approx";
  /** Numeric columns only. */
  numeric?: NumericSummary;
  /** Datetime columns: the earliest and latest value as DuckDB prints them. */
  min_text?: string | null;
  max_text?: string | null;
  /** Categorical and boolean columns: the most frequent values (ties by value), top_k at most. */
  top?: CategoryCount[];
}

export interface DatasetProfile {
  schema_version: typeof PROFILE_SCHEMA_VERSION;
  source: string;
  row_count: number;
  options: { bins: number; top_k: number; quantiles: number[]; distinct: "exact" | "approx" };
  columns: ColumnProfile[];
}
