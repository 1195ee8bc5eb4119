/**
 * A tabular dataset as the validation and monitoring domains see it: a file (CSV, Parquet, JSON lines, Arrow) or
 * rows (a deployment's prediction log) opened in DuckDB, so that scans, counts, histograms and quantiles run in the
 * engine and a file larger than memory never has to be loaded into JavaScript.
 * `openDataset` / `openRowsDataset` (src/validation/duckdb/) make one.
 */
export type DataFormat = "csv" | "parquet" | "jsonl" | "arrow";

/** numeric: integers and floats; categorical: strings (and low-cardinality values a caller decides to treat so). */
export type ColumnKind = "numeric" | "categorical" | "boolean" | "datetime";

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  /** DuckDB's type name, e.g. DOUBLE, BIGINT, VARCHAR, TIMESTAMP. */
  sqlType: string;
}

export type SqlValue = number | bigint | string | boolean | null;

export interface NumericValuesOptions {
  limit?: number;
  seed?: number;
  /** Ascending order (sorted by the engine), for tests that sort anyway: sort once, use for every test. */
  sorted?: boolean;
}

export interface Dataset {
  /** Where it came from (a path, or a label such as "deployment churn, last 10000 predictions"). */
  readonly source: string;
  readonly columns: readonly ColumnInfo[];
  rowCount(): Promise<number>;
  /**
   * Runs one SQL query in which the dataset is the relation `data`; values are bound with $1, $2... (never
   * interpolated). Column names in SQL must be quoted with quoteIdentifier().
   */
  query(sql: string, params?: readonly SqlValue[]): Promise<Array<Record<string, SqlValue>>>;
  /**
   * The non-null values of a numeric column as doubles (a uniform random sample of at most `limit` when given), in
   * ascending order when `sorted` (NaN last), else in the order the engine reads them.
   */
  numericValues(column: string, options?: NumericValuesOptions): Promise<Float64Array>;
  close(): Promise<void>;
}

/** DuckDB identifier quoting: any column name (spaces, quotes, unicode) becomes one safe identifier. */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
