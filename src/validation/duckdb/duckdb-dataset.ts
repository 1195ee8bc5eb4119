import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from "@duckdb/node-api";
import { readDoubleColumn } from "./double-column.js";
import { invalidParameter } from "../../core/errors.js";
import { quoteIdentifier, type ColumnInfo, type Dataset, type NumericValuesOptions, type SqlValue } from "../dataset.js";
import { columnKindOf } from "./column-kind.js";
import { toSqlValue } from "./to-sql-value.js";

/** Largest sample numericValues() hands to JavaScript: the tests that need raw values work on samples this size at most. */
export const MAX_NUMERIC_VALUES = 10_000_000;

/**
 * A Dataset over one DuckDB in-memory instance of its own, in which the relation `data` (a view over a file, or a
 * table of rows) already exists. One instance per dataset keeps datasets independent: closing one, or setting its
 * thread count for a repeatable sample, never touches another.
 */
export class DuckDbDataset implements Dataset {
  private closed = false;
  private count: number | undefined;
  /**
   * Work still running on the connection. DuckDB runs a query on a libuv thread; closing the connection under it
   * frees the context the query is using (a SIGSEGV in ClientContext::LockContext, seen when one of several parallel
   * column queries fails and the caller closes the dataset while the others still run). close() waits for these.
   */
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(
    readonly source: string,
    readonly columns: readonly ColumnInfo[],
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly onClose: () => Promise<void>,
  ) {}

  /** Reads the columns of `data` (already created on the connection). */
  static async create(source: string, instance: DuckDBInstance, connection: DuckDBConnection, onClose: () => Promise<void> = async () => {}): Promise<DuckDbDataset> {
    const reader = await connection.runAndReadAll("SELECT column_name, column_type FROM (DESCRIBE data)");
    const columns = reader.getRowObjects().map((row): ColumnInfo => {
      const sqlType = String(row.column_type);
      return { name: String(row.column_name), sqlType, kind: columnKindOf(sqlType) };
    });
    return new DuckDbDataset(source, columns, instance, connection, onClose);
  }

  async rowCount(): Promise<number> {
    if (this.count === undefined) {
      const [row] = await this.query("SELECT count(*) AS n FROM data");
      this.count = Number(row?.n ?? 0);
    }
    return this.count;
  }

  async query(sql: string, params: readonly SqlValue[] = []): Promise<Array<Record<string, SqlValue>>> {
    this.ensureOpen();
    const reader = await this.track(this.connection.runAndReadAll(sql, params.length === 0 ? undefined : (params as DuckDBValue[])));
    return reader.getRowObjects().map((row) => {
      const out: Record<string, SqlValue> = {};
      for (const [key, value] of Object.entries(row)) out[key] = toSqlValue(value);
      return out;
    });
  }

  async numericValues(column: string, options: NumericValuesOptions = {}): Promise<Float64Array> {
    this.ensureOpen();
    const info = this.columns.find((c) => c.name === column);
    if (info === undefined) throw invalidParameter(`Column '${column}' does not exist in ${this.source}`);
    if (info.kind !== "numeric" && info.kind !== "boolean") {
      throw invalidParameter(`Column '${column}' is ${info.sqlType} (${info.kind}), not numeric`);
    }
    const { limit, seed = 0, sorted = false } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_NUMERIC_VALUES)) {
      throw invalidParameter(`limit must be an integer between 1 and ${MAX_NUMERIC_VALUES}, got ${limit}`);
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw invalidParameter(`seed must be an integer between 0 and 2147483647, got ${seed}`);
    const inner = `SELECT CAST(${quoteIdentifier(column)} AS DOUBLE) AS v FROM data WHERE ${quoteIdentifier(column)} IS NOT NULL`;
    let sql = inner;
    let sampled = false;
    if (limit !== undefined) {
      const [row] = await this.query(`SELECT count(*) AS n FROM (${inner})`);
      if (Number(row?.n ?? 0) > limit) {
        // USING SAMPLE applies before WHERE, so the nulls are dropped in a subquery first. Reservoir sampling is
        // repeatable with a seed only on one thread, hence the thread count for this one query.
        sql = `SELECT v FROM (${inner}) USING SAMPLE reservoir(${limit} ROWS) REPEATABLE (${seed})`;
        sampled = true;
      }
    }
    // The engine sorts (in parallel, radix) faster than a JavaScript typed-array sort; a sample is drawn first and
    // then sorted, so the sample is the same one an unsorted read returns.
    if (sorted) sql = `SELECT v FROM (${sql}) ORDER BY v`;
    return this.track(
      (async () => {
        if (sampled) await this.connection.run("SET threads = 1");
        try {
          return await readDoubleColumn(this.connection, sql);
        } finally {
          if (sampled) await this.connection.run("RESET threads");
        }
      })(),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    this.connection.closeSync();
    this.instance.closeSync();
    await this.onClose();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const settled = (): void => void this.inFlight.delete(work);
    work.then(settled, settled);
    return work;
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`dataset ${this.source} is closed`);
  }
}
