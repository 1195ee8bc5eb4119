import type { LabelRecord, PredictionRecord } from "../../serving/prediction-log/records.js";
import type { PredictionLogStore, PredictionPage, PredictionQuery, StoredPrediction } from "../../serving/prediction-log/store.js";
import { decodeKeysetToken, encodeKeysetToken } from "../sql/keyset-token.js";
import type { PgDatabase } from "./pg-database.js";

interface PredictionRow {
  prediction_key: number;
  deployment: string;
  version: string;
  time: number;
  latency_ms: number;
  request_id: string;
  inputs: string;
  outputs: string;
  label: string | null;
  label_time: number | null;
}

const toPrediction = (row: PredictionRow): StoredPrediction => ({
  deployment: row.deployment,
  version: row.version,
  time: row.time,
  latencyMs: row.latency_ms,
  requestId: row.request_id,
  inputs: row.inputs,
  outputs: row.outputs,
  ...(row.label !== null ? { label: { value: row.label, time: row.label_time as number } } : {}),
});

/**
 * Retention runs in every replica. Trims by kept count (read the count, delete the excess) are read-then-write: two
 * replicas trimming at once would each delete the excess. Every retention write takes this transaction-level advisory
 * lock, so they run one at a time across processes (a row is deleted, and taken off the counts, once: only the
 * DELETE that removed it returns it); inserts never wait for it.
 */
const RETENTION_LOCK_KEY = 0x636169726e2d7072n; // "cairn-pr"

/** NULL is PostgreSQL's "no limit" for LIMIT $n (SQLite's is -1). */
const limitOf = (limit: number): number | null => (limit < 0 ? null : limit);

/**
 * The prediction log on PostgreSQL. Every replica inserts its own rows (keys from the identity, never from a process)
 * and adds to the kept counts with INSERT ... ON CONFLICT DO UPDATE SET rows = rows + n, so logs from N replicas are
 * combined. Counts are upserted in deployment order, so two batches never lock two count rows in opposite orders.
 */
export class PgPredictionLogStore implements PredictionLogStore {
  constructor(private readonly db: PgDatabase) {}

  async insertPredictions(records: readonly PredictionRecord[]): Promise<void> {
    if (records.length === 0) return;
    const perDeployment = new Map<string, number>();
    for (const r of records) perDeployment.set(r.deployment, (perDeployment.get(r.deployment) ?? 0) + 1);
    const deployments = [...perDeployment.keys()].sort();
    await this.db.transaction(async () => {
      // One statement for the batch (arrays unnested server-side): one round trip for a thousand rows.
      await this.db.execute(
        `INSERT INTO predictions (deployment, version, time, latency_ms, request_id, inputs, outputs)
         SELECT deployment, version, time, latency_ms, request_id, inputs, outputs
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::text[], $6::text[], $7::text[])
           WITH ORDINALITY AS r(deployment, version, time, latency_ms, request_id, inputs, outputs, n)
         ORDER BY n`,
        [
          records.map((r) => r.deployment),
          records.map((r) => r.version),
          records.map((r) => r.time),
          records.map((r) => r.latencyMs),
          records.map((r) => r.requestId),
          records.map((r) => r.inputs),
          records.map((r) => r.outputs),
        ],
      );
      await this.db.execute(
        `INSERT INTO prediction_log_counts (deployment, rows)
         SELECT * FROM unnest($1::text[], $2::bigint[])
         ON CONFLICT (deployment) DO UPDATE SET rows = prediction_log_counts.rows + excluded.rows`,
        [deployments, deployments.map((d) => perDeployment.get(d) ?? 0)],
      );
    });
  }

  async upsertLabels(labels: readonly LabelRecord[]): Promise<void> {
    if (labels.length === 0) return;
    // The last label of a request id in the batch wins, as sequential upserts would (ON CONFLICT cannot touch one row twice).
    const last = new Map<string, LabelRecord>();
    for (const label of labels) last.set(label.requestId, label);
    const unique = [...last.values()].sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
    await this.db.execute(
      `INSERT INTO prediction_labels (request_id, label, time)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (request_id) DO UPDATE SET label = excluded.label, time = excluded.time`,
      [unique.map((l) => l.requestId), unique.map((l) => l.label), unique.map((l) => l.time)],
    );
  }

  async deploymentsOfRequests(requestIds: readonly string[]): Promise<Map<string, string>> {
    if (requestIds.length === 0) return new Map();
    const rows = await this.db.query<{ request_id: string; deployment: string }>(
      `SELECT DISTINCT ON (request_id) request_id, deployment FROM predictions
       WHERE request_id = ANY($1::text[]) ORDER BY request_id, prediction_key`,
      [[...requestIds]],
    );
    return new Map(rows.map((row) => [row.request_id, row.deployment]));
  }

