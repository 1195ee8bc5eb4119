import { parsePostgresUri } from "../connection-uri.js";
import { ensurePostgresSchema } from "../migrations.js";
import { PgDatabase } from "../pg-database.js";
import { PgDataVersionStore } from "../pg-data-version-store.js";
import { PgLoggedModelStore } from "../pg-logged-model-store.js";
import { PgTrackingStore } from "../pg-tracking-store.js";
import { createTempPgDatabase } from "./temp-database.js";

export interface TempPgTrackingStores {
  db: PgDatabase;
  uri: string;
  tracking: PgTrackingStore;
  loggedModels: PgLoggedModelStore;
  dataVersions: PgDataVersionStore;
  cleanup(): Promise<void>;
}

/**
 * The tracking-side stores on a fresh database of the test cluster, with the schema and the Default experiment, as
 * tracking-stores.ts opens them (without the other domains' factories, so these tests do not depend on them).
 */
export const openTempPgTrackingStores = async (): Promise<TempPgTrackingStores> => {
  const temp = await createTempPgDatabase("cairn_tracking");
  const db = new PgDatabase(parsePostgresUri(temp.uri), { maxConnections: 4 });
  await ensurePostgresSchema(db);
  const tracking = new PgTrackingStore(db);
  await tracking.ensureDefaultExperiment("mlflow-artifacts:/0", Date.now());
  return {
    db,
    uri: temp.uri,
    tracking,
    loggedModels: new PgLoggedModelStore(db),
    dataVersions: new PgDataVersionStore(db),
    cleanup: async () => {
      await db.close();
      await temp.drop();
    },
  };
};
