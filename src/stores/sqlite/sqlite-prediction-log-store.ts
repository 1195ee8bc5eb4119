import type { Database } from "better-sqlite3";
import { decodeKeysetToken, encodeKeysetToken } from "../sql/keyset-token.js";
import type { LabelRecord, PredictionRecord } from "../../serving/prediction-log/records.js";
import type {
  PredictionLogStore,
  PredictionPage,
  PredictionQuery,
  StoredPrediction,
} from "../../serving/prediction-log/store.js";
import { SqliteConnection } from "./statement-cache.js";

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

/** The prediction log on the process's shared better-sqlite3 connection (close() belongs to whoever opened it). */
export class SqlitePredictionLogStore implements PredictionLogStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db);
  }

  async insertPredictions(records: readonly PredictionRecord[]): Promise<void> {
    if (records.length === 0) return;
    const insert = this.conn.stmt(
      `INSERT INTO predictions (deployment, version, time, latency_ms, request_id, inputs, outputs)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const count = this.conn.stmt(
      `INSERT INTO prediction_log_counts (deployment, rows) VALUES (?, ?)
       ON CONFLICT (deployment) DO UPDATE SET rows = rows + excluded.rows`,
    );
    const perDeployment = new Map<string, number>();
    for (const r of records) perDeployment.set(r.deployment, (perDeployment.get(r.deployment) ?? 0) + 1);
    // One transaction per batch: one commit (one fsync) for a thousand rows, and the kept counts move with them.
    this.conn.write(() => {
      for (const r of records) insert.run(r.deployment, r.version, r.time, r.latencyMs, r.requestId, r.inputs, r.outputs);
      for (const [deployment, rows] of perDeployment) count.run(deployment, rows);
    });
  }

  async upsertLabels(labels: readonly LabelRecord[]): Promise<void> {
    if (labels.length === 0) return;
    const upsert = this.conn.stmt(
      `INSERT INTO prediction_labels (request_id, label, time) VALUES (?, ?, ?)
       ON CONFLICT (request_id) DO UPDATE SET label = excluded.label, time = excluded.time`,
    );
    this.conn.write(() => {
      for (const label of labels) upsert.run(label.requestId, label.label, label.time);
    });
  }

  async deploymentsOfRequests(requestIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    // One indexed lookup per id (predictions_request_id); callers bound the list.
    const lookup = this.conn.stmt("SELECT deployment FROM predictions WHERE request_id = ? LIMIT 1");
    this.conn.read(() => {
      for (const id of requestIds) {
        const row = lookup.get(id) as { deployment: string } | undefined;
        if (row !== undefined) found.set(id, row.deployment);
      }
    });
    return found;
  }

  async searchPredictions(query: PredictionQuery): Promise<PredictionPage> {
    const where: string[] = [];
    const values: Array<string | number> = [];
    if (query.deployment !== undefined) {
      where.push("p.deployment = ?");
      values.push(query.deployment);
    }
    if (query.version !== undefined) {
      where.push("p.version = ?");
      values.push(query.version);
    }
    if (query.since !== undefined) {
      where.push("p.time >= ?");
      values.push(query.since);
    }
    if (query.until !== undefined) {
      where.push("p.time < ?");
      values.push(query.until);
    }
    if (query.pageToken !== undefined) {
      const [afterTime, afterKey] = decodeKeysetToken(query.pageToken, 2, "serving/predictions");
      where.push("(p.time > ? OR (p.time = ? AND p.prediction_key > ?))");
      values.push(afterTime ?? 0, afterTime ?? 0, afterKey ?? 0);
    }
    const sql = `SELECT p.prediction_key, p.deployment, p.version, p.time, p.latency_ms, p.request_id, p.inputs, p.outputs,
        l.label AS label, l.time AS label_time
      FROM predictions p LEFT JOIN prediction_labels l ON l.request_id = p.request_id
      ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY p.time, p.prediction_key LIMIT ?`;
    const rows = this.conn.stmt(sql).all(...values, query.maxResults + 1) as PredictionRow[];
    const page = rows.slice(0, query.maxResults);
    const last = page[page.length - 1];
    return {
      predictions: page.map(toPrediction),
      ...(rows.length > query.maxResults && last !== undefined ? { nextPageToken: encodeKeysetToken([last.time, last.prediction_key]) } : {}),
    };
  }

  /**
   * Deletes the predictions whose keys `selectKeys` names (in the caller's write transaction), with the labels of
   * their request ids unless another logged prediction still carries one, and takes them off the kept counts.
   */
  private deletePredictions(selectKeys: string, params: ReadonlyArray<string | number>): number {
    const deleted = this.conn
      .stmt(`DELETE FROM predictions WHERE prediction_key IN (${selectKeys}) RETURNING deployment, request_id`)
      .all(...params) as Array<{ deployment: string; request_id: string }>;
    if (deleted.length === 0) return 0;
    const perDeployment = new Map<string, number>();
    for (const row of deleted) perDeployment.set(row.deployment, (perDeployment.get(row.deployment) ?? 0) + 1);
    // One statement for the chunk's labels: a primary-key probe per request id, inside SQLite.
    this.conn
      .stmt(
        `DELETE FROM prediction_labels WHERE request_id IN (SELECT value FROM json_each(?))
           AND NOT EXISTS (SELECT 1 FROM predictions p WHERE p.request_id = prediction_labels.request_id)`,
      )
      .run(JSON.stringify(deleted.map((row) => row.request_id)));
    const decrement = this.conn.stmt("UPDATE prediction_log_counts SET rows = max(rows - ?, 0) WHERE deployment = ?");
    const dropEmpty = this.conn.stmt("DELETE FROM prediction_log_counts WHERE deployment = ? AND rows = 0");
    for (const [deployment, rows] of perDeployment) {
      decrement.run(rows, deployment);
      dropEmpty.run(deployment);
    }
    return deleted.length;
  }

  private keptCount(deployment?: string): number {
    const row = (
      deployment === undefined
        ? this.conn.stmt("SELECT coalesce(sum(rows), 0) AS n FROM prediction_log_counts").get()
        : this.conn.stmt("SELECT rows AS n FROM prediction_log_counts WHERE deployment = ?").get(deployment)
    ) as { n: number } | undefined;
    return row?.n ?? 0;
  }

  async deleteOlderThan(time: number, limit = -1): Promise<number> {
    // LIMIT -1 is SQLite's "no limit"; a chunk keeps one write (and the event loop it blocks) short.
    return this.conn.write(() => {
      const deleted = this.deletePredictions("SELECT prediction_key FROM predictions WHERE time < ? ORDER BY time, prediction_key LIMIT ?", [time, limit]);
      // Labels that arrived for requests never logged (or logged elsewhere) go by their own age.
      this.conn
        .stmt("DELETE FROM prediction_labels WHERE request_id IN (SELECT request_id FROM prediction_labels WHERE time < ? ORDER BY time LIMIT ?)")
        .run(time, limit);
      return deleted;
    });
  }

  async deleteDeploymentOlderThan(deployment: string, time: number, limit = -1): Promise<number> {
    return this.conn.write(() =>
      this.deletePredictions(
        "SELECT prediction_key FROM predictions WHERE deployment = ? AND time < ? ORDER BY time, prediction_key LIMIT ?",
        [deployment, time, limit],
      ),
    );
  }

  async trimToRows(maxRows: number, limit = -1): Promise<number> {
    return this.conn.write(() => {
      // The kept count says whether anything is due; only then are the oldest rows (by key) read.
      const excess = this.keptCount() - maxRows;
      if (excess <= 0) return 0;
      return this.deletePredictions("SELECT prediction_key FROM predictions ORDER BY prediction_key LIMIT ?", [limit < 0 ? excess : Math.min(limit, excess)]);
    });
  }

  async trimDeploymentToRows(deployment: string, maxRows: number, limit = -1): Promise<number> {
    return this.conn.write(() => {
      const excess = this.keptCount(deployment) - maxRows;
      if (excess <= 0) return 0;
      return this.deletePredictions(
        "SELECT prediction_key FROM predictions WHERE deployment = ? ORDER BY time, prediction_key LIMIT ?",
        [deployment, limit < 0 ? excess : Math.min(limit, excess)],
      );
    });
  }

  async countsByDeployment(): Promise<Map<string, number>> {
    const rows = this.conn.stmt("SELECT deployment, rows FROM prediction_log_counts ORDER BY deployment").all() as Array<{ deployment: string; rows: number }>;
    return new Map(rows.map((row) => [row.deployment, row.rows]));
  }
}
