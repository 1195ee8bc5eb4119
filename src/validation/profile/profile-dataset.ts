import { quoteIdentifier, type ColumnInfo, type Dataset, type SqlValue } from "../dataset.js";
import { binExpression, histogramEdges, histogramRange } from "./histogram-sql.js";
import { EXACT_DISTINCT_MAX_ROWS, resolveProfileOptions, type ProfileOptions } from "./profile-options.js";
import { PROFILE_SCHEMA_VERSION, type CategoryCount, type ColumnProfile, type DatasetProfile, type Histogram } from "./profile-schema.js";

const num = (value: SqlValue | undefined): number | null => (value === null || value === undefined ? null : Number(value));
const text = (value: SqlValue | undefined): string | null => (value === null || value === undefined ? null : String(value));
/** Lists and maps come back through to_json(...) as text, parsed here (DuckDB prints doubles round-trip exactly). */
const json = (value: SqlValue | undefined): unknown => (value === null || value === undefined ? null : JSON.parse(String(value)));

/**
 * Columns aggregated per scan. One scan over every column of a 20,000-column file asked DuckDB for 160,000
 * aggregates at once (a distinct-count table and a quantile state each) and ran out of 18.8 GiB; slices of 500
 * columns bound that state whatever the width, at the cost of one scan per slice.
 */
export const PROFILE_COLUMNS_PER_SCAN = 500;

/** Consecutive slices of at most `size` items with their first index. */
const slices = <T>(items: readonly T[], size: number): Array<{ from: number; items: T[] }> => {
  const out: Array<{ from: number; items: T[] }> = [];
  for (let from = 0; from < items.length; from += size) out.push({ from, items: items.slice(from, from + size) });
  return out;
};

/**
 * Profiles a dataset inside DuckDB. Scans, per slice of PROFILE_COLUMNS_PER_SCAN columns: one for every count, min,
 * max, mean, std, quantile and distinct count; one for the histograms of the numeric columns; then one GROUP BY per
 * categorical or boolean column for its top values. Nothing but the aggregates reaches JavaScript, so files larger
 * than memory, and files with tens of thousands of columns, profile in bounded memory.
 */
export const profileDataset = async (
  dataset: Dataset,
  options: ProfileOptions = {},
  columnsPerScan: number = PROFILE_COLUMNS_PER_SCAN,
): Promise<DatasetProfile> => {
  if (dataset.columns.length <= columnsPerScan) return profileRelation(dataset, "data", options, columnsPerScan);
  // A wide file is read once into a temporary table: each slice's scan of the file parsed all of its columns again
  // (11 s a scan for 20,000 columns x 500 rows, 40 scans), a scan of the table reads only the slice's columns.
  await dataset.query(`CREATE OR REPLACE TEMP TABLE ${WIDE_TABLE} AS SELECT * FROM data`);
  try {
    return await profileRelation(dataset, WIDE_TABLE, options, columnsPerScan);
  } finally {
    await dataset.query(`DROP TABLE IF EXISTS ${WIDE_TABLE}`);
  }
};

const WIDE_TABLE = "cairn_profile_wide";

