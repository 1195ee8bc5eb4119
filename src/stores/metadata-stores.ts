import type { AuditStore } from "../audit/store.js";
import type { AuthStore } from "../auth/store.js";
import type { PermissionStore } from "../auth/permissions/store.js";
import type { DataVersionStore } from "../pipelines/server/data-versions-store.js";
import type { MonitorStore } from "../monitoring/monitors/store.js";
import type { GovernanceStore } from "../registry/governance-store.js";
import type { ManifestStore } from "../registry/integrity/manifest-store.js";
import type { RegistryStore } from "../registry/store.js";
import type { DeploymentStore } from "../serving/deployments/deployment.js";
import type { PredictionLogStore } from "../serving/prediction-log/store.js";
import type { LoggedModelStore } from "../tracking/logged-models/store.js";
import type { TrackingStore } from "../tracking/store.js";
import type { TraceStore } from "../tracing/store.js";
import type { WebhookStore } from "../webhooks/store.js";
import type { GcStore } from "../tracking/gc/gc-store.js";

/**
 * Every metadata store of one backend, opened from one URI. For SQLite they share one connection (better-sqlite3 is
 * synchronous, so one connection per process is both simplest and fastest); close() closes it once.
 */
export interface MetadataStores {
  tracking: TrackingStore;
  /** MLflow 3 logged models (their metrics are written through tracking's logBatch). */
  loggedModels: LoggedModelStore;
  registry: RegistryStore;
  audit: AuditStore;
  webhooks: WebhookStore;
  governance: GovernanceStore;
  deployments: DeploymentStore;
  predictions: PredictionLogStore;
  monitors: MonitorStore;
  traces: TraceStore;
  /** Users, personal access tokens and UI sessions (`--auth`). */
  auth: AuthStore;
  /** Authorization grants (per-user permissions, approvers). */
  permissions: PermissionStore;
  /** sha256 manifests of registered versions' files; absent in a backend without them (versions are then not pinned). */
  manifests?: ManifestStore;
  /** Data versions recorded as dataset inputs (issue 13); absent in a backend without them (their pages show no runs). */
  dataVersions?: DataVersionStore;
  /** `cairn gc`'s reads and permanent removals (portable SQL: src/stores/sql/gc-store-sql.ts); absent: gc refuses. */
  gc?: GcStore;
  close(): Promise<void>;
}
