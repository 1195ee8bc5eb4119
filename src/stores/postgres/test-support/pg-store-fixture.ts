import { parsePostgresUri } from "../connection-uri.js";
import { upgradePostgres } from "../migrations.js";
import { PgDatabase } from "../pg-database.js";
import { createTempPgDatabase } from "./temp-database.js";

/** A fresh database at the latest schema and a PgDatabase on it; cleanup closes the pool and drops the database. */
export const openMigratedPgDatabase = async (): Promise<{ db: PgDatabase; uri: string; cleanup(): Promise<void> }> => {
  const temp = await createTempPgDatabase();
  const db = new PgDatabase(parsePostgresUri(temp.uri));
  try {
    await upgradePostgres(db);
  } catch (error) {
    await db.close();
    await temp.drop();
    throw error;
  }
  return {
    db,
    uri: temp.uri,
    cleanup: async () => {
      await db.close();
      await temp.drop();
    },
  };
};
