import type { PgDatabase } from "./pg-database.js";

/**
 * Runs a read of several statements on one snapshot (REPEATABLE READ, read-only), as SQLite's deferred read
 * transaction does: a run loaded while a batch commits never mixes its params from before with its metrics from after.
 * Inside a transaction already in progress, the read joins it.
 */
export const readSnapshot = async <T>(db: PgDatabase, work: () => Promise<T>): Promise<T> => {
  if (db.inTransaction) return work();
  return db.transaction(async () => {
    await db.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    return work();
  });
};

/** SQLSTATE of a unique violation. */
export const UNIQUE_VIOLATION = "23505";
