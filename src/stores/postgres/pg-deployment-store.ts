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
import type { PgDatabase } from "./pg-database.js";

/** NOTIFY channel of deployment changes (design-14.md); payload: the deployment's name. */
export const DEPLOYMENTS_CHANNEL = "cairn_deployments";

const DEPLOYMENT_COLUMNS = `name, model_uri, model_name, policy, followed_version, max_batch_size, max_latency_ms,
  prediction_log_sample_rate, inference_worker, prediction_log_max_age_seconds, prediction_log_max_rows, last_error,
  created_time, last_updated_time`;

/** Thrown inside a compaction's transaction to roll it back: a part it read has changed. */
class CompactionLost extends Error {}

/** A total order of key strings (code units), for the compaction's lock order. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

type FailureRow = { deployment: string; version: string; kind: FailedVersion["kind"]; reason: string; failed_time: number };

/**
 * The DeploymentStore on PostgreSQL. Every change of what a deployment serves sends NOTIFY cairn_deployments inside
 * its transaction (delivered at commit, never for a rolled-back change), so that every replica's watchChanges hears of
 * it at once instead of at its next periodic sync.
 */
export class PgDeploymentStore implements DeploymentStore {
  readonly notifiesChanges = true;

  constructor(private readonly db: PgDatabase) {}

  async watchChanges(onChange: (name: string | undefined) => void): Promise<() => Promise<void>> {
    return this.db.listen(DEPLOYMENTS_CHANNEL, (payload) => onChange(payload), () => onChange(undefined));
  }

  /** The same NOTIFY as a change's (delivered at commit when inside a transaction), with nothing changed. */
  async announce(name: string): Promise<void> {
    await this.changed(name);
  }

  private async changed(name: string): Promise<void> {
    await this.db.notify(DEPLOYMENTS_CHANNEL, name);
  }

  private async appendHistory(entries: readonly HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const values: unknown[] = [];
    const tuples = entries.map((e) => {
      values.push(e.deployment, e.time, e.role, e.from ?? null, e.to ?? null, e.reason, JSON.stringify(e.actor), e.requestId);
      const base = values.length - 8;
      return `(${Array.from({ length: 8 }, (_, i) => `$${base + i + 1}`).join(", ")})`;
    });
    // One statement keeps the entries in order (entry_key ascending in VALUES order).
    await this.db.execute(
      `INSERT INTO deployment_history (deployment, time, role, from_version, to_version, reason, actor, request_id) VALUES ${tuples.join(", ")}`,
      values,
    );
  }

  async create(deployment: Deployment, history: readonly HistoryEntry[]): Promise<void> {
    await this.db.transaction(async () => {
      // ON CONFLICT DO NOTHING rather than a read first: two replicas creating one name race on the primary key.
      const inserted = await this.db.execute(
        `INSERT INTO deployments (model_uri, model_name, policy, followed_version, max_batch_size, max_latency_ms,
           prediction_log_sample_rate, inference_worker, prediction_log_max_age_seconds, prediction_log_max_rows, last_error,
           last_updated_time, name, created_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (name) DO NOTHING`,
        [...rowValues(deployment), deployment.name, deployment.createdTime],
      );
      if (inserted === 0) throw alreadyExists(`Deployment '${deployment.name}' already exists.`);
      await this.appendHistory(history);
      await this.changed(deployment.name);
    });
  }

  /** The rows with their failed versions (few: usually none), oldest mark first. */
  private async withFailures(rows: readonly DeploymentRow[]): Promise<Deployment[]> {
    if (rows.length === 0) return [];
    const failures = await this.db.query<FailureRow>(
      `SELECT deployment, version, kind, reason, failed_time FROM deployment_version_failures
       WHERE deployment = ANY($1::text[]) ORDER BY failed_time, version`,
      [rows.map((row) => row.name)],
    );
    return rows.map((row) => {
      const deployment = toDeployment(row);
      const own = failures.filter((f) => f.deployment === row.name);
      if (own.length === 0) return deployment;
      return { ...deployment, failedVersions: own.map((f) => ({ version: f.version, kind: f.kind, reason: f.reason, time: f.failed_time })) };
    });
  }

