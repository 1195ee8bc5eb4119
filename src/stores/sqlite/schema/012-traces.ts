import type { Migration } from "../migrations.js";

/**
 * Schema version 12 — tracing: MLflow 3 trace headers (TraceInfoV3), their tags, metadata and assessments. Spans
 * are not stored here: clients upload them as each trace's traces.json artifact.
 *
 * traces: one row per trace, keyed by an integer `trace_key` that the child tables reference (as runs/run_key).
 * `request_time` and `execution_duration` are milliseconds. The search's default order is request_time DESC then
 * trace_id, within one or a few experiments: traces_experiment_time serves it without a sort.
 * trace_tags / trace_metadata: WITHOUT ROWID on (trace_key, key), so a trace's tags are one range read; the
 * (key, value) indexes serve filters on a rare tag or metadata value.
 * assessments: the kind-specific part (feedback or expectation) is JSON text in `value`; `overrides` names the
 * assessment this one supersedes, whose `valid` flips to 0 in the same transaction.
 * trace_data: a trace's traces.json (its spans), uploaded through the artifact routes to the trace's own artifact
 * location and kept here rather than as a file (see artifact-stores/trace-data-overlay.ts); deleted with the trace.
 * Deleting an experiment row (never done by the API: experiment delete is a soft delete, as in MLflow) cascades.
 */
export const TRACES_MIGRATION: Migration = {
  version: 12,
  description: "tracing: traces, trace tags, trace metadata, assessments, trace data (traces.json)",
  sql: `
    CREATE TABLE traces (
      trace_key INTEGER PRIMARY KEY,
      trace_id TEXT NOT NULL UNIQUE,
      experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
      client_request_id TEXT,
      request_preview TEXT,
      response_preview TEXT,
      request_time INTEGER NOT NULL,
      execution_duration INTEGER,
      state TEXT NOT NULL
    );
    CREATE INDEX traces_experiment_time ON traces (experiment_id, request_time DESC, trace_id);

    CREATE TABLE trace_tags (
      trace_key INTEGER NOT NULL REFERENCES traces (trace_key) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (trace_key, key)
    ) WITHOUT ROWID;
    CREATE INDEX trace_tags_key_value ON trace_tags (key, value);

    CREATE TABLE trace_metadata (
      trace_key INTEGER NOT NULL REFERENCES traces (trace_key) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (trace_key, key)
    ) WITHOUT ROWID;
    CREATE INDEX trace_metadata_key_value ON trace_metadata (key, value);

    CREATE TABLE assessments (
      assessment_key INTEGER PRIMARY KEY,
      assessment_id TEXT NOT NULL UNIQUE,
      trace_key INTEGER NOT NULL REFERENCES traces (trace_key) ON DELETE CASCADE,
      name TEXT NOT NULL,
      span_id TEXT,
      source_type TEXT,
      source_id TEXT,
      create_time INTEGER NOT NULL,
      last_update_time INTEGER NOT NULL,
      value TEXT NOT NULL,
      rationale TEXT,
      metadata TEXT NOT NULL,
      overrides TEXT,
      valid INTEGER NOT NULL
    );
    CREATE INDEX assessments_trace ON assessments (trace_key, create_time, assessment_key);

    CREATE TABLE trace_data (
      trace_key INTEGER PRIMARY KEY REFERENCES traces (trace_key) ON DELETE CASCADE,
      data BLOB NOT NULL,
      modified_time INTEGER NOT NULL
    );
  `,
};
