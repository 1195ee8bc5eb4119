/**
 * What an expectation's queries share: the dataset, its columns, and the expectation's row condition compiled
 * into the same parameter list as the rest of the query.
 */
import type { ColumnInfo, Dataset, SqlValue } from "../dataset.js";
import { compileRowCondition, type RowCondition, SqlParameters } from "./row-condition.js";
import type { ArgumentValue, Expectation } from "./suite.js";
import { MAX_EXAMPLES, type ExampleRow, type ExpectationResult } from "./result.js";

export interface Scope {
  dataset: Dataset;
  columns: ReadonlyMap<string, ColumnInfo>;
}

/** `WHERE ...` text for a row condition plus extra predicates, in the given parameter list ("" when none). */
export const whereClause = (condition: RowCondition | undefined, params: SqlParameters, extra: string[] = []): string => {
  const parts = [...(condition ? [compileRowCondition(condition, params)] : []), ...extra];
  return parts.length === 0 ? "" : ` WHERE ${parts.join(" AND ")}`;
};

/** The result skeleton every expectation shares. */
export const baseResult = (expectation: Expectation): Omit<ExpectationResult, "success" | "observed_value" | "bound" | "message"> => {
  const column = expectation.kwargs.column;
  const columnList = expectation.kwargs.column_list;
  return {
    expectation: expectation.expectation,
    ...(typeof column === "string" ? { column } : {}),
    ...(Array.isArray(columnList) && expectation.expectation === "expect_compound_columns_to_be_unique" ? { column_list: columnList as string[] } : {}),
    ...(typeof expectation.kwargs.row_condition === "string" ? { row_condition: expectation.kwargs.row_condition } : {}),
    line: expectation.line,
    examples: [],
  };
};

/** The subject of a message: `expect_x on column "a"` (with the row condition when there is one). */
export const subject = (expectation: Expectation): string => {
  const column = expectation.kwargs.column;
  const columns = expectation.kwargs.column_list;
  const on = typeof column === "string" ? ` on column "${column}"` : Array.isArray(columns) && expectation.expectation === "expect_compound_columns_to_be_unique" ? ` on columns ${(columns as string[]).map((c) => `"${c}"`).join(", ")}` : "";
  const where = typeof expectation.kwargs.row_condition === "string" ? ` where ${expectation.kwargs.row_condition}` : "";
  return `${expectation.expectation}${on}${where}`;
};

/** A failure that is not about values: a missing column, a column of the wrong kind. */
export const errorResult = (expectation: Expectation, message: string, bound = ""): ExpectationResult => ({
  ...baseResult(expectation),
  success: false,
  observed_value: null,
  bound,
  message: `${subject(expectation)} failed: ${message}`,
});

export const toNumber = (value: SqlValue | undefined): number | null =>
  value === null || value === undefined ? null : typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : typeof value === "boolean" ? Number(value) : Number(value);

/** A value fit for JSON: BIGINTs become numbers (text beyond 2^53, where a number would change the value). */
export const plain = (value: SqlValue | undefined): SqlValue => {
  if (value === undefined) return null;
  if (typeof value !== "bigint") return value;
  return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
};

/**
 * Up to five failing rows with their 1-based row numbers. The row number is taken before the row condition
 * filters, so it is the row's position in the file. Runs only for failed expectations.
 */
export const exampleRows = async (
  scope: Scope,
  condition: RowCondition | undefined,
  predicate: (params: SqlParameters) => string,
  valueSql: string[],
): Promise<ExampleRow[]> => {
  const params = new SqlParameters();
  const where = whereClause(condition, params, [predicate(params)]);
  const values = valueSql.map((sql, index) => `${sql} AS "__cairn_v${index}"`).join(", ");
  const rows = await scope.dataset.query(
    `SELECT "__cairn_row", ${values} FROM (SELECT row_number() OVER () AS "__cairn_row", * FROM data) AS data${where} ORDER BY "__cairn_row" LIMIT ${MAX_EXAMPLES}`,
    params.values,
  );
  return rows.map((row) => {
    const cells = valueSql.map((_sql, index) => plain(row[`__cairn_v${index}`]));
    return { row: toNumber(row.__cairn_row ?? null) ?? 0, value: cells.length === 1 ? (cells[0] ?? null) : cells };
  });
};

export const numberArg = (kwargs: Readonly<Record<string, ArgumentValue>>, key: string, fallback: number): number => {
  const value = kwargs[key];
  return typeof value === "number" ? value : fallback;
};
