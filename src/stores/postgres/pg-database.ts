import pg from "pg";
import { CairnError, ErrorCode } from "../../core/errors.js";
import { transactionScope, type TransactionHandle } from "../../core/transaction-scope.js";
import type { PgConnectionConfig } from "./connection-uri.js";

/**
 * BIGINT (int8, OID 20) columns come back as numbers, not strings: every BIGINT in Cairn's schema is a millisecond
 * time, a step or a sequence number, all below 2^53. Set on this pool's own type table, not pg's global one.
 */
const INT8_OID = 20;
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary" ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

interface ClientHandle extends TransactionHandle {
  client: pg.PoolClient;
  /**
   * The first statement of the transaction that failed. PostgreSQL aborts a transaction at its first error, and a
   * COMMIT then rolls back without an error of its own: were the failure caught inside the work (a subscriber that
   * logs and goes on), the work would resolve and the caller be told of a write that was never stored.
   */
  failure?: unknown;
}

/** Anything that runs a query: the pool, or the client of the transaction in progress. */
type Queryable = Pick<pg.PoolClient, "query">;

export interface PgDatabaseOptions {
  /** Most connections this process opens (default 10: enough for 2 cores; PostgreSQL's own default cap is 100). */
  maxConnections?: number;
  /** Longest a request waits for a free connection before a 503 (default 10 s). */
  connectionTimeoutMs?: number;
  /** Longest one statement may run, server side (default 60 s; 0: none). */
  statementTimeoutMs?: number;
}

/**
 * One PostgreSQL database shared by every store of a process: a connection pool, and the transaction in progress
 * of the current async call chain (core/transaction-scope.ts), so that stores written as plain `db.query(...)` calls
 * join the transaction that `transaction()` (or the audit store's atomically()) opened further up, without passing a
 * client through every interface. A scope whose transaction has ended (a timer created inside it that fires later)
 * is ignored: its queries go to the pool, never to a connection that was released.
 */
export class PgDatabase {
  readonly pool: pg.Pool;
  private closed = false;

  constructor(config: PgConnectionConfig, options: PgDatabaseOptions = {}) {
    this.pool = new pg.Pool({
      host: config.host,
      port: config.port,
      database: config.database,
      ...(config.user === undefined ? {} : { user: config.user }),
      ...(config.password === undefined ? {} : { password: config.password }),
      ...(config.ssl === true ? { ssl: true } : {}),
      application_name: config.applicationName ?? "cairn",
      // Doubles as their shortest exact text (PostgreSQL 12's default, 1 or more), whatever the server or database is
      // set to: metric values read back, and the audit digests hashed from them, must be the values written.
      options: "-c extra_float_digits=1",
      types: typeParsers,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      idleTimeoutMillis: 30_000,
      ...(options.statementTimeoutMs === 0 ? {} : { statement_timeout: options.statementTimeoutMs ?? 60_000 }),
    });
    // An idle client whose server went away emits 'error' on the pool; without a listener that would crash the
    // process. The pool drops the client and the next query opens a new connection.
    this.pool.on("error", () => undefined);
  }

