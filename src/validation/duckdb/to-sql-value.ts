import type { DuckDBValue } from "@duckdb/node-api";
import { DuckDBDecimalValue } from "@duckdb/node-api";
import type { SqlValue } from "../dataset.js";

/** A DuckDB result value as a plain SqlValue: decimals become doubles, dates, timestamps and nested values text. */
export const toSqlValue = (value: DuckDBValue): SqlValue => {
  if (value === null || typeof value === "number" || typeof value === "bigint" || typeof value === "string" || typeof value === "boolean") {
    return value;
  }
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  return value.toString();
};
