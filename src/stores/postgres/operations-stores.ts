import type { MetadataStores } from "../metadata-stores.js";
import type { PgDatabase } from "./pg-database.js";
import { PgDeploymentStore } from "./pg-deployment-store.js";
import { PgMonitorStore } from "./pg-monitor-store.js";
import { PgPredictionLogStore } from "./pg-prediction-log-store.js";
import { PgWebhookStore } from "./pg-webhook-store.js";
import type { PostgresStoresOptions } from "./open-stores.js";

/**
 * Webhooks, deployments, the prediction log, monitors and shadow reports (kept by the deployment store, as on
 * SQLite) on PostgreSQL (schema/004-operations.ts). Stateless: every process on the database sees the same rows.
 */
export const openPgOperationsStores = async (
  db: PgDatabase,
  _options: PostgresStoresOptions,
): Promise<Pick<MetadataStores, "webhooks" | "deployments" | "predictions" | "monitors">> => ({
  webhooks: new PgWebhookStore(db),
  deployments: new PgDeploymentStore(db),
  predictions: new PgPredictionLogStore(db),
  monitors: new PgMonitorStore(db),
});
