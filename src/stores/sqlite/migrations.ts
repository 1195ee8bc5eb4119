import type { Database } from "better-sqlite3";
import type { Migration } from "../sql/migration.js";
import { REGISTRY_MIGRATION } from "./schema/002-registry.js";
import { AUDIT_MIGRATION } from "./schema/003-audit.js";
import { WEBHOOKS_MIGRATION } from "./schema/004-webhooks.js";
import { GOVERNANCE_MIGRATION } from "./schema/005-governance.js";
import { DEPLOYMENTS_MIGRATION } from "./schema/006-deployments.js";
import { PREDICTION_LOG_MIGRATION } from "./schema/007-prediction-log.js";
import { MONITORS_MIGRATION } from "./schema/008-monitors.js";
import { DEPLOYMENT_OPTIONS_SHADOW_REPORTS_MIGRATION } from "./schema/009-deployment-options-shadow-reports.js";
import { MONITOR_ALERT_EVENTS_MIGRATION } from "./schema/010-monitor-alert-events.js";
import { LOGGED_MODELS_MIGRATION } from "./schema/011-logged-models.js";
import { TRACES_MIGRATION } from "./schema/012-traces.js";
import { WEBHOOK_FORMATS_MIGRATION } from "./schema/013-webhook-formats.js";
import { MODEL_VERSION_MODEL_ID_MIGRATION } from "./schema/014-model-version-model-id.js";
import { APPROVAL_REVOCATION_MIGRATION } from "./schema/015-approval-revocation.js";
import { MONITOR_CHECK_STATUS_MIGRATION } from "./schema/016-monitor-check-status.js";
import { DEPLOYMENT_HEALTH_MIGRATION } from "./schema/017-deployment-health.js";
import { AUTH_MIGRATION } from "./schema/018-auth.js";
import { PERMISSIONS_MIGRATION } from "./schema/019-permissions.js";
import { DEPLOYMENT_VERSION_FAILURES_MIGRATION } from "./schema/020-deployment-version-failures.js";
import { MODEL_VERSION_MANIFESTS_MIGRATION } from "./schema/021-model-version-manifests.js";
import { PREDICTION_LOG_RETENTION_MIGRATION } from "./schema/022-prediction-log-retention.js";
import { AUDIT_DIGESTS_MIGRATION } from "./schema/023-audit-digests.js";
import { MONITOR_LEASES_MIGRATION } from "./schema/024-monitor-leases.js";
import { SHADOW_REPORT_PARTS_MIGRATION } from "./schema/025-shadow-report-parts.js";
import { SHADOW_PART_COMPACTION_MIGRATION } from "./schema/026-shadow-part-compaction.js";

/**
 * The schema, as an ordered list of migrations. A migration is never edited once released: a change is a new entry.
 * `schema_version` holds one row with the version applied; all pending migrations run in one transaction at open.
 *
 * Design notes (against MLflow's schema): runs get an integer `run_key` that every child table references, so the
 * big tables and their indexes hold an 8-byte integer instead of a 32-character uuid; child tables are WITHOUT ROWID
 * with the natural key as primary key, which makes the table its own index (metrics: the full row is the key, so an
 * identical row is ignored on insert and history reads are an ordered range scan).
 */