  async searchPredictions(query: PredictionQuery): Promise<PredictionPage> {
    const where: string[] = [];
    const values: Array<string | number> = [];
    const param = (value: string | number): string => {
      values.push(value);
      return `$${values.length}`;
    };
    if (query.deployment !== undefined) where.push(`p.deployment = ${param(query.deployment)}`);
    if (query.version !== undefined) where.push(`p.version = ${param(query.version)}`);
    if (query.since !== undefined) where.push(`p.time >= ${param(query.since)}`);
    if (query.until !== undefined) where.push(`p.time < ${param(query.until)}`);
    if (query.pageToken !== undefined) {
      const [afterTime, afterKey] = decodeKeysetToken(query.pageToken, 2, "serving/predictions");
      where.push(`(p.time, p.prediction_key) > (${param(afterTime ?? 0)}, ${param(afterKey ?? 0)})`);
    }
    const limit = param(query.maxResults + 1);
    const rows = await this.db.query<PredictionRow>(
      `SELECT p.prediction_key, p.deployment, p.version, p.time, p.latency_ms, p.request_id, p.inputs, p.outputs,
         l.label AS label, l.time AS label_time
       FROM predictions p LEFT JOIN prediction_labels l ON l.request_id = p.request_id
       ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY p.time, p.prediction_key LIMIT ${limit}`,
      values,
    );
    const page = rows.slice(0, query.maxResults);
    const last = page[page.length - 1];
    return {
      predictions: page.map(toPrediction),
      ...(rows.length > query.maxResults && last !== undefined ? { nextPageToken: encodeKeysetToken([last.time, last.prediction_key]) } : {}),
    };
  }

  /**
   * Deletes the predictions whose keys `selectKeys` names (in the caller's transaction), with the labels of their
   * request ids unless another logged prediction still carries one, and takes them off the kept counts.
   */
  private async deletePredictions(selectKeys: string, params: ReadonlyArray<string | number | null>): Promise<number> {
    const deleted = await this.db.query<{ deployment: string; request_id: string }>(
      `DELETE FROM predictions WHERE prediction_key IN (${selectKeys}) RETURNING deployment, request_id`,
      params,
    );
    if (deleted.length === 0) return 0;
    const perDeployment = new Map<string, number>();
    for (const row of deleted) perDeployment.set(row.deployment, (perDeployment.get(row.deployment) ?? 0) + 1);
    await this.db.execute(
      `DELETE FROM prediction_labels WHERE request_id = ANY($1::text[])
         AND NOT EXISTS (SELECT 1 FROM predictions p WHERE p.request_id = prediction_labels.request_id)`,
      [[...new Set(deleted.map((row) => row.request_id))]],
    );
    for (const deployment of [...perDeployment.keys()].sort()) {
      await this.db.execute("UPDATE prediction_log_counts SET rows = greatest(rows - $1, 0) WHERE deployment = $2", [
        perDeployment.get(deployment) ?? 0,
        deployment,
      ]);
      await this.db.execute("DELETE FROM prediction_log_counts WHERE deployment = $1 AND rows = 0", [deployment]);
    }
    return deleted.length;
  }

  private async keptCount(deployment?: string): Promise<number> {
    const row =
      deployment === undefined
        ? await this.db.one<{ n: number }>("SELECT coalesce(sum(rows), 0)::bigint AS n FROM prediction_log_counts")
        : await this.db.one<{ n: number }>("SELECT rows AS n FROM prediction_log_counts WHERE deployment = $1", [deployment]);
    return row?.n ?? 0;
  }

  async deleteOlderThan(time: number, limit = -1): Promise<number> {
    return this.db.withAdvisoryLock(RETENTION_LOCK_KEY, async () => {
      const deleted = await this.deletePredictions("SELECT prediction_key FROM predictions WHERE time < $1 ORDER BY time, prediction_key LIMIT $2", [
        time,
        limitOf(limit),
      ]);
      // Labels that arrived for requests never logged (or logged elsewhere) go by their own age.
      await this.db.execute(
        "DELETE FROM prediction_labels WHERE request_id IN (SELECT request_id FROM prediction_labels WHERE time < $1 ORDER BY time LIMIT $2)",
        [time, limitOf(limit)],
      );
      return deleted;
    });
  }

  async deleteDeploymentOlderThan(deployment: string, time: number, limit = -1): Promise<number> {
    return this.db.withAdvisoryLock(RETENTION_LOCK_KEY, () =>
      this.deletePredictions(
        "SELECT prediction_key FROM predictions WHERE deployment = $1 AND time < $2 ORDER BY time, prediction_key LIMIT $3",
        [deployment, time, limitOf(limit)],
      ),
    );
  }

  async trimToRows(maxRows: number, limit = -1): Promise<number> {
    return this.db.withAdvisoryLock(RETENTION_LOCK_KEY, async () => {
      const excess = (await this.keptCount()) - maxRows;
      if (excess <= 0) return 0;
      return this.deletePredictions("SELECT prediction_key FROM predictions ORDER BY prediction_key LIMIT $1", [
        limit < 0 ? excess : Math.min(limit, excess),
      ]);
    });
  }

  async trimDeploymentToRows(deployment: string, maxRows: number, limit = -1): Promise<number> {
    return this.db.withAdvisoryLock(RETENTION_LOCK_KEY, async () => {
      const excess = (await this.keptCount(deployment)) - maxRows;
      if (excess <= 0) return 0;
      return this.deletePredictions(
        "SELECT prediction_key FROM predictions WHERE deployment = $1 ORDER BY time, prediction_key LIMIT $2",
        [deployment, limit < 0 ? excess : Math.min(limit, excess)],
      );
    });
  }

  async countsByDeployment(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ deployment: string; rows: number }>("SELECT deployment, rows FROM prediction_log_counts ORDER BY deployment");
    return new Map(rows.map((row) => [row.deployment, row.rows]));
  }
}
