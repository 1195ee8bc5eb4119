/**
 * Derives a suite from reference data, as Evidently and TFDV infer their conditions: the columns and their order,
 * each column's type, its non-null share (as `mostly`), numeric ranges widened by a margin, value sets for
 * low-cardinality text columns, and the row count within +-10 %. One scan for the statistics, one small GROUP BY
 * per low-cardinality column. The result validates cleanly against the data it came from.
 */
import { stringify } from "yaml";
import { invalidParameter } from "../../core/errors.js";
import { type Dataset, quoteIdentifier } from "../dataset.js";
import type { ArgumentValue } from "./suite.js";
import { plain, toNumber } from "./scope.js";

export interface InferSuiteOptions {
  /** Suite name (default: "inferred"). */
  name?: string;
  /** Numeric ranges widen by this share of (max - min) on each side (default 0.1). */
  rangeMargin?: number;
  /** Text columns with at most this many distinct values get a value set (default 20). */
  maxCategories?: number;
  /** Row count bound: +- this share of the reference row count (default 0.1). */
  rowCountTolerance?: number;
}

export interface InferredExpectation {
  expectation: string;
  [argument: string]: ArgumentValue;
}

export interface InferredSuite {
  suite: string;
  expectations: InferredExpectation[];
}

const share = (value: number | undefined, fallback: number, name: string): number => {
  const v = value ?? fallback;
  if (!(v >= 0 && v <= 1)) throw invalidParameter(`${name} must be between 0 and 1, got ${v}`);
  return v;
};

export const inferSuite = async (dataset: Dataset, options: InferSuiteOptions = {}): Promise<InferredSuite> => {
  const margin = share(options.rangeMargin, 0.1, "rangeMargin");
  const tolerance = share(options.rowCountTolerance, 0.1, "rowCountTolerance");
  const maxCategories = options.maxCategories ?? 20;
  if (!Number.isInteger(maxCategories) || maxCategories < 0) throw invalidParameter(`maxCategories must be a whole number >= 0, got ${maxCategories}`);

  const selects = ["count(*) AS n"];
  dataset.columns.forEach((column, i) => {
    const c = quoteIdentifier(column.name);
    selects.push(`count(${c}) AS nn${i}`);
    if (column.kind === "numeric") selects.push(`min(${c})::DOUBLE AS lo${i}`, `max(${c})::DOUBLE AS hi${i}`);
    if (column.kind === "categorical") selects.push(`approx_count_distinct(${c}) AS d${i}`);
  });
  const [stats = {}] = await dataset.query(`SELECT ${selects.join(", ")} FROM data`);
  const rows = toNumber(stats.n) ?? 0;

  const expectations: InferredExpectation[] = [
    { expectation: "expect_table_columns_to_match_ordered_list", column_list: dataset.columns.map((c) => c.name) },
    {
      expectation: "expect_table_row_count_to_be_between",
      min_value: Math.floor(rows * (1 - tolerance)),
      max_value: Math.ceil(rows * (1 + tolerance)),
    },
  ];
  for (const [i, column] of dataset.columns.entries()) {
    const nonNull = toNumber(stats[`nn${i}`]) ?? 0;
    expectations.push({ expectation: "expect_column_values_to_be_of_type", column: column.name, type_: column.sqlType });
    if (rows > 0 && nonNull === 0) {
      expectations.push({ expectation: "expect_column_values_to_be_null", column: column.name });
      continue;
    }
    // Rounded down to 0.001 so the reference itself passes; 1 means no nulls allowed at all.
    const present = rows === 0 ? 1 : Math.floor((nonNull / rows) * 1000) / 1000;
    expectations.push({ expectation: "expect_column_values_to_not_be_null", column: column.name, ...(present < 1 ? { mostly: present } : {}) });
    if (column.kind === "numeric" && nonNull > 0) {
      const lo = toNumber(stats[`lo${i}`]) ?? 0;
      const hi = toNumber(stats[`hi${i}`]) ?? 0;
      const pad = (hi - lo) * margin;
      const integer = /INT/i.test(column.sqlType);
      expectations.push({
        expectation: "expect_column_values_to_be_between",
        column: column.name,
        min_value: integer ? Math.floor(lo - pad) : lo - pad,
        max_value: integer ? Math.ceil(hi + pad) : hi + pad,
      });
    }
    // The approximate count only picks candidates; the exact distinct list below decides.
    if (column.kind === "categorical" && (toNumber(stats[`d${i}`]) ?? Infinity) <= maxCategories * 2) {
      const c = quoteIdentifier(column.name);
      const values = await dataset.query(`SELECT DISTINCT ${c} AS v FROM data WHERE ${c} IS NOT NULL ORDER BY v LIMIT ${maxCategories + 1}`);
      if (values.length > 0 && values.length <= maxCategories) {
        expectations.push({ expectation: "expect_column_values_to_be_in_set", column: column.name, value_set: values.map((row) => String(plain(row.v))) });
      }
    }
  }
  return { suite: options.name ?? "inferred", expectations };
};

/** The suite as YAML that parseSuite reads back. */
export const suiteToYaml = (suite: InferredSuite, source?: string): string => {
  const header = source === undefined ? "" : `# Inferred by cairn data infer-suite from ${source.replaceAll("\n", " ")}\n`;
  return `${header}${stringify(suite, { lineWidth: 0 })}`;
};
