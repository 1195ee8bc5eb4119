import type { ColumnKind } from "../dataset.js";

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?|INT\d*|BIGNUM)$/;
const DATETIME = /^(DATE|TIME|TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIME WITH TIME ZONE|TIMESTAMP WITH TIME ZONE|TIMETZ|TIMESTAMPTZ)$/;

/** The kind of a column from DuckDB's type name: anything not numeric, boolean or temporal is treated as categorical. */
export const columnKindOf = (sqlType: string): ColumnKind => {
  const type = sqlType.trim().toUpperCase();
  if (NUMERIC.test(type)) return "numeric";
  if (type === "BOOLEAN") return "boolean";
  if (DATETIME.test(type)) return "datetime";
  return "categorical";
};

/** Integer types, for which a column of rows is stored as BIGINT rather than DOUBLE. */
export const isIntegerType = (sqlType: string): boolean =>
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT\d*)$/.test(sqlType.trim().toUpperCase());