export type { Migration } from "../sql/migration.js";

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "tracking: experiments, runs, metrics, latest metrics, params, tags, datasets, inputs",
    sql: `
      CREATE TABLE experiments (
        experiment_id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        artifact_location TEXT NOT NULL,
        lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted')),
        creation_time INTEGER NOT NULL,
        last_update_time INTEGER NOT NULL
      );
      CREATE INDEX experiments_creation_time ON experiments (creation_time);

      CREATE TABLE experiment_tags (
        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (experiment_id, key)
      ) WITHOUT ROWID;

      CREATE TABLE runs (
        run_key INTEGER PRIMARY KEY,
        run_uuid TEXT NOT NULL UNIQUE,
        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
        name TEXT NOT NULL,
        user_id TEXT NOT NULL,
        status TEXT NOT NULL,
        start_time INTEGER NOT NULL,
        end_time INTEGER,
        lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted')),
        artifact_uri TEXT NOT NULL,
        deleted_time INTEGER
      );
      CREATE INDEX runs_experiment_start_time ON runs (experiment_id, start_time DESC, run_uuid);
      -- Covers the usual search scope (one experiment, active runs) without touching the table: -25 % on a
      -- metric-ordered search of 100k runs.
      CREATE INDEX runs_experiment_stage_start_time ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid);

      CREATE TABLE metrics (
        run_key INTEGER NOT NULL REFERENCES runs (run_key) ON DELETE CASCADE,
        key TEXT NOT NULL,
        step INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        value REAL NOT NULL,
        is_nan INTEGER NOT NULL,
        PRIMARY KEY (run_key, key, step, timestamp, value, is_nan)
      ) WITHOUT ROWID;

      CREATE TABLE latest_metrics (
        run_key INTEGER NOT NULL REFERENCES runs (run_key) ON DELETE CASCADE,
        key TEXT NOT NULL,
        step INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        value REAL NOT NULL,
        is_nan INTEGER NOT NULL,
        PRIMARY KEY (run_key, key)
      ) WITHOUT ROWID;
      CREATE INDEX latest_metrics_key_value ON latest_metrics (key, is_nan, value);

      CREATE TABLE params (
        run_key INTEGER NOT NULL REFERENCES runs (run_key) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_key, key)
      ) WITHOUT ROWID;
      CREATE INDEX params_key_value ON params (key, value);

      CREATE TABLE tags (
        run_key INTEGER NOT NULL REFERENCES runs (run_key) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_key, key)
      ) WITHOUT ROWID;
      CREATE INDEX tags_key_value ON tags (key, value);

      CREATE TABLE datasets (
        dataset_key INTEGER PRIMARY KEY,
        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        digest TEXT NOT NULL,
        source_type TEXT NOT NULL,
        source TEXT NOT NULL,
        schema TEXT,
        profile TEXT,
        UNIQUE (experiment_id, name, digest)
      );

      CREATE TABLE inputs (
        input_key INTEGER PRIMARY KEY,
        run_key INTEGER NOT NULL REFERENCES runs (run_key) ON DELETE CASCADE,
        dataset_key INTEGER NOT NULL REFERENCES datasets (dataset_key) ON DELETE CASCADE,
        UNIQUE (run_key, dataset_key)
      );
      CREATE INDEX inputs_dataset ON inputs (dataset_key);

      CREATE TABLE input_tags (
        input_key INTEGER NOT NULL REFERENCES inputs (input_key) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (input_key, key)
      ) WITHOUT ROWID;
    `,
  },
  // Later versions live one file each in ./schema/, so that each domain's tables sit beside its store.
  REGISTRY_MIGRATION,
  AUDIT_MIGRATION,
  WEBHOOKS_MIGRATION,
  GOVERNANCE_MIGRATION,
  DEPLOYMENTS_MIGRATION,
  PREDICTION_LOG_MIGRATION,
  MONITORS_MIGRATION,
  DEPLOYMENT_OPTIONS_SHADOW_REPORTS_MIGRATION,
  MONITOR_ALERT_EVENTS_MIGRATION,
  LOGGED_MODELS_MIGRATION,
  TRACES_MIGRATION,
  WEBHOOK_FORMATS_MIGRATION,
  MODEL_VERSION_MODEL_ID_MIGRATION,
  APPROVAL_REVOCATION_MIGRATION,
  MONITOR_CHECK_STATUS_MIGRATION,
  DEPLOYMENT_HEALTH_MIGRATION,
  AUTH_MIGRATION,
  PERMISSIONS_MIGRATION,
  DEPLOYMENT_VERSION_FAILURES_MIGRATION,
  MODEL_VERSION_MANIFESTS_MIGRATION,
  PREDICTION_LOG_RETENTION_MIGRATION,
  AUDIT_DIGESTS_MIGRATION,
  MONITOR_LEASES_MIGRATION,
  SHADOW_REPORT_PARTS_MIGRATION,
  SHADOW_PART_COMPACTION_MIGRATION,
];

export const LATEST_SCHEMA_VERSION: number = SQLITE_MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

export const readSchemaVersion = (db: Database): number => {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .get();
  if (table === undefined) return 0;
  const row = db.prepare("SELECT version FROM schema_version").get() as { version: number } | undefined;
  return row?.version ?? 0;
};

/**
 * Brings the database to LATEST_SCHEMA_VERSION. Refuses a database written by a newer Cairn: guessing at a schema
 * this code does not know could corrupt it. IMMEDIATE takes the write lock first, so two processes opening the
 * same fresh file do not both migrate.
 */
export const migrate = (db: Database, migrations: readonly Migration[] = SQLITE_MIGRATIONS): number => {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const run = db.transaction(() => {
    const current = readSchemaVersion(db);
    if (current > latest) {
      throw new Error(`database schema version ${current} is newer than this Cairn (${latest}); upgrade Cairn`);
    }
    if (current === latest) return current;
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version > current) db.exec(migration.sql);
    }
    db.exec("DELETE FROM schema_version");
    db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(latest);
    return latest;
  });
  return run.immediate();
};