  async get(name: string): Promise<Deployment | undefined> {
    const rows = await this.db.query<DeploymentRow>(`SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE name = $1`, [name]);
    return (await this.withFailures(rows))[0];
  }

  async list(): Promise<Deployment[]> {
    return this.withFailures(await this.db.query<DeploymentRow>(`SELECT ${DEPLOYMENT_COLUMNS} FROM deployments ORDER BY name`));
  }

  async findByModel(modelName: string): Promise<Deployment[]> {
    return this.withFailures(
      await this.db.query<DeploymentRow>(`SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE model_name = $1 ORDER BY name`, [modelName]),
    );
  }

  async markVersionFailed(name: string, failure: FailedVersion): Promise<void> {
    await this.db.transaction(async () => {
      // FOR SHARE: a concurrent delete waits for this mark (which it then removes) instead of leaving it behind.
      if ((await this.db.one("SELECT 1 FROM deployments WHERE name = $1 FOR SHARE", [name])) === undefined) {
        throw notFound(`Deployment '${name}' does not exist.`);
      }
      await this.db.execute(
        `INSERT INTO deployment_version_failures (deployment, version, kind, reason, failed_time) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (deployment, version) DO UPDATE SET kind = excluded.kind, reason = excluded.reason, failed_time = excluded.failed_time`,
        [name, failure.version, failure.kind, failure.reason, failure.time],
      );
      await this.changed(name);
    });
  }

  async update(deployment: Deployment, history: readonly HistoryEntry[], ifUnchangedSince?: number): Promise<boolean> {
    return this.db.transaction(async () => {
      const changed = await this.db.execute(
        `UPDATE deployments SET model_uri = $1, model_name = $2, policy = $3, followed_version = $4, max_batch_size = $5,
           max_latency_ms = $6, prediction_log_sample_rate = $7, inference_worker = $8, prediction_log_max_age_seconds = $9,
           prediction_log_max_rows = $10, last_error = $11, last_updated_time = $12
         WHERE name = $13 AND ($14::bigint IS NULL OR last_updated_time = $14)`,
        [...rowValues(deployment), deployment.name, ifUnchangedSince ?? null],
      );
      if (changed === 0) {
        if (ifUnchangedSince !== undefined && (await this.db.one("SELECT 1 FROM deployments WHERE name = $1", [deployment.name]))) return false;
        throw notFound(`Deployment '${deployment.name}' does not exist.`);
      }
      await this.appendHistory(history);
      await this.changed(deployment.name);
      return true;
    });
  }

  async delete(name: string, history: readonly HistoryEntry[]): Promise<void> {
    await this.db.transaction(async () => {
      const deleted = await this.db.execute("DELETE FROM deployments WHERE name = $1", [name]);
      if (deleted === 0) throw notFound(`Deployment '${name}' does not exist.`);
      await this.db.execute("DELETE FROM deployment_health WHERE name = $1", [name]);
      await this.db.execute("DELETE FROM deployment_version_failures WHERE deployment = $1", [name]);
      await this.appendHistory(history);
      await this.changed(name);
    });
  }

  async recordHealth(name: string, state: HealthState, reason: string | undefined, time: number): Promise<boolean> {
    // The first verdict inserts (ON CONFLICT DO NOTHING waits for a concurrent inserter and then yields to it); later
    // ones read the state under the row's lock (FOR UPDATE), so of several replicas flipping it exactly one is told.
    return this.db.transaction(async () => {
      const inserted = await this.db.execute(
        "INSERT INTO deployment_health (name, state, reason, changed_time) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
        [name, state, reason ?? null, time],
      );
      if (inserted > 0) return state === "degraded";
      const row = await this.db.one<{ state: HealthState }>("SELECT state FROM deployment_health WHERE name = $1 FOR UPDATE", [name]);
      if (row?.state === state) {
        await this.db.execute("UPDATE deployment_health SET reason = $1 WHERE name = $2", [reason ?? null, name]);
        return false;
      }
      await this.db.execute("UPDATE deployment_health SET state = $1, reason = $2, changed_time = $3 WHERE name = $4", [
        state,
        reason ?? null,
        time,
        name,
      ]);
      return true;
    });
  }

