import type { Migration } from "../migrations.js";

/**
 * Schema version 7 — serving: the prediction log and labels.
 *
 * predictions: one row per sampled served request, inputs and outputs as JSON text ({name: {dims, type, data}}).
 * Reads are by deployment (and version) over a time range, so the index leads with deployment and time; retention
 * deletes by time (age) or by prediction_key (row count), both ranges on an index.
 * prediction_labels: ground truth that arrives later, keyed by the request id that the answer carried; a label may
 * arrive before its prediction is written (the log is flushed asynchronously), so it is not a foreign key.
 */
export const PREDICTION_LOG_MIGRATION: Migration = {
  version: 7,
  description: "serving: the prediction log and labels",
  sql: `
    CREATE TABLE predictions (
      prediction_key INTEGER PRIMARY KEY,
      deployment TEXT NOT NULL,
      version TEXT NOT NULL,
      time INTEGER NOT NULL,
      latency_ms REAL NOT NULL,
      request_id TEXT NOT NULL,
      inputs TEXT NOT NULL,
      outputs TEXT NOT NULL
    );
    CREATE INDEX predictions_deployment_time ON predictions (deployment, time, prediction_key);
    CREATE INDEX predictions_time ON predictions (time, prediction_key);
    CREATE INDEX predictions_request_id ON predictions (request_id);

    CREATE TABLE prediction_labels (
      request_id TEXT PRIMARY KEY,
      label TEXT NOT NULL,
      time INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX prediction_labels_time ON prediction_labels (time);
  `,
};
