/**
 * Column-map expectations: a per-row predicate whose failures are counted in the shared scan. `mostly` is Great
 * Expectations' rule: the share of non-null values that pass must be at least `mostly` (nulls are left out, except
 * for the two null expectations, which count over every row); with no values to judge the expectation passes.
 */
import type { ColumnInfo, SqlValue } from "../dataset.js";
import { quoteIdentifier } from "../dataset.js";
import type { AggregateQuery } from "./aggregate-query.js";
import { formatNumber, formatRange, formatSet, rangeOf } from "./bounds.js";
import type { SqlParameters } from "./row-condition.js";
import { baseResult, errorResult, exampleRows, numberArg, type Scope, subject, toNumber } from "./scope.js";
import type { ExpectationResult } from "./result.js";
import type { Expectation, SuiteScalar } from "./suite.js";

export type Finisher = (row: Record<string, SqlValue>) => Promise<ExpectationResult>;

interface MapPredicate {
  /** True for a row whose value is unexpected (NULL-safe). */
  unexpected: (params: SqlParameters) => string;
  overAllRows: boolean;
  bound: string;
}

const setValues = (expectation: Expectation, column: ColumnInfo): SqlValue[] | string => {
  const values = (expectation.kwargs.value_set ?? []) as SuiteScalar[];
  if (column.kind === "numeric") {
    const bad = values.find((v) => typeof v !== "number");
    return bad === undefined ? values : `value_set has ${JSON.stringify(bad)} for numeric column "${column.name}" (${column.sqlType})`;
  }
  if (column.kind === "boolean") {
    const bad = values.find((v) => typeof v !== "boolean");
    return bad === undefined ? values : `value_set has ${JSON.stringify(bad)} for boolean column "${column.name}"`;
  }
  // Text, dates and everything else compare as text, so `2024-01-01` in YAML matches a DATE column.
  return values.map((v) => String(v));
};

const predicateFor = (expectation: Expectation, column: ColumnInfo): MapPredicate | string => {
  const c = quoteIdentifier(column.name);
  const text = column.kind === "categorical" ? c : `CAST(${c} AS VARCHAR)`;
  const kwargs = expectation.kwargs;
  switch (expectation.expectation) {
    case "expect_column_values_to_not_be_null":
      return { unexpected: () => `(${c} IS NULL)`, overAllRows: true, bound: "not null" };
    case "expect_column_values_to_be_null":
      return { unexpected: () => `(${c} IS NOT NULL)`, overAllRows: true, bound: "null" };
    case "expect_column_values_to_be_between": {
      if (column.kind !== "numeric") return `column "${column.name}" is ${column.sqlType}; this expectation needs a numeric column`;
      const range = rangeOf(kwargs);
      return {
        unexpected: (p) => {
          const checks = [
            ...(range.min !== undefined ? [`${c} ${range.strictMin ? ">" : ">="} ${p.bind(range.min)}`] : []),
            ...(range.max !== undefined ? [`${c} ${range.strictMax ? "<" : "<="} ${p.bind(range.max)}`] : []),
          ];
          return `(${c} IS NOT NULL AND NOT (${checks.join(" AND ")}))`;
        },
        overAllRows: false,
        bound: formatRange(range),
      };
    }
    case "expect_column_values_to_be_in_set":
    case "expect_column_values_to_not_be_in_set": {
      const values = setValues(expectation, column);
      if (typeof values === "string") return values;
      const negate = expectation.expectation === "expect_column_values_to_be_in_set" ? "NOT " : "";
      const target = column.kind === "datetime" ? text : c;
      return {
        unexpected: (p) => (values.length === 0 ? (negate ? `(${c} IS NOT NULL)` : "false") : `(${c} IS NOT NULL AND ${negate}(${target} IN (${values.map((v) => p.bind(v)).join(", ")})))`),
        overAllRows: false,
        bound: `${negate ? "in" : "not in"} ${formatSet(values)}`,
      };
    }
    case "expect_column_values_to_match_regex":
    case "expect_column_values_to_not_match_regex": {
      const negate = expectation.expectation === "expect_column_values_to_match_regex" ? "NOT " : "";
      const regex = String(kwargs.regex);
      return {
        unexpected: (p) => `(${c} IS NOT NULL AND ${negate}regexp_matches(${text}, ${p.bind(regex)}))`,
        overAllRows: false,
        bound: `${negate ? "matches" : "does not match"} /${regex}/`,
      };
    }
    case "expect_column_value_lengths_to_be_between":
    case "expect_column_value_lengths_to_equal": {
      const range =
        expectation.expectation === "expect_column_value_lengths_to_equal"
          ? { min: numberArg(kwargs, "value", 0), max: numberArg(kwargs, "value", 0), strictMin: false, strictMax: false }
          : rangeOf(kwargs);
      return {
        unexpected: (p) => {
          const checks = [
            ...(range.min !== undefined ? [`length(${text}) ${range.strictMin ? ">" : ">="} ${p.bind(range.min)}`] : []),
            ...(range.max !== undefined ? [`length(${text}) ${range.strictMax ? "<" : "<="} ${p.bind(range.max)}`] : []),
          ];
          return `(${c} IS NOT NULL AND NOT (${checks.join(" AND ")}))`;
        },
        overAllRows: false,
        bound: `length ${formatRange(range)}`,
      };
    }
    default:
      return `${expectation.expectation} is not a column-map expectation`;
  }
};

const percent = (part: number, whole: number): number => (whole === 0 ? 0 : (part / whole) * 100);
export const formatPercent = (value: number): string => `${Number(value.toFixed(4))}%`;

export const planMapCheck = (expectation: Expectation, scope: Scope, query: AggregateQuery): Finisher | ExpectationResult => {
  const column = scope.columns.get(String(expectation.kwargs.column));
  if (!column) return errorResult(expectation, `no column "${String(expectation.kwargs.column)}"`);
  const predicate = predicateFor(expectation, column);
  if (typeof predicate === "string") return errorResult(expectation, predicate);
  const c = quoteIdentifier(column.name);
  const rowsAlias = query.add(() => "count(*)");
  const nonNullAlias = query.add(() => `count(${c})`);
  const unexpectedAlias = query.add((p) => `count(*) FILTER (WHERE ${predicate.unexpected(p)})`);
  const mostly = numberArg(expectation.kwargs, "mostly", 1);
  return async (row) => {
    const rows = toNumber(row[rowsAlias]) ?? 0;
    const nonNull = toNumber(row[nonNullAlias]) ?? 0;
    const unexpected = toNumber(row[unexpectedAlias]) ?? 0;
    const denominator = predicate.overAllRows ? rows : nonNull;
    const success = denominator === 0 || (denominator - unexpected) / denominator >= mostly;
    const share = percent(unexpected, denominator);
    const result: ExpectationResult = {
      ...baseResult(expectation),
      success,
      observed_value: unexpected,
      bound: predicate.bound,
      element_count: rows,
      missing_count: rows - nonNull,
      unexpected_count: unexpected,
      unexpected_percent: share,
      message: "",
    };
    if (!success) {
      const what = predicate.overAllRows ? "rows" : "non-null values";
      const allowed = mostly < 1 ? `; mostly ${formatNumber(mostly)} needs at least ${formatPercent(mostly * 100)} to pass` : "";
      result.message = `${subject(expectation)} failed: ${unexpected} of ${denominator} ${what} (${formatPercent(share)}) fail the bound ${predicate.bound}${allowed}`;
      result.examples = await exampleRows(scope, expectation.rowCondition, predicate.unexpected, [c]);
    }
    return result;
  };
};
