import type { Migration } from "../../sql/migration.js";

/** PostgreSQL schema, version 4: webhooks, deployments, prediction log, monitors, shadow reports. Same table and column names as the SQLite schema (db migrate copies by name). */
export const PG_OPERATIONS_MIGRATION: Migration = {
  version: 4,
  description: "webhooks, deployments, prediction log, monitors, shadow reports",
  sql: `
    -- TODO(issue 14): filled in by the operations stores' port.
    SELECT 1;
  `,
};
