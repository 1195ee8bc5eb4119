import type { Database } from "better-sqlite3";
import { alreadyExists, notFound } from "../../core/errors.js";
import type {
  Deployment,
  DeploymentStore,
  FailedVersion,
  HealthState,
  HistoryEntry,
  SavedShadowReport,
  ShadowPartKey,
  ShadowPartRevision,
} from "../../serving/deployments/deployment.js";
import {
  rowValues,
  toDeployment,
  shadowReportParams,
  SHADOW_REPORT_COLUMNS,
  toEntry,
  toSavedShadowReport,
  type DeploymentRow,
  type HistoryRow,
  type ShadowReportRow,
} from "../sql/deployment-rows.js";
import { SqliteConnection } from "./statement-cache.js";

/** Thrown inside a compaction's transaction to roll it back: a part it read has changed. */
class CompactionLost extends Error {}

/** The DeploymentStore on the process's shared better-sqlite3 connection (the wiring that opened it closes it). */
export class SqliteDeploymentStore implements DeploymentStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db);
  }

  /** Processes on one SQLite file have no notification channel: ReplicaSync's periodic sync is how they catch up. */
  readonly notifiesChanges = false;

  async watchChanges(_onChange: (name: string | undefined) => void): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  private appendHistory(entries: readonly HistoryEntry[]): void {
    const insert = this.conn.stmt(
      `INSERT INTO deployment_history (deployment, time, role, from_version, to_version, reason, actor, request_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of entries) {
      insert.run(e.deployment, e.time, e.role, e.from ?? null, e.to ?? null, e.reason, JSON.stringify(e.actor), e.requestId);
    }
  }

  async create(deployment: Deployment, history: readonly HistoryEntry[]): Promise<void> {
    this.conn.write(() => {
      if (this.conn.stmt("SELECT 1 FROM deployments WHERE name = ?").get(deployment.name) !== undefined) {
        throw alreadyExists(`Deployment '${deployment.name}' already exists.`);
      }
      this.conn
        .stmt(
          `INSERT INTO deployments (model_uri, model_name, policy, followed_version, max_batch_size, max_latency_ms,
             prediction_log_sample_rate, inference_worker, prediction_log_max_age_seconds, prediction_log_max_rows, last_error,
             last_updated_time, name, created_time)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...rowValues(deployment), deployment.name, deployment.createdTime);
      this.appendHistory(history);
    });
  }

  /** The row with its failed versions (few: usually none), oldest mark first. */
  private withFailures(row: DeploymentRow): Deployment {
    const deployment = toDeployment(row);
    const failures = this.conn
      .stmt("SELECT version, kind, reason, failed_time FROM deployment_version_failures WHERE deployment = ? ORDER BY failed_time, version")
      .all(row.name) as { version: string; kind: FailedVersion["kind"]; reason: string; failed_time: number }[];
    if (failures.length === 0) return deployment;
    return { ...deployment, failedVersions: failures.map((f) => ({ version: f.version, kind: f.kind, reason: f.reason, time: f.failed_time })) };
  }

  async get(name: string): Promise<Deployment | undefined> {
    const row = this.conn.stmt("SELECT * FROM deployments WHERE name = ?").get(name) as DeploymentRow | undefined;
    return row === undefined ? undefined : this.withFailures(row);
  }

  async list(): Promise<Deployment[]> {
    return (this.conn.stmt("SELECT * FROM deployments ORDER BY name").all() as DeploymentRow[]).map((row) => this.withFailures(row));
  }

  async markVersionFailed(name: string, failure: FailedVersion): Promise<void> {
    this.conn.write(() => {
      if (this.conn.stmt("SELECT 1 FROM deployments WHERE name = ?").get(name) === undefined) throw notFound(`Deployment '${name}' does not exist.`);
      this.conn
        .stmt(
          `INSERT INTO deployment_version_failures (deployment, version, kind, reason, failed_time) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (deployment, version) DO UPDATE SET kind = excluded.kind, reason = excluded.reason, failed_time = excluded.failed_time`,
        )
        .run(name, failure.version, failure.kind, failure.reason, failure.time);
    });
  }

  async update(deployment: Deployment, history: readonly HistoryEntry[], ifUnchangedSince?: number): Promise<boolean> {
    return this.conn.write(() => {
      const result = this.conn
        .stmt(
          `UPDATE deployments SET model_uri = ?, model_name = ?, policy = ?, followed_version = ?, max_batch_size = ?,
             max_latency_ms = ?, prediction_log_sample_rate = ?, inference_worker = ?, prediction_log_max_age_seconds = ?,
             prediction_log_max_rows = ?, last_error = ?, last_updated_time = ?
           WHERE name = ? AND (? IS NULL OR last_updated_time = ?)`,
        )
        .run(...rowValues(deployment), deployment.name, ifUnchangedSince ?? null, ifUnchangedSince ?? null);
      if (result.changes === 0) {
        if (ifUnchangedSince !== undefined && this.conn.stmt("SELECT 1 FROM deployments WHERE name = ?").get(deployment.name)) return false;
        throw notFound(`Deployment '${deployment.name}' does not exist.`);
      }
      this.appendHistory(history);
      return true;
    });
  }

  async delete(name: string, history: readonly HistoryEntry[]): Promise<void> {
    this.conn.write(() => {
      const result = this.conn.stmt("DELETE FROM deployments WHERE name = ?").run(name);
      if (result.changes === 0) throw notFound(`Deployment '${name}' does not exist.`);
      this.conn.stmt("DELETE FROM deployment_health WHERE name = ?").run(name);
      this.conn.stmt("DELETE FROM deployment_version_failures WHERE deployment = ?").run(name);
      this.appendHistory(history);
    });
  }

  async recordHealth(name: string, state: HealthState, reason: string | undefined, time: number): Promise<boolean> {
    return this.conn.write(() => {
      const row = this.conn.stmt("SELECT state FROM deployment_health WHERE name = ?").get(name) as { state: HealthState } | undefined;
      if (row?.state === state) {
        this.conn.stmt("UPDATE deployment_health SET reason = ? WHERE name = ?").run(reason ?? null, name);
        return false;
      }
      this.conn
        .stmt(
          `INSERT INTO deployment_health (name, state, reason, changed_time) VALUES (?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET state = excluded.state, reason = excluded.reason, changed_time = excluded.changed_time`,
        )
        .run(name, state, reason ?? null, time);
      return row !== undefined || state === "degraded";
    });
  }

  async history(name: string): Promise<HistoryEntry[]> {
    return (
      this.conn
        .stmt(
          `SELECT deployment, time, role, from_version, to_version, reason, actor, request_id
           FROM deployment_history WHERE deployment = ? ORDER BY entry_key`,
        )
        .all(name) as HistoryRow[]
    ).map(toEntry);
  }

  async saveShadowReport(saved: SavedShadowReport, existing = false): Promise<boolean> {
    const params = shadowReportParams(saved);
    return this.conn.write(() => {
      if (existing) {
        const [deployment, since, candidate, replica, report, state, updatedTime, released] = params;
        return (
          this.conn
            .stmt(
              `UPDATE shadow_reports SET report = ?, state = ?, updated_time = ?, released = ?, revision = revision + 1
               WHERE deployment = ? AND since = ? AND candidate_version = ? AND replica = ?`,
            )
            .run(report, state, updatedTime, released, deployment, since, candidate, replica).changes === 1
        );
      }
      this.conn
        .stmt(
          `INSERT INTO shadow_reports (deployment, since, candidate_version, replica, report, state, updated_time, released, merged_parts)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (deployment, since, candidate_version, replica)
           DO UPDATE SET report = excluded.report, state = excluded.state, updated_time = excluded.updated_time, released = excluded.released,
             merged_parts = excluded.merged_parts, revision = shadow_reports.revision + 1`,
        )
        .run(...params);
      return true;
    });
  }

  async touchShadowReport(part: ShadowPartKey, updatedTime: number): Promise<boolean> {
    return this.conn.write(
      () =>
        this.conn
          .stmt(
            `UPDATE shadow_reports SET updated_time = ?, revision = revision + 1
             WHERE deployment = ? AND since = ? AND candidate_version = ? AND replica = ?`,
          )
          .run(updatedTime, part.deployment, part.since, part.candidateVersion, part.replica).changes === 1,
    );
  }

  async compactShadowReports(parts: readonly ShadowPartRevision[], compacted: SavedShadowReport): Promise<boolean> {
    try {
      return this.conn.write(() => {
        const remove = this.conn.stmt(
          "DELETE FROM shadow_reports WHERE deployment = ? AND since = ? AND candidate_version = ? AND replica = ? AND revision = ?",
        );
        for (const p of parts) {
          // Gone or written since it was read: another compaction, a save or a claim won; this one changes nothing.
          if (remove.run(p.deployment, p.since, p.candidateVersion, p.replica, p.revision).changes !== 1) throw new CompactionLost();
        }
        this.conn
          .stmt(
            `INSERT INTO shadow_reports (deployment, since, candidate_version, replica, report, state, updated_time, released, merged_parts)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(...shadowReportParams(compacted));
        return true;
      });
    } catch (error) {
      if (error instanceof CompactionLost) return false;
      throw error;
    }
  }

  async shadowReports(deployment: string): Promise<SavedShadowReport[]> {
    const rows = this.conn
      .stmt(
        `SELECT ${SHADOW_REPORT_COLUMNS} FROM shadow_reports WHERE deployment = ?
         ORDER BY since DESC, updated_time DESC, candidate_version, replica`,
      )
      .all(deployment) as ShadowReportRow[];
    return rows.map(toSavedShadowReport);
  }

  async claimShadowReport(part: ShadowPartKey, replica: string): Promise<boolean> {
    return this.conn.write(
      () =>
        this.conn
          .stmt(
            `UPDATE shadow_reports SET replica = ?, released = 0, revision = revision + 1
             WHERE deployment = ? AND since = ? AND candidate_version = ? AND replica = ? AND released = 1 AND merged_parts = 0`,
          )
          .run(replica, part.deployment, part.since, part.candidateVersion, part.replica).changes === 1,
    );
  }

  async findByModel(modelName: string): Promise<Deployment[]> {
    return (this.conn.stmt("SELECT * FROM deployments WHERE model_name = ? ORDER BY name").all(modelName) as DeploymentRow[]).map((row) =>
      this.withFailures(row),
    );
  }
}
