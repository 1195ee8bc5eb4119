import type { TrackingStore } from "../../tracking/store.js";
import { openDatabase } from "./open-database.js";
import { SqliteTrackingStore } from "./sqlite-tracking-store.js";

export { LATEST_SCHEMA_VERSION, SQLITE_MIGRATIONS, type Migration } from "./migrations.js";
export { SqliteTrackingStore } from "./sqlite-tracking-store.js";
export { SqliteRegistryStore } from "./sqlite-registry-store.js";

export interface SqliteTrackingStoreOptions {
  /** artifact_location of the Default experiment (id 0) when the database is created. */
  defaultExperimentArtifactLocation?: string;
  /** Milliseconds clock for the Default experiment's creation time. */
  now?: () => number;
}

/**
 * Opens the SQLite tracking store at `filePath` (parent folders are created), migrating the schema to the latest
 * version and creating the Default experiment if it is missing.
 */
export const openSqliteTrackingStore = async (
  filePath: string,
  options: SqliteTrackingStoreOptions = {},
): Promise<TrackingStore & SqliteTrackingStore> => {
  const store = new SqliteTrackingStore(openDatabase(filePath));
  try {
    store.ensureDefaultExperiment(options.defaultExperimentArtifactLocation ?? "mlflow-artifacts:/0", (options.now ?? Date.now)());
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
};
