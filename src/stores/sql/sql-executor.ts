/**
 * The least a portable query module needs from a database: rows of a statement and the count of a write, with `?`
 * placeholders (the PostgreSQL executor numbers them). Code written against it runs on both backends unchanged, inside
 * whatever transaction the caller opened (SQLite: the connection's; PostgreSQL: PgDatabase's AsyncLocalStorage one).
 */
export interface SqlExecutor {
  all<Row extends object>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** `?` -> `$1, $2...` outside quoted strings and identifiers (the portable SQL never puts a `?` inside one anyway). */
export const numberPlaceholders = (sql: string): string => {
  let n = 0;
  let quote: string | undefined;
  let out = "";
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === "?") {
      n += 1;
      out += `$${n}`;
    } else {
      out += ch;
    }
  }
  return out;
};

/** `(?, ?, ?)` for an IN list of `count` values (callers bound the list). */
export const placeholders = (count: number): string => `(${Array.from({ length: count }, () => "?").join(", ")})`;
