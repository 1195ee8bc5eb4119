import type { Migration } from "../../sql/migration.js";

/** PostgreSQL schema, version 2: registry, governance, manifests, traces. Same table and column names as the SQLite schema (db migrate copies by name). */
export const PG_REGISTRY_MIGRATION: Migration = {
  version: 2,
  description: "registry, governance, manifests, traces",
  sql: `
    -- TODO(issue 14): filled in by the registry stores' port.
    SELECT 1;
  `,
};
