import type { Migration } from "../migrations.js";

/**
 * Schema version 11 — MLflow 3 logged models.
 *
 * logged_models: one row per model, owned by an experiment. `model_key` is the integer every child table holds
 * (as runs have run_key). lifecycle_stage is the model's own (DeleteLoggedModel); a model of a deleted experiment
 * keeps its row and stage and is hidden through the experiment, so restoring the experiment brings it back.
 * The search index leads with the usual scope (experiment, active) and MLflow's default order (newest first).
 *
 * logged_model_metrics: the model's metrics, one row per (key, dataset name, dataset digest) holding the latest
 * value logged with the model's id (latest by timestamp, then step, as MLflow ranks them). A side table: the run's
 * metrics table and its primary key are untouched, so log-batch without model ids costs what it did. '' stands for
 * "no dataset". `run_id` is the run the value was logged in.
 *
 * run_model_links: runs/outputs (direction 'output', with the step) and runs/log-inputs `models` ('input', step 0).
 * The unique key makes a retried call idempotent; link_key keeps the order links were made in.
 */
export const LOGGED_MODELS_MIGRATION: Migration = {
  version: 11,
  description: "tracking: logged models, their params, tags and metrics; run model outputs and inputs",
  sql: `
    CREATE TABLE logged_models (
      model_key INTEGER PRIMARY KEY,
      model_id TEXT NOT NULL UNIQUE,
      experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
      name TEXT NOT NULL,
      artifact_uri TEXT NOT NULL,
      creation_time INTEGER NOT NULL,
      last_updated_time INTEGER NOT NULL,
      status TEXT NOT NULL,
      status_message TEXT,
      model_type TEXT,
      source_run_id TEXT,
      lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted'))
    );
    CREATE INDEX logged_models_experiment_stage_creation
      ON logged_models (experiment_id, lifecycle_stage, creation_time DESC, model_id);

    CREATE TABLE logged_model_params (
      model_key INTEGER NOT NULL REFERENCES logged_models (model_key) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (model_key, key)
    ) WITHOUT ROWID;

    CREATE TABLE logged_model_tags (
      model_key INTEGER NOT NULL REFERENCES logged_models (model_key) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (model_key, key)
    ) WITHOUT ROWID;

    CREATE TABLE logged_model_metrics (
      model_key INTEGER NOT NULL REFERENCES logged_models (model_key) ON DELETE CASCADE,
      key TEXT NOT NULL,
      dataset_name TEXT NOT NULL,
      dataset_digest TEXT NOT NULL,
      run_id TEXT,
      step INTEGER NOT NULL,
      timestamp INTEGER NOT NULL,
      value REAL NOT NULL,
      is_nan INTEGER NOT NULL,
      PRIMARY KEY (model_key, key, dataset_name, dataset_digest)
    ) WITHOUT ROWID;
    CREATE INDEX logged_model_metrics_key_value ON logged_model_metrics (key, is_nan, value);

    CREATE TABLE run_model_links (
      link_key INTEGER PRIMARY KEY,
      run_key INTEGER NOT NULL REFERENCES runs (run_key) ON DELETE CASCADE,
      direction TEXT NOT NULL CHECK (direction IN ('output', 'input')),
      model_id TEXT NOT NULL,
      step INTEGER NOT NULL,
      UNIQUE (run_key, direction, model_id, step)
    );
  `,
};
