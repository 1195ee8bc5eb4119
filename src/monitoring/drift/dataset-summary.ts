/**
 * The summaries of many columns of one dataset in one scan: a single aggregate query computes, per column, the
 * non-missing count, min, max, population std and DuckDB's HyperLogLog estimate of the distinct count. An exact
 * COUNT(DISTINCT) (a hash of every value: most of the cost of a per-column summary) runs only for the columns whose
 * estimate is small, because the distinct count only ever decides a method against small thresholds (u <= 5 and
 * u <= 2 for the default test, > 20 for histograms): a column estimated far above them is far above them.
 */
import { quoteIdentifier, type Dataset, type SqlValue } from "../../validation/dataset.js";
import type { ColumnSummary } from "./column-data.js";
import type { DriftColumnType } from "./methods.js";

/**
 * At or below this estimate the distinct count is counted exactly. HyperLogLog errs by a few percent (and counts
 * small sets almost exactly), so an estimate above 1000 means well above every threshold drift compares with (20).
 */
export const EXACT_DISTINCT_LIMIT = 1000;

/** Columns aggregated per query: keeps the SQL of a very wide dataset a reasonable size. */
const COLUMNS_PER_QUERY = 50;

export interface SummaryRequest {
  name: string;
  type: DriftColumnType;
}

/** The value of a column as drift sees it; missing values (NULL, and for numbers NaN and +-infinity) are filtered. */
const valueOf = (column: string, type: DriftColumnType): { value: string; present: string } => {
  const q = quoteIdentifier(column);
  return type === "num"
    ? { value: `CAST(${q} AS DOUBLE)`, present: `isfinite(CAST(${q} AS DOUBLE))` }
    : { value: `CAST(${q} AS VARCHAR)`, present: `${q} IS NOT NULL` };
};

const num = (value: SqlValue | undefined): number | null => (value === null || value === undefined ? null : Number(value));

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

export const summarizeColumns = async (dataset: Dataset, requests: readonly SummaryRequest[]): Promise<Map<string, ColumnSummary>> => {
  const rows = await dataset.rowCount();
  const summaries = new Map<string, ColumnSummary>();
  for (const group of chunks(requests, COLUMNS_PER_QUERY)) {
    const aggregates = group.map(({ name, type }, i) => {
      const { value, present } = valueOf(name, type);
      const where = `FILTER (WHERE ${present})`;
      const numeric =
        type === "num" ? `min(${value}) ${where} AS lo${i}, max(${value}) ${where} AS hi${i}, stddev_pop(${value}) ${where} AS sd${i}` : `NULL AS lo${i}, NULL AS hi${i}, NULL AS sd${i}`;
      return `count(${value}) ${where} AS n${i}, approx_count_distinct(${value}) ${where} AS a${i}, ${numeric}`;
    });
    const [row = {}] = await dataset.query(`SELECT ${aggregates.join(", ")} FROM data`);
    group.forEach(({ name }, i) => {
      summaries.set(name, {
        count: num(row[`n${i}`]) ?? 0,
        rows,
        distinct: num(row[`a${i}`]) ?? 0,
        min: num(row[`lo${i}`]),
        max: num(row[`hi${i}`]),
        std: num(row[`sd${i}`]),
      });
    });
    const small = group.filter(({ name }) => (summaries.get(name)?.distinct ?? 0) <= EXACT_DISTINCT_LIMIT);
    if (small.length === 0) continue;
    const exact = small.map(({ name, type }, i) => {
      const { value, present } = valueOf(name, type);
      return `count(DISTINCT ${value}) FILTER (WHERE ${present}) AS d${i}`;
    });
    const [counted = {}] = await dataset.query(`SELECT ${exact.join(", ")} FROM data`);
    small.forEach(({ name }, i) => {
      const summary = summaries.get(name);
      if (summary !== undefined) summary.distinct = num(counted[`d${i}`]) ?? 0;
    });
  }
  return summaries;
};
