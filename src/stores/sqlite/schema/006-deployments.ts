import type { Migration } from "../migrations.js";

/**
 * Schema version 6 — serving: deployments, their traffic policy and history.
 *
 * A deployment is one row: its model URI, the traffic policy as JSON (primary version, optional canary and shadow;
 * small, always read and written whole), batching options and the prediction-log sample rate. `followed_version` is
 * the version the alias named when the deployment last followed it: at start-up an alias that names another version
 * has moved while the server was down, while a primary that differs from an unchanged alias was chosen on purpose
 * (promote, rollback) and stays.
 *
 * The history is append-only: one row per change of which version serves which role, so "which version served
 * when" is a range scan by deployment.
 */
export const DEPLOYMENTS_MIGRATION: Migration = {
  version: 6,
  description: "serving: deployments, their traffic policy and history",
  sql: `
    CREATE TABLE deployments (
      name TEXT PRIMARY KEY,
      model_uri TEXT NOT NULL,
      model_name TEXT NOT NULL,
      -- {"primary": "3", "canary": {"version", "weight", "sticky"}?, "shadow": {"version", "share"}?}
      policy TEXT NOT NULL,
      followed_version TEXT,
      max_batch_size INTEGER,
      max_latency_ms REAL,
      prediction_log_sample_rate REAL NOT NULL,
      last_error TEXT,
      created_time INTEGER NOT NULL,
      last_updated_time INTEGER NOT NULL
    );

    CREATE TABLE deployment_history (
      entry_key INTEGER PRIMARY KEY,
      deployment TEXT NOT NULL,
      time INTEGER NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('primary', 'canary', 'shadow')),
      from_version TEXT,
      to_version TEXT,
      reason TEXT NOT NULL CHECK (reason IN ('create', 'alias-moved', 'promote', 'rollback', 'canary', 'shadow', 'delete')),
      actor TEXT NOT NULL,
      request_id TEXT NOT NULL
    );
    CREATE INDEX deployments_model ON deployments (model_name);
    CREATE INDEX deployment_history_deployment ON deployment_history (deployment, entry_key);
  `,
};