  /** The rows of one statement (`$1`, `$2`... placeholders), inside the current transaction if there is one. */
  async query<Row extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.runInScope<Row>(sql, params);
    return result.rows;
  }

  /**
   * query() as a named prepared statement: each connection parses and plans `sql` once, then reuses the plan (pg keys
   * it by `name`: one name, one text). For a hot statement whose planning costs more than its execution (the pending
   * digest upsert: 0.85-0.97 ms a call unnamed, 0.24-0.33 ms named, on a loaded 2-core machine).
   */
  async queryPrepared<Row extends object = Record<string, unknown>>(name: string, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.runInScope<Row>({ name, text: sql }, params);
    return result.rows;
  }

  /** The first row of a statement, or undefined. */
  async one<Row extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.query<Row>(sql, params))[0];
  }

  /** The number of rows a statement changed. */
  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.runInScope(sql, params);
    return result.rowCount ?? 0;
  }

  /** True inside transaction()'s work. */
  get inTransaction(): boolean {
    return this.currentClient() !== undefined;
  }

  /**
   * Runs `work` in one transaction: every db.query() it makes (directly or through any store on this database) uses
   * the transaction's connection, and it commits when `work` resolves, rolls back when it throws. Nested calls join
   * the outer transaction (one unit, like SQLite's nested db.transaction would with savepoints omitted).
   * A serialization failure or deadlock (40001, 40P01) is retried up to 3 times when `retryConflicts` is set.
   * `readOnlySnapshot`: REPEATABLE READ, READ ONLY — several statements read one snapshot (as SQLite's read
   * transaction); inside a transaction already in progress, the work simply joins it.
   */
  async transaction<T>(work: () => Promise<T>, options: { retryConflicts?: boolean; readOnlySnapshot?: boolean } = {}): Promise<T> {
    if (this.currentClient() !== undefined) return work();
    const begin = options.readOnlySnapshot === true ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN";
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.connect();
      const handle: ClientHandle = { owner: this, active: true, client };
      let release: Error | undefined;
      try {
        await this.run(client, begin, []);
        const result = await transactionScope.run(handle, work);
        handle.active = false;
        // A statement failed and the work caught it: the transaction is aborted, so nothing of it can commit.
        if (handle.failure !== undefined) throw handle.failure;
        const committed = await this.run(client, "COMMIT", []);
        if (committed.command === "ROLLBACK") throw new Error("PostgreSQL rolled the transaction back at COMMIT: nothing of it was stored");
        return result;
      } catch (error) {
        handle.active = false;
        await client.query("ROLLBACK").catch((rollbackError: unknown) => {
          // The connection is in an unknown state: destroy it rather than return it to the pool.
          release = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        const code = pgErrorCode(error);
        if (options.retryConflicts === true && attempt < 3 && (code === "40001" || code === "40P01")) continue;
        throw error;
      } finally {
        client.release(release);
      }
    }
  }

  /**
   * Runs `work` in a transaction that first takes the transaction-level advisory lock `key`: every process on this
   * database that locks the same key runs its work one at a time (the audit chain's appends, a monitor window's
   * claim). The lock is released at commit or rollback, also when the process dies.
   */
  async withAdvisoryLock<T>(key: bigint, work: () => Promise<T>): Promise<T> {
    return this.transaction(async () => {
      await this.query("SELECT pg_advisory_xact_lock($1)", [key.toString()]);
      return work();
    });
  }

  /**
   * Listens on a NOTIFY channel on a dedicated connection, reconnecting (with backoff up to 5 s) when it drops;
   * `onReconnect` runs after each reconnection so the caller can catch up on what it missed. Returns a stop function.
   */
  async listen(channel: string, onMessage: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`NOTIFY channel '${channel}' must be a lower-case identifier`);
    let stopped = false;
    let client: pg.PoolClient | undefined;
    let delay = 100;
    const attach = async (): Promise<void> => {
      while (!stopped) {
        try {
          const next = await this.pool.connect();
          next.on("notification", (message) => {
            if (message.channel === channel) onMessage(message.payload ?? "");
          });
          next.on("error", () => {
            // Stopped: the client was handed back to the pool (whose own listener handles its errors); releasing it
            // again would throw out of the event handler (seen when a test's database is dropped after a stop).
            if (stopped) return;
            next.release(true);
            if (client === next) client = undefined;
            if (!stopped) setTimeout(() => void attach().then(() => onReconnect?.()), delay);
          });
          await next.query(`LISTEN ${channel}`);
          client = next;
          delay = 100;
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(delay * 2, 5_000);
        }
      }
    };
    await attach();
    return async () => {
      stopped = true;
      const held = client;
      client = undefined;
      if (held !== undefined) {
        await held.query(`UNLISTEN ${channel}`).catch(() => undefined);
        held.release();
      }
    };
  }

  /** Sends a NOTIFY (delivered at commit when called inside a transaction). */
  async notify(channel: string, payload: string): Promise<void> {
    await this.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** The connection of this database's transaction in progress in the current call chain, if any. */
  private currentClient(): pg.PoolClient | undefined {
    return this.currentHandle()?.client;
  }

  private currentHandle(): ClientHandle | undefined {
    const handle = transactionScope.getStore() as ClientHandle | undefined;
    return handle !== undefined && handle.owner === this && handle.active ? handle : undefined;
  }

  /** One statement in the transaction in progress (whose first failure it remembers), or on the pool. */
  private async runInScope<Row extends object>(sql: string | { name: string; text: string }, params: readonly unknown[]): Promise<pg.QueryResult<Row>> {
    const handle = this.currentHandle();
    if (handle === undefined) return this.run<Row>(this.pool, sql, params);
    try {
      return await this.run<Row>(handle.client, sql, params);
    } catch (error) {
      handle.failure ??= error;
      throw error;
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  private async run<Row extends object>(on: Queryable, sql: string | { name: string; text: string }, params: readonly unknown[]): Promise<pg.QueryResult<Row>> {
    try {
      return await (typeof sql === "string" ? on.query<Row>(sql, params as unknown[]) : on.query<Row>({ ...sql, values: params as unknown[] }));
    } catch (error) {
      throw toStoreError(error);
    }
  }
}

/** The SQLSTATE of a PostgreSQL error, if it is one. */
export const pgErrorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
};

/** SQLSTATE classes and socket errors that mean "the database is not reachable right now", not "your request is wrong". */
const isUnavailable = (error: unknown): boolean => {
  const code = pgErrorCode(error) ?? "";
  if (/^(08|53|57P0[1-3])/.test(code)) return true; // connection exceptions, out of resources, admin/crash shutdown
  if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN"].includes(code)) return true;
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
};

/**
 * Converts "the database is away" into a 503 with MLflow's error shape (the client may retry), and leaves every other
 * error as it is (constraint violations are the stores' to translate; anything else is a 500 at the edge).
 * The message never includes connection parameters.
 */
export const toStoreError = (error: unknown): unknown => {
  if (error instanceof CairnError) return error;
  // PostgreSQL's TEXT cannot hold NUL (22021, 22P05 for some encodings); SQLite can. A client's value, not a fault.
  const code = pgErrorCode(error);
  if (code === "22021" || code === "22P05") {
    return new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, "text values must not contain NUL characters (\\u0000)", { cause: error });
  }
  if (isUnavailable(error)) {
    return new CairnError(ErrorCode.TEMPORARILY_UNAVAILABLE, "the PostgreSQL backend store is unavailable; retry later", { cause: error });
  }
  return error;
};
