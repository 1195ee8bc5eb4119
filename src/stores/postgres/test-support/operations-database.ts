import { parsePostgresUri } from "../connection-uri.js";
import { ensurePostgresSchema } from "../migrations.js";
import { PgDatabase } from "../pg-database.js";
import { checkoutPgDatabase, emptyPgDatabase } from "./temp-database.js";

/** An empty database with the schema (reused between tests: checkoutPgDatabase), and a way to open more pools on it (more "server processes"). */
export interface OperationsTestDatabase {
  db: PgDatabase;
  /** Another pool on the same database, closed by cleanup() unless closed before. */
  connect(): PgDatabase;
  cleanup(): Promise<void>;
}

export const openOperationsTestDatabase = async (): Promise<OperationsTestDatabase> => {
  const checkedOut = await checkoutPgDatabase("cairn_operations");
  const pools: PgDatabase[] = [];
  const connect = (): PgDatabase => {
    const db = new PgDatabase(parsePostgresUri(checkedOut.uri), { maxConnections: 4 });
    pools.push(db);
    return db;
  };
  const db = connect();
  await ensurePostgresSchema(db);
  if (checkedOut.reused) await emptyPgDatabase(db);
  return {
    db,
    connect,
    cleanup: async () => {
      for (const pool of pools) await pool.close();
      checkedOut.release();
    },
  };
};
