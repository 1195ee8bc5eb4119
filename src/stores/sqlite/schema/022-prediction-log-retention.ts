import type { Migration } from "../migrations.js";

/**
 * Schema version 22 — serving: per-deployment prediction-log retention.
 *
 * `deployments.prediction_log_max_age_seconds` and `deployments.prediction_log_max_rows`: a deployment's own bounds
 * on its logged predictions (NULL: only the server's bounds apply; the server's bounds cap every deployment anyway).
 *
 * `prediction_log_counts`: how many predictions each deployment has in the log, kept by the store in the same
 * transaction as every insert and delete of predictions. Retention asks it whether a row bound is due (one primary
 * key lookup) instead of counting or offsetting through a deployment's rows every minute. Filled here from the rows
 * already logged (one scan, once).
 */
export const PREDICTION_LOG_RETENTION_MIGRATION: Migration = {
  version: 22,
  description: "serving: per-deployment prediction-log bounds, prediction_log_counts",
  sql: `
    ALTER TABLE deployments ADD COLUMN prediction_log_max_age_seconds INTEGER;
    ALTER TABLE deployments ADD COLUMN prediction_log_max_rows INTEGER;

    CREATE TABLE prediction_log_counts (
      deployment TEXT PRIMARY KEY,
      rows INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO prediction_log_counts (deployment, rows) SELECT deployment, count(*) FROM predictions GROUP BY deployment;
  `,
};
