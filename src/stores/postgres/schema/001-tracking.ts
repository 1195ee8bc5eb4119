import type { Migration } from "../../sql/migration.js";

/** PostgreSQL schema, version 1: tracking (experiments, runs, metrics, params, tags, datasets, inputs), logged models, traces. Same table and column names as the SQLite schema (db migrate copies by name). */
export const PG_TRACKING_MIGRATION: Migration = {
  version: 1,
  description: "tracking (experiments, runs, metrics, params, tags, datasets, inputs), logged models, traces",
  sql: `
    -- TODO(issue 14): filled in by the tracking stores' port.
    SELECT 1;
  `,
};
