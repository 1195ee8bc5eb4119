import type { MetadataStores } from "../metadata-stores.js";
import { openDatabase } from "./open-database.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";
import { SqliteAuthStore } from "./sqlite-auth-store.js";
import { SqliteDataVersionStore } from "./sqlite-data-version-store.js";
import { SqliteDeploymentStore } from "./sqlite-deployment-store.js";
import { SqliteGovernanceStore } from "./sqlite-governance-store.js";
import { SqliteLoggedModelStore } from "./sqlite-logged-model-store.js";
import { SqliteManifestStore } from "./sqlite-manifest-store.js";
import { SqliteMonitorStore } from "./sqlite-monitor-store.js";
import { SqlitePermissionStore } from "./sqlite-permission-store.js";
import { SqlitePredictionLogStore } from "./sqlite-prediction-log-store.js";
import { SqliteRegistryStore } from "./sqlite-registry-store.js";
import { SqliteTrackingStore } from "./sqlite-tracking-store.js";
import { SqliteTraceStore } from "./sqlite-trace-store.js";
import { SqliteWebhookStore } from "./sqlite-webhook-store.js";
import { SqlGcStore } from "../sql/gc-store-sql.js";
import { sqliteSqlExecutor } from "./sqlite-sql-executor.js";
import { SqliteConnection } from "./statement-cache.js";

export interface SqliteStoresOptions {
  /** artifact_location of the Default experiment (id 0) when the database is created. */
  defaultExperimentArtifactLocation?: string;
  now?: () => number;
}

/** Opens (creating and migrating) the SQLite file and every metadata store on one connection. */
export const openSqliteMetadataStores = async (filePath: string, options: SqliteStoresOptions = {}): Promise<MetadataStores> => {
  const db = openDatabase(filePath);
  const tracking = new SqliteTrackingStore(db);
  try {
    tracking.ensureDefaultExperiment(options.defaultExperimentArtifactLocation ?? "mlflow-artifacts:/0", (options.now ?? Date.now)());
  } catch (error) {
    await tracking.close();
    throw error;
  }
  return {
    tracking,
    loggedModels: new SqliteLoggedModelStore(db),
    registry: new SqliteRegistryStore(db),
    audit: new SqliteAuditStore(db),
    webhooks: new SqliteWebhookStore(db),
    governance: new SqliteGovernanceStore(db),
    deployments: new SqliteDeploymentStore(db),
    predictions: new SqlitePredictionLogStore(db),
    monitors: new SqliteMonitorStore(db),
    traces: new SqliteTraceStore(db),
    auth: new SqliteAuthStore(db),
    permissions: new SqlitePermissionStore(db),
    manifests: new SqliteManifestStore(db),
    dataVersions: new SqliteDataVersionStore(db),
    gc: new SqlGcStore(sqliteSqlExecutor(new SqliteConnection(db))),
    // The tracking store owns the connection: closing it runs PRAGMA optimize and closes the file.
    close: () => tracking.close(),
  };
};
