import type { Migration } from "../../sql/migration.js";

/**
 * PostgreSQL schema, version 5: monitor windows are claimed under a lease, the same two columns as SQLite's schema 24
 * (see src/stores/sqlite/schema/024-monitor-leases.ts for what they mean; db migrate copies them by name).
 */
export const PG_MONITOR_LEASES_MIGRATION: Migration = {
  version: 5,
  description: "monitors: window claims as leases (claimed_by, claimed_until)",
  sql: `
    ALTER TABLE monitors ADD COLUMN claimed_by TEXT;
    ALTER TABLE monitors ADD COLUMN claimed_until BIGINT;
  `,
};
