/**
 * Expectations that need the column's values grouped (uniqueness, modes, distinct sets, KL divergence): one
 * GROUP BY query each, run in DuckDB so only the groups, never the rows, reach JavaScript.
 */
import { quoteIdentifier, type SqlValue } from "../dataset.js";
import { formatNumber, formatRange, formatSet, inRange, rangeOf } from "./bounds.js";
import { categoricalKl, continuousKl } from "./kl-divergence.js";
import { formatPercent } from "./map-checks.js";
import type { ExpectationResult } from "./result.js";
import { SqlParameters } from "./row-condition.js";
import { baseResult, errorResult, exampleRows, numberArg, plain, type Scope, subject, toNumber, whereClause } from "./scope.js";
import type { Expectation, PartitionObject, SuiteScalar } from "./suite.js";

/** Values compare by their text, so 1 (YAML) equals 1n (a BIGINT) and 'AA' equals 'AA'. */
const keyOf = (value: SqlValue | SuiteScalar): string => String(value);

const done = (expectation: Expectation, success: boolean, observed: ExpectationResult["observed_value"], bound: string, detail: string): ExpectationResult => ({
  ...baseResult(expectation),
  success,
  observed_value: observed,
  bound,
  message: success ? "" : `${subject(expectation)} failed: ${detail}`,
});

const valueCounts = async (scope: Scope, expectation: Expectation, c: string): Promise<Array<{ value: SqlValue; count: number }>> => {
  const params = new SqlParameters();
  const where = whereClause(expectation.rowCondition, params, [`${c} IS NOT NULL`]);
  const rows = await scope.dataset.query(`SELECT ${c} AS v, count(*) AS k FROM data${where} GROUP BY ${c} ORDER BY k DESC, v`, params.values);
  return rows.map((row) => ({ value: plain(row.v), count: toNumber(row.k) ?? 0 }));
};

const uniqueness = async (expectation: Expectation, scope: Scope, columns: string[]): Promise<ExpectationResult> => {
  const quoted = columns.map(quoteIdentifier);
  // Great Expectations ignores a row only when all its values are missing.
  const present = `(${quoted.map((c) => `${c} IS NOT NULL`).join(" OR ")})`;
  const params = new SqlParameters();
  const where = whereClause(expectation.rowCondition, params, [present]);
  const keys = quoted.join(", ");
  const [row] = await scope.dataset.query(
    `SELECT coalesce(sum(k), 0) AS n, coalesce(sum(k) FILTER (WHERE k > 1), 0) AS dup FROM (SELECT count(*) AS k FROM data${where} GROUP BY ${keys})`,
    params.values,
  );
  const nonNull = toNumber(row?.n ?? 0) ?? 0;
  const duplicated = toNumber(row?.dup ?? 0) ?? 0;
  const mostly = numberArg(expectation.kwargs, "mostly", 1);
  const success = nonNull === 0 || (nonNull - duplicated) / nonNull >= mostly;
  const share = nonNull === 0 ? 0 : (duplicated / nonNull) * 100;
  const result: ExpectationResult = {
    ...done(expectation, success, duplicated, "unique", `${duplicated} of ${nonNull} non-null values (${formatPercent(share)}) are duplicated${mostly < 1 ? `; mostly ${formatNumber(mostly)} needs at least ${formatPercent(mostly * 100)} to pass` : ""}`),
    unexpected_count: duplicated,
    unexpected_percent: share,
  };
  if (!success) {
    const key = quoted.length === 1 ? (quoted[0] ?? "") : `row(${keys})`;
    result.examples = await exampleRows(
      scope,
      expectation.rowCondition,
      // Duplicates are counted among the rows the condition keeps, so the inner query filters the same way.
      (p) => `(${present} AND ${key} IN (SELECT ${key} FROM data${whereClause(expectation.rowCondition, p, [present])} GROUP BY ${keys} HAVING count(*) > 1))`,
      quoted,
    );
  }
  return result;
};

