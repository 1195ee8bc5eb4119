import type { Migration } from "../../sql/migration.js";

/** PostgreSQL schema, version 3: audit events and verification checkpoints, users, permissions. Same table and column names as the SQLite schema (db migrate copies by name). */
export const PG_AUDIT_MIGRATION: Migration = {
  version: 3,
  description: "audit events and verification checkpoints, users, permissions",
  sql: `
    -- TODO(issue 14): filled in by the audit stores' port.
    SELECT 1;
  `,
};
