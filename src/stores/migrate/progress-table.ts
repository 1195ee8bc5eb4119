import type { PgDatabase } from "../postgres/pg-database.js";

/**
 * Where a migration into PostgreSQL records how far each table got, in the target itself: a chunk of rows and its
 * progress row commit in one transaction, so a killed `cairn db migrate` re-run continues after the last committed
 * chunk and never copies a row twice. Its presence also marks the target as "a migration in progress", which is
 * what lets a re-run write into a database that already holds rows.
 */
export const PROGRESS_TABLE = "cairn_migration_progress";

export interface TableProgress {
  rowsCopied: number;
  lastKey?: string;
  done: boolean;
}

export const progressTableExists = async (db: PgDatabase): Promise<boolean> =>
  (await db.one<{ present: boolean }>(`SELECT to_regclass('${PROGRESS_TABLE}') IS NOT NULL AS present`))?.present === true;

export const createProgressTable = async (db: PgDatabase): Promise<void> => {
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (table_name TEXT PRIMARY KEY, rows_copied BIGINT NOT NULL, last_key TEXT, done INTEGER NOT NULL)`,
  );
};

export const readProgress = async (db: PgDatabase): Promise<Map<string, TableProgress>> => {
  const rows = await db.query<{ table_name: string; rows_copied: number; last_key: string | null; done: number }>(
    `SELECT table_name, rows_copied, last_key, done FROM ${PROGRESS_TABLE}`,
  );
  return new Map(
    rows.map((row) => [
      row.table_name,
      { rowsCopied: row.rows_copied, done: row.done === 1, ...(row.last_key === null ? {} : { lastKey: row.last_key }) },
    ]),
  );
};

export const writeProgress = async (db: PgDatabase, table: string, progress: TableProgress): Promise<void> => {
  await db.query(
    `INSERT INTO ${PROGRESS_TABLE} (table_name, rows_copied, last_key, done) VALUES ($1, $2, $3, $4) ` +
      "ON CONFLICT (table_name) DO UPDATE SET rows_copied = EXCLUDED.rows_copied, last_key = EXCLUDED.last_key, done = EXCLUDED.done",
    [table, progress.rowsCopied, progress.lastKey ?? null, progress.done ? 1 : 0],
  );
};