const klCheck = async (expectation: Expectation, scope: Scope, c: string, numeric: boolean): Promise<ExpectationResult> => {
  const partition = expectation.kwargs.partition_object as PartitionObject;
  const threshold = Number(expectation.kwargs.threshold);
  const holdouts = { tail: numberArg(expectation.kwargs, "tail_weight_holdout", 0), internal: numberArg(expectation.kwargs, "internal_weight_holdout", 0) };
  let kl: number;
  if (partition.bins) {
    if (!numeric) return errorResult(expectation, `column "${String(expectation.kwargs.column)}" is not numeric; a partition with bins needs a numeric column`);
    const bins = partition.bins;
    const params = new SqlParameters();
    const where = whereClause(expectation.rowCondition, params, [`${c} IS NOT NULL`]);
    const edge = (value: number): string => params.bind(value);
    const last = bins.length - 2;
    const counts = bins.slice(0, -1).map((low, i) => {
      const high = bins[i + 1] ?? low;
      return `count(*) FILTER (WHERE ${c} >= ${edge(low)} AND ${c} ${i === last ? "<=" : "<"} ${edge(high)}) AS h${i}`;
    });
    const sql = `SELECT count(*) AS n, count(*) FILTER (WHERE ${c} < ${edge(bins[0] ?? 0)}) AS below, count(*) FILTER (WHERE ${c} > ${edge(bins[bins.length - 1] ?? 0)}) AS above, ${counts.join(", ")} FROM data${where}`;
    const [row = {}] = await scope.dataset.query(sql, params.values);
    const histogram = counts.map((_sql, i) => toNumber(row[`h${i}`]) ?? 0);
    kl = continuousKl(partition, histogram, toNumber(row.below) ?? 0, toNumber(row.above) ?? 0, toNumber(row.n) ?? 0, holdouts);
  } else {
    const counts = await valueCounts(scope, expectation, c);
    const nonNull = counts.reduce((a, b) => a + b.count, 0);
    kl = categoricalKl(partition, new Map(counts.map((entry) => [keyOf(entry.value), entry.count])), nonNull, holdouts);
  }
  const finite = Number.isFinite(kl);
  const success = kl <= threshold;
  return done(expectation, success, finite ? kl : null, `< ${formatNumber(threshold)}`, `KL divergence ${finite ? formatNumber(kl) : Number.isNaN(kl) ? "undefined (no non-null values)" : "infinite (a value or bin the partition gives no weight)"}, threshold ${formatNumber(threshold)}`);
};

export const groupedCheck = async (expectation: Expectation, scope: Scope): Promise<ExpectationResult> => {
  if (expectation.expectation === "expect_compound_columns_to_be_unique") {
    const columns = expectation.kwargs.column_list as string[];
    const missing = columns.find((name) => !scope.columns.has(name));
    return missing === undefined ? uniqueness(expectation, scope, columns) : errorResult(expectation, `no column "${missing}"`);
  }
  const column = scope.columns.get(String(expectation.kwargs.column));
  if (!column) return errorResult(expectation, `no column "${String(expectation.kwargs.column)}"`);
  const c = quoteIdentifier(column.name);
  const kwargs = expectation.kwargs;
  switch (expectation.expectation) {
    case "expect_column_values_to_be_unique":
      return uniqueness(expectation, scope, [column.name]);
    case "expect_column_kl_divergence_to_be_less_than":
      return klCheck(expectation, scope, c, column.kind === "numeric");
    case "expect_column_most_common_value_to_be_in_set": {
      const counts = await valueCounts(scope, expectation, c);
      const top = counts[0]?.count ?? 0;
      const modes = counts.filter((entry) => entry.count === top && top > 0).map((entry) => entry.value);
      const wanted = new Set((kwargs.value_set as SuiteScalar[]).map(keyOf));
      const hits = modes.filter((mode) => wanted.has(keyOf(mode))).length;
      const success = kwargs.ties_okay === true ? hits > 0 : modes.length === 1 && hits === 1;
      return done(expectation, success, modes, `in ${formatSet(kwargs.value_set as SuiteScalar[])}`, `most common value${modes.length === 1 ? "" : "s"} ${formatSet(modes)}, bound in ${formatSet(kwargs.value_set as SuiteScalar[])}`);
    }
    case "expect_column_most_common_value_share_to_be_between": {
      const counts = await valueCounts(scope, expectation, c);
      const nonNull = counts.reduce((a, b) => a + b.count, 0);
      const share = nonNull === 0 ? null : (counts[0]?.count ?? 0) / nonNull;
      const range = rangeOf(kwargs);
      const shown = share === null ? "no value (no non-null rows)" : `${formatNumber(share)} (value ${formatSet([counts[0]?.value ?? null])})`;
      return done(expectation, inRange(share, range), share, formatRange(range), `observed ${shown}, bound ${formatRange(range)}`);
    }
    case "expect_column_distinct_values_to_be_in_set":
    case "expect_column_distinct_values_to_contain_set":
    case "expect_column_distinct_values_to_equal_set": {
      const distinct = (await valueCounts(scope, expectation, c)).map((entry) => entry.value).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
      const wanted = kwargs.value_set as SuiteScalar[];
      const wantedKeys = new Set(wanted.map(keyOf));
      const seenKeys = new Set(distinct.map(keyOf));
      const extra = distinct.filter((value) => !wantedKeys.has(keyOf(value)));
      const missing = wanted.filter((value) => !seenKeys.has(keyOf(value)));
      const checkExtra = expectation.expectation !== "expect_column_distinct_values_to_contain_set";
      const checkMissing = expectation.expectation !== "expect_column_distinct_values_to_be_in_set";
      const success = (!checkExtra || extra.length === 0) && (!checkMissing || missing.length === 0);
      const detail = [checkExtra && extra.length ? `unexpected ${formatSet(extra)}` : "", checkMissing && missing.length ? `missing ${formatSet(missing)}` : ""].filter(Boolean).join(", ");
      const relation = { expect_column_distinct_values_to_be_in_set: "within", expect_column_distinct_values_to_contain_set: "containing", expect_column_distinct_values_to_equal_set: "equal to" }[expectation.expectation];
      return done(expectation, success, distinct, `${relation} ${formatSet(wanted)}`, `distinct values ${formatSet(distinct)} (${detail})`);
    }
    default:
      return errorResult(expectation, "not a grouped expectation");
  }
};
