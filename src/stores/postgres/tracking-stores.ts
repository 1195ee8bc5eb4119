import type { MetadataStores } from "../metadata-stores.js";
import type { PostgresStoresOptions } from "./open-stores.js";
import type { PgDatabase } from "./pg-database.js";
import { PgDataVersionStore } from "./pg-data-version-store.js";
import { PgLoggedModelStore } from "./pg-logged-model-store.js";
import { PgTrackingStore } from "./pg-tracking-store.js";

/**
 * Tracking, logged models and data versions on PostgreSQL (schema/001-tracking.ts). Ensures the Default experiment
 * (id 0) exists: replicas starting together on an empty database race here, and INSERT ... ON CONFLICT DO NOTHING
 * lets exactly one of them create it.
 */
export const openPgTrackingStores = async (
  db: PgDatabase,
  options: PostgresStoresOptions,
): Promise<Pick<MetadataStores, "tracking" | "loggedModels" | "dataVersions">> => {
  const tracking = new PgTrackingStore(db);
  await tracking.ensureDefaultExperiment(options.defaultExperimentArtifactLocation ?? "mlflow-artifacts:/0", (options.now ?? Date.now)());
  return { tracking, loggedModels: new PgLoggedModelStore(db), dataVersions: new PgDataVersionStore(db) };
};
