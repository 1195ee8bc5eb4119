/** Expectations about the columns themselves (names, order, count, types): answered from the schema, no scan. */
import type { ColumnInfo } from "../dataset.js";
import { formatNumber, formatRange, formatSet, inRange, rangeOf } from "./bounds.js";
import type { ExpectationResult } from "./result.js";
import { baseResult, type Scope, subject } from "./scope.js";
import type { Expectation } from "./suite.js";

/** Great Expectations' pandas-style type names, mapped onto DuckDB's; any DuckDB type name also matches itself. */
const TYPE_ALIASES: Record<string, RegExp> = {
  int: /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/,
  float: /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/,
  str: /^VARCHAR$/,
  bool: /^BOOLEAN$/,
  datetime: /^(DATE|TIMESTAMP.*)$/,
};
const ALIAS_OF: Record<string, string> = {
  int: "int", int8: "int", int16: "int", int32: "int", int64: "int", integer: "int", long: "int",
  float: "float", float32: "float", float64: "float", double: "float", number: "float",
  str: "str", string: "str", object: "str", text: "str",
  bool: "bool", boolean: "bool",
  datetime: "datetime", datetime64: "datetime", "datetime64[ns]": "datetime", date: "datetime", timestamp: "datetime",
};

export const typeMatches = (wanted: string, column: ColumnInfo): boolean => {
  const actual = column.sqlType.toUpperCase();
  if (actual === wanted.toUpperCase()) return true;
  const alias = ALIAS_OF[wanted.toLowerCase()];
  return alias !== undefined && (TYPE_ALIASES[alias]?.test(actual) ?? false);
};

const outcome = (expectation: Expectation, success: boolean, observed: ExpectationResult["observed_value"], bound: string, shown: string): ExpectationResult => ({
  ...baseResult(expectation),
  success,
  observed_value: observed,
  bound,
  message: success ? "" : `${subject(expectation)} failed: observed ${shown}, bound ${bound}`,
});

export const schemaCheck = (expectation: Expectation, scope: Scope): ExpectationResult => {
  const names = [...scope.columns.keys()];
  const kwargs = expectation.kwargs;
  const shownNames = `[${names.map((n) => `"${n}"`).join(", ")}]`;
  switch (expectation.expectation) {
    case "expect_column_to_exist": {
      const column = String(kwargs.column);
      const index = names.indexOf(column);
      if (typeof kwargs.column_index === "number") {
        return outcome(expectation, index === kwargs.column_index, index === -1 ? null : index, `column at index ${kwargs.column_index}`, index === -1 ? "no such column" : `index ${index}`);
      }
      return outcome(expectation, index !== -1, index !== -1, "exists", `no such column among ${shownNames}`);
    }
    case "expect_table_columns_to_match_ordered_list": {
      const wanted = kwargs.column_list as string[];
      const success = wanted.length === names.length && wanted.every((name, i) => names[i] === name);
      return outcome(expectation, success, names, `[${wanted.map((n) => `"${n}"`).join(", ")}]`, shownNames);
    }
    case "expect_table_columns_to_match_set": {
      const wanted = kwargs.column_set as string[];
      const exact = kwargs.exact_match !== false;
      const missing = wanted.filter((name) => !names.includes(name));
      const extra = names.filter((name) => !wanted.includes(name));
      const success = missing.length === 0 && (!exact || extra.length === 0);
      const detail = [missing.length ? `missing ${formatSet(missing)}` : "", exact && extra.length ? `unexpected ${formatSet(extra)}` : ""].filter(Boolean).join(", ");
      return outcome(expectation, success, names, `${exact ? "exactly " : "at least "}${formatSet(wanted)}`, `${shownNames} (${detail})`);
    }
    case "expect_table_column_count_to_equal":
    case "expect_table_column_count_to_be_between": {
      const range =
        expectation.expectation === "expect_table_column_count_to_equal"
          ? { min: Number(kwargs.value), max: Number(kwargs.value), strictMin: false, strictMax: false }
          : rangeOf(kwargs);
      return outcome(expectation, inRange(names.length, range), names.length, formatRange(range), formatNumber(names.length));
    }
    case "expect_column_values_to_be_of_type":
    case "expect_column_values_to_be_in_type_list": {
      const column = scope.columns.get(String(kwargs.column));
      const wanted = expectation.expectation === "expect_column_values_to_be_of_type" ? [String(kwargs.type_)] : (kwargs.type_list as unknown[]).map(String);
      const bound = wanted.length === 1 ? `type ${wanted[0] ?? ""}` : `type in ${formatSet(wanted)}`;
      if (!column) return outcome(expectation, false, null, bound, "no such column");
      return outcome(expectation, wanted.some((type) => typeMatches(type, column)), column.sqlType, bound, column.sqlType);
    }
    default:
      return outcome(expectation, false, null, "", "not a schema expectation");
  }
};
