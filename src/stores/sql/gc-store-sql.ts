import type { LifecycleStage } from "../../protocol/mlflow/entities.js";
import { DATA_CONTEXT_OUTPUT, DATA_VERSION_SOURCE_TYPE } from "../../pipelines/tracking/repro-tracker.js";
import {
  GC_PENDING_TAG,
  type DeploymentReference,
  type GcExperiment,
  type GcRun,
  type GcRunSelection,
  type GcStore,
  type LoggedModelReference,
  type ModelVersionReference,
  type MonitorReference,
} from "../../tracking/gc/gc-store.js";
import { placeholders, type SqlExecutor } from "./sql-executor.js";

const DATASET_CONTEXT_TAG = "mlflow.data.context";

interface RunRow {
  run_key: number;
  run_uuid: string;
  experiment_id: number;
  artifact_uri: string;
  lifecycle_stage: string;
  deleted_time: number | null;
  pending: string | null;
}

interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  last_update_time: number;
  pending: string | null;
}

const RUN_COLUMNS =
  "r.run_key, r.run_uuid, r.experiment_id, r.artifact_uri, r.lifecycle_stage, r.deleted_time, " +
  "(SELECT t.value FROM tags t WHERE t.run_key = r.run_key AND t.key = ?) AS pending";
const EXPERIMENT_COLUMNS =
  "e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.last_update_time, " +
  "(SELECT t.value FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ?) AS pending";

const toRun = (row: RunRow): GcRun => ({
  runKey: Number(row.run_key),
  runId: row.run_uuid,
  experimentId: String(row.experiment_id),
  artifactUri: row.artifact_uri,
  lifecycleStage: row.lifecycle_stage as LifecycleStage,
  ...(row.deleted_time === null ? {} : { deletedTime: Number(row.deleted_time) }),
  pending: row.pending !== null,
});

const toExperiment = (row: ExperimentRow): GcExperiment => ({
  experimentId: String(row.experiment_id),
  name: row.name,
  artifactLocation: row.artifact_location,
  lifecycleStage: row.lifecycle_stage as LifecycleStage,
  lastUpdateTime: Number(row.last_update_time),
  pending: row.pending !== null,
});

/** Experiment ids are integers in both schemas; anything else names no experiment. */
const experimentKeys = (ids: readonly string[]): number[] => ids.filter((id) => /^\d{1,15}$/.test(id)).map(Number);

/**
 * GcStore in SQL both SQLite and PostgreSQL run as written (`?` placeholders, no dialect functions). Each purge first
 * re-reads its row with an UPDATE that changes nothing: on PostgreSQL that takes the row's lock, so a concurrent
 * restore either happened before (the purge sees 'active' and stops) or waits for the purge to commit; SQLite's write
 * transaction already excludes every other writer.
 */
export class SqlGcStore implements GcStore {
  constructor(private readonly sql: SqlExecutor) {}