  async history(name: string): Promise<HistoryEntry[]> {
    const rows = await this.db.query<HistoryRow>(
      `SELECT deployment, time, role, from_version, to_version, reason, actor, request_id
       FROM deployment_history WHERE deployment = $1 ORDER BY entry_key`,
      [name],
    );
    return rows.map(toEntry);
  }

  async saveShadowReport(saved: SavedShadowReport, existing = false): Promise<boolean> {
    const params = shadowReportParams(saved);
    if (existing) {
      const [deployment, since, candidate, replica, report, state, updatedTime, released] = params;
      const updated = await this.db.execute(
        `UPDATE shadow_reports SET report = $1, state = $2, updated_time = $3, released = $4, revision = revision + 1
         WHERE deployment = $5 AND since = $6 AND candidate_version = $7 AND replica = $8`,
        [report, state, updatedTime, released, deployment, since, candidate, replica],
      );
      return updated === 1;
    }
    await this.db.execute(
      `INSERT INTO shadow_reports (deployment, since, candidate_version, replica, report, state, updated_time, released, merged_parts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (deployment, since, candidate_version, replica)
       DO UPDATE SET report = excluded.report, state = excluded.state, updated_time = excluded.updated_time, released = excluded.released,
         merged_parts = excluded.merged_parts, revision = shadow_reports.revision + 1`,
      params,
    );
    return true;
  }

  async touchShadowReport(part: ShadowPartKey, updatedTime: number): Promise<boolean> {
    const touched = await this.db.execute(
      `UPDATE shadow_reports SET updated_time = $1, revision = revision + 1
       WHERE deployment = $2 AND since = $3 AND candidate_version = $4 AND replica = $5`,
      [updatedTime, part.deployment, part.since, part.candidateVersion, part.replica],
    );
    return touched === 1;
  }

  async compactShadowReports(parts: readonly ShadowPartRevision[], compacted: SavedShadowReport): Promise<boolean> {
    // One order of row locks for every compaction (any total order does), so that two compacting at once wait for
    // each other rather than deadlock.
    const ordered = [...parts].sort((a, b) => a.since - b.since || compareText(a.candidateVersion, b.candidateVersion) || compareText(a.replica, b.replica));
    try {
      return await this.db.transaction(async () => {
        for (const p of ordered) {
          // Gone or written since it was read (a row another transaction changed is re-checked once it commits):
          // another compaction, a save or a claim won, and this one changes nothing.
          const removed = await this.db.execute(
            "DELETE FROM shadow_reports WHERE deployment = $1 AND since = $2 AND candidate_version = $3 AND replica = $4 AND revision = $5",
            [p.deployment, p.since, p.candidateVersion, p.replica, p.revision],
          );
          if (removed !== 1) throw new CompactionLost();
        }
        await this.db.execute(
          `INSERT INTO shadow_reports (deployment, since, candidate_version, replica, report, state, updated_time, released, merged_parts)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          shadowReportParams(compacted),
        );
        return true;
      });
    } catch (error) {
      if (error instanceof CompactionLost) return false;
      throw error;
    }
  }

  async shadowReports(deployment: string): Promise<SavedShadowReport[]> {
    const rows = await this.db.query<ShadowReportRow>(
      `SELECT ${SHADOW_REPORT_COLUMNS} FROM shadow_reports WHERE deployment = $1
       ORDER BY since DESC, updated_time DESC, candidate_version, replica`,
      [deployment],
    );
    return rows.map(toSavedShadowReport);
  }

  async claimShadowReport(part: ShadowPartKey, replica: string): Promise<boolean> {
    const claimed = await this.db.execute(
      `UPDATE shadow_reports SET replica = $1, released = 0, revision = revision + 1
       WHERE deployment = $2 AND since = $3 AND candidate_version = $4 AND replica = $5 AND released = 1 AND merged_parts = 0`,
      [replica, part.deployment, part.since, part.candidateVersion, part.replica],
    );
    return claimed === 1;
  }
}
