import { parsePostgresUri } from "../connection-uri.js";
import { ensurePostgresSchema } from "../migrations.js";
import { PgDatabase } from "../pg-database.js";
import { createTempPgDatabase } from "./temp-database.js";

/** A fresh database with the schema, and a way to open more pools on it (more "server processes"). */
export interface OperationsTestDatabase {
  db: PgDatabase;
  /** Another pool on the same database, closed by cleanup() unless closed before. */
  connect(): PgDatabase;
  cleanup(): Promise<void>;
}

export const openOperationsTestDatabase = async (): Promise<OperationsTestDatabase> => {
  const temp = await createTempPgDatabase();
  const pools: PgDatabase[] = [];
  const connect = (): PgDatabase => {
    const db = new PgDatabase(parsePostgresUri(temp.uri), { maxConnections: 4 });
    pools.push(db);
    return db;
  };
  const db = connect();
  await ensurePostgresSchema(db);
  return {
    db,
    connect,
    cleanup: async () => {
      for (const pool of pools) await pool.close();
      await temp.drop();
    },
  };
};
