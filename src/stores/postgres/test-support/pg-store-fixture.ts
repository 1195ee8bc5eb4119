import { parsePostgresUri } from "../connection-uri.js";
import { upgradePostgres } from "../migrations.js";
import { PgDatabase } from "../pg-database.js";
import { checkoutPgDatabase, emptyPgDatabase } from "./temp-database.js";

/** An empty database at the latest schema (reused between tests: checkoutPgDatabase) and a PgDatabase on it; cleanup closes the pool and drops the database. */
export const openMigratedPgDatabase = async (): Promise<{ db: PgDatabase; uri: string; cleanup(): Promise<void> }> => {
  const checkedOut = await checkoutPgDatabase("cairn_migrated");
  const db = new PgDatabase(parsePostgresUri(checkedOut.uri));
  try {
    await upgradePostgres(db);
    if (checkedOut.reused) await emptyPgDatabase(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    db,
    uri: checkedOut.uri,
    cleanup: async () => {
      await db.close();
      checkedOut.release();
    },
  };
};
