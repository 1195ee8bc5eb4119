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