  async getRuns(runIds: readonly string[]): Promise<GcRun[]> {
    if (runIds.length === 0) return [];
    const rows = await this.sql.all<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_uuid IN ${placeholders(runIds.length)}`, [GC_PENDING_TAG, ...runIds]);
    return rows.map(toRun);
  }

  async getExperiments(experimentIds: readonly string[]): Promise<GcExperiment[]> {
    const keys = experimentKeys(experimentIds);
    if (keys.length === 0) return [];
    const rows = await this.sql.all<ExperimentRow>(
      `SELECT ${EXPERIMENT_COLUMNS} FROM experiments e WHERE e.experiment_id IN ${placeholders(keys.length)}`,
      [GC_PENDING_TAG, ...keys],
    );
    return rows.map(toExperiment);
  }

  async listDeletedExperiments(updatedBefore: number | undefined, limit: number): Promise<GcExperiment[]> {
    const age = updatedBefore === undefined ? "" : " AND e.last_update_time <= ?";
    const rows = await this.sql.all<ExperimentRow>(
      `SELECT ${EXPERIMENT_COLUMNS} FROM experiments e WHERE (e.lifecycle_stage = 'deleted'${age}) ` +
        "OR (e.lifecycle_stage = 'deleted' AND EXISTS (SELECT 1 FROM experiment_tags p WHERE p.experiment_id = e.experiment_id AND p.key = ?)) ORDER BY e.experiment_id LIMIT ?",
      [GC_PENDING_TAG, ...(updatedBefore === undefined ? [] : [updatedBefore]), GC_PENDING_TAG, limit],
    );
    return rows.map(toExperiment);
  }

  async pageRuns(selection: GcRunSelection): Promise<GcRun[]> {
    // A marked run is finished only while it is deleted (restores of marked runs are refused; this is the second line).
    const rules = ["(r.lifecycle_stage = 'deleted' AND EXISTS (SELECT 1 FROM tags p WHERE p.run_key = r.run_key AND p.key = ?))"];
    const params: unknown[] = [GC_PENDING_TAG, GC_PENDING_TAG];
    const deleted = selection.deletedRuns;
    if (deleted !== undefined && (deleted.runIds === undefined || deleted.runIds.length > 0)) {
      let rule = "r.lifecycle_stage = 'deleted'";
      if (deleted.before !== undefined) {
        rule += " AND r.deleted_time IS NOT NULL AND r.deleted_time <= ?";
        params.push(deleted.before);
      }
      if (deleted.runIds !== undefined) {
        rule += ` AND r.run_uuid IN ${placeholders(deleted.runIds.length)}`;
        params.push(...deleted.runIds);
      }
      rules.push(`(${rule})`);
    }
    const experiments = experimentKeys(selection.experimentIds);
    if (experiments.length > 0) {
      rules.push(`r.experiment_id IN ${placeholders(experiments.length)}`);
      params.push(...experiments);
    }
    params.push(selection.afterRunKey, selection.limit);
    const rows = await this.sql.all<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs r WHERE (${rules.join(" OR ")}) AND r.run_key > ? ORDER BY r.run_key LIMIT ?`,
      params,
    );
    return rows.map(toRun);
  }

  async markRunsPending(runKeys: readonly number[], now: number): Promise<number[]> {
    const marked: number[] = [];
    for (const runKey of runKeys) {
      // The no-op UPDATE locks the row (PostgreSQL) and re-reads its stage after a concurrent restore committed.
      const locked = await this.sql.run("UPDATE runs SET lifecycle_stage = 'deleted' WHERE run_key = ? AND lifecycle_stage = 'deleted'", [runKey]);
      if (locked === 0) continue;
      await this.sql.run("DELETE FROM tags WHERE run_key = ? AND key = ?", [runKey, GC_PENDING_TAG]);
      await this.sql.run("INSERT INTO tags (run_key, key, value) VALUES (?, ?, ?)", [runKey, GC_PENDING_TAG, String(now)]);
      marked.push(runKey);
    }
    return marked;
  }

  async unmarkRun(runKey: number): Promise<void> {
    await this.sql.run("DELETE FROM tags WHERE run_key = ? AND key = ?", [runKey, GC_PENDING_TAG]);
  }

  async markExperimentPending(experimentId: string, now: number): Promise<boolean> {
    const [key] = experimentKeys([experimentId]);
    if (key === undefined) return false;
    const locked = await this.sql.run(
      "UPDATE experiments SET lifecycle_stage = 'deleted' WHERE experiment_id = ? AND lifecycle_stage = 'deleted'",
      [key],
    );
    if (locked === 0) return false;
    await this.sql.run("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", [key, GC_PENDING_TAG]);
    await this.sql.run("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)", [key, GC_PENDING_TAG, String(now)]);
    return true;
  }

  async purgeRun(runKey: number): Promise<boolean> {
    const locked = await this.sql.run("UPDATE runs SET lifecycle_stage = 'deleted' WHERE run_key = ? AND lifecycle_stage = 'deleted'", [runKey]);
    if (locked === 0) return false;
    for (const table of ["metrics", "latest_metrics", "params", "tags"]) await this.sql.run(`DELETE FROM ${table} WHERE run_key = ?`, [runKey]);
    await this.sql.run("DELETE FROM input_tags WHERE input_key IN (SELECT input_key FROM inputs WHERE run_key = ?)", [runKey]);
    await this.sql.run("DELETE FROM inputs WHERE run_key = ?", [runKey]);
    await this.sql.run("DELETE FROM run_model_links WHERE run_key = ?", [runKey]);
    return (await this.sql.run("DELETE FROM runs WHERE run_key = ?", [runKey])) === 1;
  }

  async purgeExperiment(experimentId: string): Promise<boolean> {
    const [key] = experimentKeys([experimentId]);
    if (key === undefined) return false;
    const locked = await this.sql.run(
      "UPDATE experiments SET lifecycle_stage = 'deleted' WHERE experiment_id = ? AND lifecycle_stage = 'deleted'",
      [key],
    );
    if (locked === 0) return false;
    if ((await this.sql.all("SELECT 1 AS one FROM runs WHERE experiment_id = ? LIMIT 1", [key])).length > 0) return false;
    const models = "SELECT model_key FROM logged_models WHERE experiment_id = ?";
    for (const table of ["logged_model_metrics", "logged_model_params", "logged_model_tags"]) {
      await this.sql.run(`DELETE FROM ${table} WHERE model_key IN (${models})`, [key]);
    }
    await this.sql.run("DELETE FROM logged_models WHERE experiment_id = ?", [key]);
    const traces = "SELECT trace_key FROM traces WHERE experiment_id = ?";
    for (const table of ["assessments", "trace_data", "trace_metadata", "trace_tags"]) {
      await this.sql.run(`DELETE FROM ${table} WHERE trace_key IN (${traces})`, [key]);
    }
    await this.sql.run("DELETE FROM traces WHERE experiment_id = ?", [key]);
    const datasets = "SELECT dataset_key FROM datasets WHERE experiment_id = ?";
    await this.sql.run(`DELETE FROM input_tags WHERE input_key IN (SELECT input_key FROM inputs WHERE dataset_key IN (${datasets}))`, [key]);
    await this.sql.run(`DELETE FROM inputs WHERE dataset_key IN (${datasets})`, [key]);
    await this.sql.run("DELETE FROM datasets WHERE experiment_id = ?", [key]);
    await this.sql.run("DELETE FROM experiment_tags WHERE experiment_id = ?", [key]);
    await this.sql.run("DELETE FROM experiment_permissions WHERE experiment_id = ?", [String(key)]);
    return (await this.sql.run("DELETE FROM experiments WHERE experiment_id = ?", [key])) === 1;
  }

  async pageModelVersions(afterVersionKey: number, limit: number): Promise<ModelVersionReference[]> {
    const rows = await this.sql.all<{ version_key: number; name: string; version: number; run_id: string | null; source: string; model_id: string | null }>(
      "SELECT version_key, name, version, run_id, source, model_id FROM model_versions WHERE version_key > ? ORDER BY version_key LIMIT ?",
      [afterVersionKey, limit],
    );
    return rows.map((row) => ({
      versionKey: Number(row.version_key),
      name: row.name,
      version: String(row.version),
      source: row.source,
      ...(row.run_id === null || row.run_id === "" ? {} : { runId: row.run_id }),
      ...(row.model_id === null || row.model_id === "" ? {} : { modelId: row.model_id }),
    }));
  }

  async listDeployments(limit: number): Promise<DeploymentReference[]> {
    const rows = await this.sql.all<{ name: string; model_uri: string; model_name: string; policy: string; followed_version: string | null }>(
      "SELECT name, model_uri, model_name, policy, followed_version FROM deployments ORDER BY name LIMIT ?",
      [limit],
    );
    return rows.map((row) => ({
      name: row.name,
      modelUri: row.model_uri,
      modelName: row.model_name,
      policy: row.policy,
      ...(row.followed_version === null ? {} : { followedVersion: row.followed_version }),
    }));
  }

  async listMonitors(limit: number): Promise<MonitorReference[]> {
    return this.sql.all<MonitorReference>("SELECT name, spec FROM monitors ORDER BY name LIMIT ?", [limit]);
  }

  async pageActiveLoggedModels(afterModelKey: number, limit: number): Promise<LoggedModelReference[]> {
    const rows = await this.sql.all<{ model_key: number; model_id: string; experiment_id: number; source_run_id: string | null }>(
      "SELECT model_key, model_id, experiment_id, source_run_id FROM logged_models WHERE lifecycle_stage = 'active' AND model_key > ? ORDER BY model_key LIMIT ?",
      [afterModelKey, limit],
    );
    return rows.map((row) => ({
      modelKey: Number(row.model_key),
      modelId: row.model_id,
      experimentId: String(row.experiment_id),
      ...(row.source_run_id === null || row.source_run_id === "" ? {} : { sourceRunId: row.source_run_id }),
    }));
  }

  async loggedModelIdsOf(experimentId: string, limit: number): Promise<string[]> {
    const [key] = experimentKeys([experimentId]);
    if (key === undefined) return [];
    const rows = await this.sql.all<{ model_id: string }>("SELECT model_id FROM logged_models WHERE experiment_id = ? ORDER BY model_key LIMIT ?", [key, limit]);
    return rows.map((row) => row.model_id);
  }

  async lineageProducerRuns(limit: number): Promise<string[]> {
    const rows = await this.sql.all<{ run_uuid: string }>(
      "SELECT DISTINCT r.run_uuid FROM runs r " +
        "JOIN inputs i ON i.run_key = r.run_key JOIN datasets d ON d.dataset_key = i.dataset_key " +
        "JOIN input_tags c ON c.input_key = i.input_key AND c.key = ? AND c.value = ? " +
        "WHERE r.lifecycle_stage = 'deleted' AND d.source_type = ? AND EXISTS (" +
        "SELECT 1 FROM datasets d2 JOIN inputs i2 ON i2.dataset_key = d2.dataset_key JOIN runs r2 ON r2.run_key = i2.run_key " +
        "WHERE d2.source_type = d.source_type AND d2.source = d.source AND r2.lifecycle_stage = 'active') " +
        "ORDER BY r.run_uuid LIMIT ?",
      [DATASET_CONTEXT_TAG, DATA_CONTEXT_OUTPUT, DATA_VERSION_SOURCE_TYPE, limit],
    );
    return rows.map((row) => row.run_uuid);
  }
}
