import { parsePostgresUri } from "../connection-uri.js";
import { upgradePostgres } from "../migrations.js";
import { PgDatabase } from "../pg-database.js";
import { createTempPgDatabase, type TempPgDatabase } from "./temp-database.js";

/** A fresh PostgreSQL database with the whole schema, for the registry, governance, manifest and trace store tests. */
export interface RegistryTestDatabase {
  db: PgDatabase;
  temp: TempPgDatabase;
  /** Inserts an active experiment row (what a trace needs) and returns its id. */
  experiment(name: string): Promise<string>;
  cleanup(): Promise<void>;
}

export const openRegistryTestDatabase = async (): Promise<RegistryTestDatabase> => {
  const temp = await createTempPgDatabase("cairn_registry");
  const db = new PgDatabase(parsePostgresUri(temp.uri), { maxConnections: 4 });
  await upgradePostgres(db);
  return {
    db,
    temp,
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
      await temp.drop();
    },
  };
};
