import { DuckDBInstance } from "@duckdb/node-api";
import { invalidParameter } from "../../core/errors.js";
import { quoteIdentifier, type ColumnInfo, type Dataset, type SqlValue } from "../dataset.js";
import { isIntegerType } from "./column-kind.js";
import { DuckDbDataset } from "./duckdb-dataset.js";

/** A type name goes into CREATE TABLE, so only plain type names (optionally with numeric arguments) are accepted. */
const SAFE_TYPE = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?$/;

/** The column type of the staging table: the appender writes JS numbers, bigints, booleans and strings. */
const storedType = (column: ColumnInfo): string => {
  switch (column.kind) {
    case "numeric":
      return isIntegerType(column.sqlType) ? "BIGINT" : "DOUBLE";
    case "boolean":
      return "BOOLEAN";
    default:
      return "VARCHAR";
  }
};

/**
 * Rows held in JavaScript (a deployment's prediction log window) as a Dataset: a table `rows` filled through DuckDB's
 * appender and a view `data` that casts each column to its declared type (dates and timestamps arrive as text).
 */
export const openRowsDataset = async (
  columns: readonly ColumnInfo[],
  rows: ReadonlyArray<Record<string, SqlValue>>,
  source = `${rows.length} rows`,
): Promise<Dataset> => {
  if (columns.length === 0) throw invalidParameter("a dataset of rows needs at least one column");
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) throw invalidParameter(`column '${column.name}' appears twice`);
    seen.add(column.name);
    if (!SAFE_TYPE.test(column.sqlType)) throw invalidParameter(`column '${column.name}' has an invalid type '${column.sqlType}'`);
  }
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const stored = columns.map(storedType);
    await connection.run(`CREATE TABLE rows (${columns.map((c, i) => `${quoteIdentifier(c.name)} ${stored[i]}`).join(", ")})`);
    const appender = await connection.createAppender("rows");
    rows.forEach((row, index) => {
      columns.forEach((column, i) => appendValue(appender, row[column.name], stored[i] ?? "VARCHAR", column.name, index));
      appender.endRow();
    });
    appender.closeSync();
    const select = columns
      .map((c, i) => (stored[i] === c.sqlType.toUpperCase() ? quoteIdentifier(c.name) : `TRY_CAST(${quoteIdentifier(c.name)} AS ${c.sqlType}) AS ${quoteIdentifier(c.name)}`))
      .join(", ");
    await connection.run(`CREATE VIEW data AS SELECT ${select} FROM rows`);
    return await DuckDbDataset.create(source, instance, connection);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
};

type Appender = Awaited<ReturnType<import("@duckdb/node-api").DuckDBConnection["createAppender"]>>;

const appendValue = (appender: Appender, value: SqlValue | undefined, type: string, column: string, row: number): void => {
  if (value === null || value === undefined) return appender.appendNull();
  const bad = () => invalidParameter(`row ${row}, column '${column}': ${JSON.stringify(typeof value === "bigint" ? String(value) : value)} is not a valid ${type}`);
  switch (type) {
    case "BIGINT": {
      if (typeof value === "bigint") return appender.appendBigInt(value);
      if (typeof value === "number" && Number.isInteger(value)) return appender.appendBigInt(BigInt(value));
      if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return appender.appendBigInt(BigInt(value.trim()));
      if (typeof value === "boolean") return appender.appendBigInt(value ? 1n : 0n);
      throw bad();
    }
    case "DOUBLE": {
      const n = typeof value === "string" ? (value.trim() === "" ? Number.NaN : Number(value)) : Number(value);
      if (Number.isNaN(n) && !(typeof value === "number")) throw bad();
      return appender.appendDouble(n);
    }
    case "BOOLEAN": {
      if (typeof value === "boolean") return appender.appendBoolean(value);
      if (value === 0 || value === 1 || value === 0n || value === 1n) return appender.appendBoolean(Number(value) === 1);
      if (value === "true" || value === "false") return appender.appendBoolean(value === "true");
      throw bad();
    }
    default:
      return appender.appendVarchar(typeof value === "string" ? value : String(value));
  }
};
