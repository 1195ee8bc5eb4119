import { invalidParameter } from "../../core/errors.js";
import type { SqlDialect, SqlParams } from "./dialect.js";

/** Comparators shared by run and experiment filters. */
export type SqlComparator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE" | "IN" | "NOT IN";

const PLAIN: ReadonlySet<string> = new Set(["=", "!=", ">", ">=", "<", "<="]);

/**
 * `expr <comparator> value` with the value bound, never interpolated. `field` only names the operand in errors.
 * A NULL `expr` makes every comparison unknown (false), so a missing value never matches, not even `!=`.
 */
export const compileComparison = (
  dialect: SqlDialect,
  params: SqlParams,
  expr: string,
  comparator: SqlComparator,
  value: unknown,
  field: string,
): string => {
  if (PLAIN.has(comparator)) {
    if (Array.isArray(value)) throw invalidParameter(`${field}: comparator '${comparator}' takes a single value`);
    return `${expr} ${comparator === "!=" ? "<>" : comparator} ${params.bind(value)}`;
  }
  if (comparator === "LIKE" || comparator === "ILIKE") {
    if (typeof value !== "string") throw invalidParameter(`${field}: comparator '${comparator}' takes a string value`);
    return comparator === "LIKE" ? dialect.like(expr, value, params) : dialect.ilike(expr, value, params);
  }
  if (!Array.isArray(value)) throw invalidParameter(`${field}: comparator '${comparator}' takes a list of values`);
  // An empty list matches nothing (IN) or everything that has a value (NOT IN).
  if (value.length === 0) return comparator === "IN" ? "1 = 0" : `${expr} IS NOT NULL`;
  return `${expr} ${comparator} (${params.bindList(value)})`;
};

/** The int64 range of the BIGINT columns (times in ms) that numeric attribute filters compare. */
const INT64_MAX = 2 ** 63;
const INT64_MIN = -(2 ** 63);

/**
 * `column <comparator> value` for an integer column and any number, as exactly the same integer comparison: a
 * fractional value becomes its floor or ceiling (x > 1.5 is x > 1, x >= 1.5 is x >= 2), and a value past the int64
 * range (or infinite) a constant. PostgreSQL refuses a fractional or out-of-range parameter for a BIGINT (22P02,
 * 22003) where MLflow's SQLAlchemy store and SQLite compare numbers, so both backends bind only integers here; and
 * the index on the column still serves the comparison (a cast of the column would not).
 */
export const compileIntegerComparison = (dialect: SqlDialect, params: SqlParams, column: string, comparator: SqlComparator, value: number, field: string): string => {
  if (Number.isInteger(value) && value > INT64_MIN && value < INT64_MAX) return compileComparison(dialect, params, column, comparator, value, field);
  if (!PLAIN.has(comparator)) return compileComparison(dialect, params, column, comparator, value, field);
  const none = "1 = 0";
  const anyValue = `${column} IS NOT NULL`;
  if (Number.isNaN(value)) return comparator === "!=" ? anyValue : none;
  if (value >= INT64_MAX) return comparator === "<" || comparator === "<=" || comparator === "!=" ? anyValue : none;
  if (value <= INT64_MIN) return comparator === ">" || comparator === ">=" || comparator === "!=" ? anyValue : none;
  switch (comparator) {
    case "=":
      return none;
    case "!=":
      return anyValue;
    case ">":
    case "<=":
      return compileComparison(dialect, params, column, comparator, Math.floor(value), field);
    default:
      return compileComparison(dialect, params, column, comparator, Math.ceil(value), field);
  }
};
