import { numberPlaceholders, type SqlExecutor } from "../sql/sql-executor.js";
import type { PgDatabase } from "./pg-database.js";

/** The portable executor over PgDatabase: `?` numbered as `$n`; joins the transaction of the current call chain. */
export const pgSqlExecutor = (db: PgDatabase): SqlExecutor => {
  const numbered = new Map<string, string>();
  const sqlOf = (sql: string): string => {
    let text = numbered.get(sql);
    if (text === undefined) {
      text = numberPlaceholders(sql);
      if (numbered.size < 512) numbered.set(sql, text);
    }
    return text;
  };
  return {
    all: <Row extends object>(sql: string, params: readonly unknown[] = []) => db.query<Row>(sqlOf(sql), params),
    run: (sql: string, params: readonly unknown[] = []) => db.execute(sqlOf(sql), params),
  };
};
