import type { MetadataStores } from "../metadata-stores.js";
import type { PgDatabase } from "./pg-database.js";
import { PgGovernanceStore } from "./pg-governance-store.js";
import { PgManifestStore } from "./pg-manifest-store.js";
import { PgRegistryStore } from "./pg-registry-store.js";
import { PgTraceStore } from "./pg-trace-store.js";
import type { PostgresStoresOptions } from "./open-stores.js";

/**
 * Registry, governance, manifests and traces on PostgreSQL (schema/002-registry.ts). They share the process's pool
 * and join each other's (and the audit unit's) transactions through PgDatabase; the pool is closed by the caller.
 */
export const openPgRegistryStores = async (
  db: PgDatabase,
  _options: PostgresStoresOptions,
): Promise<Pick<MetadataStores, "registry" | "governance" | "manifests" | "traces">> => ({
  registry: new PgRegistryStore(db),
  governance: new PgGovernanceStore(db),
  manifests: new PgManifestStore(db),
  traces: new PgTraceStore(db),
});
