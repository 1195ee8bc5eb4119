import { parsePostgresUri } from "../connection-uri.js";
import { upgradePostgres } from "../migrations.js";
import { PgDatabase } from "../pg-database.js";
import { checkoutPgDatabase, emptyPgDatabase } from "./temp-database.js";

/** An empty PostgreSQL database with the whole schema (reused between tests: checkoutPgDatabase), for the registry, governance, manifest and trace store tests. */
export interface RegistryTestDatabase {
  db: PgDatabase;
  uri: string;
  /** Inserts an active experiment row (what a trace needs) and returns its id. */
  experiment(name: string): Promise<string>;
  cleanup(): Promise<void>;
}

export const openRegistryTestDatabase = async (): Promise<RegistryTestDatabase> => {
  const checkedOut = await checkoutPgDatabase("cairn_registry");
  const db = new PgDatabase(parsePostgresUri(checkedOut.uri), { maxConnections: 4 });
  await upgradePostgres(db);
  if (checkedOut.reused) await emptyPgDatabase(db);
  return {
    db,
    uri: checkedOut.uri,
    experiment: async (name) => {
      const row = await db.one<{ experiment_id: number }>(
        "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) " +
          "VALUES ($1, $2, 'active', 1, 1) RETURNING experiment_id",
        [name, `mlflow-artifacts:/${name}`],
      );
      return String(row?.experiment_id);
    },
    cleanup: async () => {
      await db.close();
      checkedOut.release();
    },
  };
};
