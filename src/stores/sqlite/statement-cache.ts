import type { Database, Statement } from "better-sqlite3";

/**
 * Prepared statements cached by SQL text. Preparing costs tens of microseconds; a hot path such as logBatch runs the
 * same few statements thousands of times a second. Compiled search queries vary with the filter, so the cache is
 * bounded (cleared when full: cheap, and the hot statements are re-prepared on next use).
 */
export class SqliteConnection {
  private readonly cache = new Map<string, Statement>();
  private readonly rawCache = new Map<string, Statement>();

  constructor(
    readonly db: Database,
    private readonly maxStatements = 512,
  ) {}

  stmt(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (statement === undefined) {
      if (this.cache.size >= this.maxStatements) this.cache.clear();
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }

  /**
   * The statement in raw mode (rows as arrays of column values), cached apart from the object-mode one: raw mode is a
   * statement's state, so one prepared statement never serves both.
   */
  rawStmt(sql: string): Statement {
    let statement = this.rawCache.get(sql);
    if (statement === undefined) {
      if (this.rawCache.size >= this.maxStatements) this.rawCache.clear();
      statement = this.db.prepare(sql).raw(true);
      this.rawCache.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work` in one write transaction; BEGIN IMMEDIATE so that concurrent writers queue on busy_timeout. */
  write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Runs `work` in one read transaction, so multi-query reads see one snapshot. */
  read<T>(work: () => T): T {
    return this.db.transaction(work).deferred();
  }
}
