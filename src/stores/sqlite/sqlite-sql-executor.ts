import type { SqlExecutor } from "../sql/sql-executor.js";
import type { SqliteConnection } from "./statement-cache.js";

/** The portable executor over a better-sqlite3 connection (statements cached; synchronous underneath). */
export const sqliteSqlExecutor = (conn: SqliteConnection): SqlExecutor => ({
  all: async <Row extends object>(sql: string, params: readonly unknown[] = []) => conn.stmt(sql).all(...params) as Row[],
  run: async (sql: string, params: readonly unknown[] = []) => conn.stmt(sql).run(...params).changes,
});