const profileRelation = async (dataset: Dataset, relation: string, options: ProfileOptions, columnsPerScan: number): Promise<DatasetProfile> => {
  const { bins, topK, quantiles, distinct: distinctOption } = resolveProfileOptions(options);
  const rowCount = relation === "data" ? await dataset.rowCount() : Number((await dataset.query(`SELECT count(*) AS n FROM ${relation}`))[0]?.n ?? 0);
  const distinct = distinctOption === "auto" ? (rowCount <= EXACT_DISTINCT_MAX_ROWS ? "exact" : "approx") : distinctOption;
  const columns = dataset.columns;
  const quantileList = `[${quantiles.map((q) => `CAST(${JSON.stringify(q)} AS DOUBLE)`).join(", ")}]`;

  // Scan 1, per slice of columns: every aggregate of every column of the slice.
  const stats: Record<string, SqlValue> = {};
  for (const slice of slices(columns, columnsPerScan)) {
    const selects: string[] = ["count(*) AS n"];
    slice.items.forEach((column, k) => {
      const i = slice.from + k;
      const c = quoteIdentifier(column.name);
      const x = `CAST(${c} AS DOUBLE)`;
      selects.push(`count(${c}) AS c${i}_n`);
      selects.push(distinct === "exact" ? `count(DISTINCT ${c}) AS c${i}_d` : `approx_count_distinct(${c}) AS c${i}_d`);
      if (column.kind === "numeric") {
        selects.push(`min(${x}) AS c${i}_min`, `max(${x}) AS c${i}_max`, `avg(${x}) AS c${i}_mean`, `stddev_samp(${x}) AS c${i}_std`);
        if (quantiles.length > 0) selects.push(`CAST(to_json(quantile_cont(${x}, ${quantileList})) AS VARCHAR) AS c${i}_q`);
      } else if (column.kind === "datetime") {
        selects.push(`CAST(min(${c}) AS VARCHAR) AS c${i}_min`, `CAST(max(${c}) AS VARCHAR) AS c${i}_max`);
      }
    });
    const [sliceStats = {}] = await dataset.query(`SELECT ${selects.join(", ")} FROM ${relation}`);
    Object.assign(stats, sliceStats);
  }

  const profiles: ColumnProfile[] = columns.map((column, i) => {
    const count = num(stats[`c${i}_n`]) ?? 0;
    const profile: ColumnProfile = {
      name: column.name,
      kind: column.kind,
      sql_type: column.sqlType,
      count,
      missing: rowCount - count,
      distinct: num(stats[`c${i}_d`]) ?? 0,
      distinct_method: distinct,
    };
    if (column.kind === "numeric") {
      const values = (json(stats[`c${i}_q`]) as Array<number | null> | null) ?? [];
      profile.numeric = {
        min: num(stats[`c${i}_min`]),
        max: num(stats[`c${i}_max`]),
        mean: num(stats[`c${i}_mean`]),
        std: num(stats[`c${i}_std`]),
        quantiles: quantiles.map((q, k) => ({ q, value: values[k] ?? null })),
        histogram: null,
      };
    } else if (column.kind === "datetime") {
      profile.min_text = text(stats[`c${i}_min`]);
      profile.max_text = text(stats[`c${i}_max`]);
    }
    return profile;
  });

  // Scan 2: the histograms of all numeric columns that have values, each binned between its own min and max.
  const histogramColumns = profiles
    .map((profile, i) => ({ profile, column: columns[i] as ColumnInfo, i }))
    .filter(({ profile }) => profile.numeric !== undefined && profile.numeric.min !== null && profile.numeric.max !== null);
  for (const slice of slices(histogramColumns, columnsPerScan)) {
    const params: number[] = [];
    const ranges: Array<{ first: number; last: number }> = [];
    const parts = slice.items.map(({ profile, column, i }) => {
      const range = histogramRange(profile.numeric?.min ?? 0, profile.numeric?.max ?? 0);
      ranges.push(range);
      const base = params.length;
      params.push(range.first, range.last, range.last - range.first, (range.last - range.first) / bins);
      const p = { first: `$${base + 1}`, last: `$${base + 2}`, width: `$${base + 3}`, step: `$${base + 4}` };
      const c = quoteIdentifier(column.name);
      // FILTER, not only histogram()'s own null skipping: LEAST() ignores a NULL argument, so a null x gets a bin.
      return `CAST(to_json(histogram(${binExpression(`CAST(${c} AS DOUBLE)`, bins, p)}) FILTER (WHERE ${c} IS NOT NULL)) AS VARCHAR) AS h${i}`;
    });
    const [row = {}] = await dataset.query(`SELECT ${parts.join(", ")} FROM ${relation}`, params);
    slice.items.forEach(({ profile, i }, k) => {
      const range = ranges[k] ?? { first: 0, last: 0 };
      const counts = new Array<number>(bins).fill(0);
      const map = (json(row[`h${i}`]) as Record<string, number> | null) ?? {};
      for (const [bin, n] of Object.entries(map)) counts[Number(bin)] = n;
      const histogram: Histogram = { edges: histogramEdges(range.first, range.last, bins), counts };
      if (profile.numeric !== undefined) profile.numeric.histogram = histogram;
    });
  }

  // Top values of categorical and boolean columns: one GROUP BY each, ties broken by value so the result is stable.
  if (topK > 0) {
    for (const [i, column] of columns.entries()) {
      if (column.kind !== "categorical" && column.kind !== "boolean") continue;
      const c = quoteIdentifier(column.name);
      const rows = await dataset.query(
        `SELECT CAST(${c} AS VARCHAR) AS value, count(*) AS n FROM ${relation} WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY n DESC, value LIMIT ${topK}`,
      );
      const top: CategoryCount[] = rows.map((r) => ({ value: String(r.value), count: Number(r.n) }));
      (profiles[i] as ColumnProfile).top = top;
    }
  }

  return {
    schema_version: PROFILE_SCHEMA_VERSION,
    source: dataset.source,
    row_count: rowCount,
    options: { bins, top_k: topK, quantiles, distinct },
    columns: profiles,
  };
};
