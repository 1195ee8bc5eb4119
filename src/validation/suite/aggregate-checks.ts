/**
 * Column statistics compared with a range (mean, median, stdev, min, max, sum, quantiles, shares, unique counts)
 * and the row count, all read from the shared scan. Medians and quantiles are DuckDB's exact quantile_cont
 * (linear interpolation, numpy's default); stdev is the sample standard deviation (ddof 1), as pandas computes it.
 */
import { quoteIdentifier } from "../dataset.js";
import type { AggregateQuery } from "./aggregate-query.js";
import { formatNumber, formatRange, inRange, type Range, rangeOf } from "./bounds.js";
import type { Finisher } from "./map-checks.js";
import type { ExpectationResult } from "./result.js";
import { baseResult, errorResult, type Scope, subject, toNumber } from "./scope.js";
import type { Expectation, QuantileRanges } from "./suite.js";

const NUMERIC_STATISTICS: Partial<Record<Expectation["expectation"], (c: string) => string>> = {
  expect_column_mean_to_be_between: (c) => `avg(${c})::DOUBLE`,
  expect_column_median_to_be_between: (c) => `quantile_cont(${c}, 0.5)::DOUBLE`,
  expect_column_stdev_to_be_between: (c) => `stddev_samp(${c})::DOUBLE`,
  expect_column_min_to_be_between: (c) => `min(${c})::DOUBLE`,
  expect_column_max_to_be_between: (c) => `max(${c})::DOUBLE`,
  expect_column_sum_to_be_between: (c) => `sum(${c})::DOUBLE`,
};

const ANY_STATISTICS: Partial<Record<Expectation["expectation"], (c: string) => string>> = {
  expect_column_proportion_of_non_null_values_to_be_between: (c) => `(count(${c})::DOUBLE / nullif(count(*), 0))`,
  expect_column_unique_value_count_to_be_between: (c) => `count(DISTINCT ${c})`,
  expect_column_proportion_of_unique_values_to_be_between: (c) => `(count(DISTINCT ${c})::DOUBLE / nullif(count(${c}), 0))`,
};

const rangeResult = (expectation: Expectation, observed: number | null, range: Range, extra: Partial<ExpectationResult> = {}): ExpectationResult => {
  const success = inRange(observed, range);
  const bound = formatRange(range);
  const shown = observed === null ? "no value (no non-null rows)" : formatNumber(observed);
  return {
    ...baseResult(expectation),
    ...extra,
    success,
    observed_value: observed,
    bound,
    message: success ? "" : `${subject(expectation)} failed: observed ${shown}, bound ${bound}`,
  };
};

export const planTableCheck = (expectation: Expectation, query: AggregateQuery): Finisher => {
  const alias = query.add(() => "count(*)");
  const range =
    expectation.expectation === "expect_table_row_count_to_equal"
      ? { min: Number(expectation.kwargs.value), max: Number(expectation.kwargs.value), strictMin: false, strictMax: false }
      : rangeOf(expectation.kwargs);
  return async (row) => rangeResult(expectation, toNumber(row[alias]), range);
};

const quantileCheck = (expectation: Expectation, c: string, query: AggregateQuery): Finisher => {
  const ranges = expectation.kwargs.quantile_ranges as QuantileRanges;
  // Quantiles are validated numbers in [0, 1]; DuckDB needs them as constants, so they are written, not bound.
  const aliases = ranges.quantiles.map((q) => query.add(() => `quantile_cont(${c}, ${String(q)})::DOUBLE`));
  return async (row) => {
    const observed = aliases.map((alias) => toNumber(row[alias]));
    const failures: string[] = [];
    ranges.quantiles.forEach((q, index) => {
      const [min, max] = ranges.value_ranges[index] ?? [null, null];
      const range: Range = { min: min ?? undefined, max: max ?? undefined, strictMin: false, strictMax: false };
      const value = observed[index] ?? null;
      if (!inRange(value, range)) failures.push(`quantile ${formatNumber(q)} is ${value === null ? "none" : formatNumber(value)}, bound ${formatRange(range)}`);
    });
    const bound = ranges.quantiles
      .map((q, i) => `q${formatNumber(q)} in ${formatRange({ min: ranges.value_ranges[i]?.[0] ?? undefined, max: ranges.value_ranges[i]?.[1] ?? undefined, strictMin: false, strictMax: false })}`)
      .join("; ");
    return {
      ...baseResult(expectation),
      success: failures.length === 0,
      observed_value: observed,
      bound,
      message: failures.length === 0 ? "" : `${subject(expectation)} failed: ${failures.join("; ")}`,
    };
  };
};

export const planAggregateCheck = (expectation: Expectation, scope: Scope, query: AggregateQuery): Finisher | ExpectationResult => {
  const column = scope.columns.get(String(expectation.kwargs.column));
  if (!column) return errorResult(expectation, `no column "${String(expectation.kwargs.column)}"`);
  const c = quoteIdentifier(column.name);
  const numeric = NUMERIC_STATISTICS[expectation.expectation];
  if ((numeric || expectation.expectation === "expect_column_quantile_values_to_be_between") && column.kind !== "numeric") {
    return errorResult(expectation, `column "${column.name}" is ${column.sqlType}; this expectation needs a numeric column`);
  }
  if (expectation.expectation === "expect_column_quantile_values_to_be_between") return quantileCheck(expectation, c, query);
  const statistic = numeric ?? ANY_STATISTICS[expectation.expectation];
  if (!statistic) return errorResult(expectation, "not a column aggregate expectation");
  const alias = query.add(() => statistic(c));
  const range = rangeOf(expectation.kwargs);
  return async (row) => rangeResult(expectation, toNumber(row[alias]), range);
};
