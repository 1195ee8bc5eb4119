import type { Database } from "better-sqlite3";
import { GroupCommit } from "./group-commit.js";
import type { TraceData, TraceDeletion, TraceEnd, TracePage, TraceSearch, TraceStore } from "../../tracing/store.js";
import { TraceKey, type Assessment, type TraceInfo, type TraceWithAssessments } from "../../tracing/trace.js";
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import { compileTraceSearch, drivingCandidates, RARE_MATCHES, TRACE_COLUMNS } from "../sql/trace-search-compiler.js";
import { sqliteDialect } from "./sqlite-dialect.js";
import { SqliteConnection } from "./statement-cache.js";
import { ASSESSMENT_COLUMNS, assessmentParams, loadTraces, toAssessment, type AssessmentRow, type TraceRow } from "./trace-rows.js";

type UpsertOutcome = "inserted" | "updated" | "conflict";

interface TraceDataWrite {
  traceId: string;
  artifactLocation: string;
  data: Buffer;
  now: number;
}

/** Both hot writes go through one queue, so that a turn's headers and traces.json uploads share one commit. */
type HotWrite = { kind: "trace"; trace: TraceInfo } | { kind: "data"; write: TraceDataWrite };

/**
 * The TraceStore on the process's shared better-sqlite3 connection (close() belongs to whoever opened it).
 * Trace headers and trace data are group-committed (group-commit.ts): every trace a client finishes is one
 * StartTraceV3 with about ten rows and one traces.json upload, and a commit costs more than its inserts.
 */
export class SqliteTraceStore implements TraceStore {
  private readonly conn: SqliteConnection;
  private readonly writes: GroupCommit<HotWrite, UpsertOutcome | boolean>;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db);
    this.writes = new GroupCommit(db, (write: HotWrite) => (write.kind === "trace" ? this.writeTrace(write.trace) : this.writeTraceData(write.write)));
  }

  private row(traceId: string): TraceRow | undefined {
    return this.conn.stmt(`SELECT ${TRACE_COLUMNS} FROM traces t WHERE t.trace_id = ?`).get(traceId) as TraceRow | undefined;
  }

  private keyOf(traceId: string): number | undefined {
    return (this.conn.stmt("SELECT trace_key FROM traces WHERE trace_id = ?").get(traceId) as { trace_key: number } | undefined)?.trace_key;
  }

  private putKeyValues(table: "trace_tags" | "trace_metadata", traceKey: number, values: Record<string, string>): void {
    const statement = this.conn.stmt(
      `INSERT INTO ${table} (trace_key, key, value) VALUES (?, ?, ?) ON CONFLICT (trace_key, key) DO UPDATE SET value = excluded.value`,
    );
    for (const [key, value] of Object.entries(values)) statement.run(traceKey, key, value);
  }

  private writeTrace(trace: TraceInfo): UpsertOutcome {
    const fields = [
      trace.clientRequestId ?? null,
      trace.requestPreview ?? null,
      trace.responsePreview ?? null,
      trace.requestTime,
      trace.executionDuration ?? null,
      trace.state,
    ];
    const existing = this.conn.stmt("SELECT trace_key, experiment_id FROM traces WHERE trace_id = ?").get(trace.traceId) as
      | { trace_key: number; experiment_id: number }
      | undefined;
    let traceKey: number;
    if (existing) {
      if (String(existing.experiment_id) !== trace.experimentId) return "conflict";
      traceKey = existing.trace_key;
      this.conn
        .stmt(
          `UPDATE traces SET client_request_id = ?, request_preview = ?, response_preview = ?, request_time = ?,
           execution_duration = ?, state = ? WHERE trace_key = ?`,
        )
        .run(...fields, traceKey);
    } else {
      traceKey = Number(
        this.conn
          .stmt(
            `INSERT INTO traces (trace_id, experiment_id, client_request_id, request_preview, response_preview, request_time,
             execution_duration, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(trace.traceId, Number(trace.experimentId), ...fields).lastInsertRowid,
      );
    }
    this.putKeyValues("trace_tags", traceKey, trace.tags);
    this.putKeyValues("trace_metadata", traceKey, trace.metadata);
    return existing ? "updated" : "inserted";
  }

  async upsertTrace(trace: TraceInfo, options: { inUnit?: boolean } = {}): Promise<TraceWithAssessments | undefined> {
    // In an audit unit the write joins the unit's transaction (a savepoint) at once: its commit is the unit's group.
    const outcome = options.inUnit === true ? this.conn.write(() => this.writeTrace(trace)) : ((await this.writes.submit({ kind: "trace", trace })) as UpsertOutcome);
    if (outcome === "conflict") return undefined;
    // A fresh trace is exactly what was written: skip the read-back on the ingest path.
    if (outcome === "inserted") return { ...trace, tags: { ...trace.tags }, metadata: { ...trace.metadata }, assessments: [] };
    return this.getTrace(trace.traceId);
  }

  async getTrace(traceId: string): Promise<TraceWithAssessments | undefined> {
    return this.conn.read(() => {
      const row = this.row(traceId);
      return row ? loadTraces(this.conn, [row])[0] : undefined;
    });
  }

  async endTrace(traceId: string, end: TraceEnd): Promise<TraceWithAssessments | undefined> {
    const found = this.conn.write(() => {
      const traceKey = this.keyOf(traceId);
      if (traceKey === undefined) return false;
      this.conn.stmt("UPDATE traces SET state = ?, execution_duration = ? WHERE trace_key = ?").run(end.state, end.executionDuration, traceKey);
      this.putKeyValues("trace_metadata", traceKey, end.metadata);
      this.putKeyValues("trace_tags", traceKey, end.tags);
      return true;
    });
    return found ? this.getTrace(traceId) : undefined;
  }

  async setTraceTag(traceId: string, key: string, value: string): Promise<boolean> {
    return this.conn.write(() => {
      const traceKey = this.keyOf(traceId);
      if (traceKey === undefined) return false;
      this.putKeyValues("trace_tags", traceKey, { [key]: value });
      return true;
    });
  }

  async deleteTraceTag(traceId: string, key: string): Promise<boolean> {
    return this.conn.write(() => {
      const traceKey = this.keyOf(traceId);
      if (traceKey === undefined) return false;
      return this.conn.stmt("DELETE FROM trace_tags WHERE trace_key = ? AND key = ?").run(traceKey, key).changes > 0;
    });
  }

  async searchTraces(query: TraceSearch): Promise<TracePage> {
    const offset = decodeOffsetToken(query.pageToken);
    return this.conn.read(() => {
      let driving: { index: number; matches: number } | undefined;
      for (const candidate of drivingCandidates(sqliteDialect, query)) {
        const matches = (this.conn.stmt(candidate.count.sql).get(...candidate.count.params) as { n: number }).n;
        if (matches < RARE_MATCHES && (driving === undefined || matches < driving.matches)) driving = { index: candidate.index, matches };
      }
      const compiled = compileTraceSearch(sqliteDialect, query, offset, driving ? { driving: driving.index } : {});
      const rows = this.conn.stmt(compiled.sql).all(...compiled.params) as TraceRow[];
      const page = pageOf(rows, offset, query.maxResults);
      return { ...page, items: loadTraces(this.conn, page.items) };
    });
  }

  async deleteTraces(criteria: TraceDeletion): Promise<number> {
    return this.conn.write(() => {
      const experimentId = Number(criteria.experimentId);
      if ("traceIds" in criteria) {
        return this.conn
          .stmt("DELETE FROM traces WHERE experiment_id = ? AND trace_id IN (SELECT value FROM json_each(?))")
          .run(experimentId, JSON.stringify(criteria.traceIds)).changes;
      }
      // Oldest first, as MLflow deletes when max_traces caps the count.
      return this.conn
        .stmt(
          `DELETE FROM traces WHERE trace_key IN (SELECT trace_key FROM traces WHERE experiment_id = ? AND request_time <= ?
           ORDER BY request_time, trace_id LIMIT ?)`,
        )
        .run(experimentId, criteria.maxTimestampMillis, criteria.maxTraces ?? -1).changes;
    });
  }

  async putTraceData(traceId: string, artifactLocation: string, data: Buffer, now: number): Promise<boolean> {
    return (await this.writes.submit({ kind: "data", write: { traceId, artifactLocation, data, now } })) === true;
  }

  private writeTraceData({ traceId, artifactLocation, data, now }: TraceDataWrite): boolean {
    const result = this.conn
      .stmt(
        `INSERT INTO trace_data (trace_key, data, modified_time)
         SELECT t.trace_key, ?, ? FROM traces t
         JOIN trace_tags g ON g.trace_key = t.trace_key AND g.key = '${TraceKey.ARTIFACT_LOCATION}' AND g.value = ?
         WHERE t.trace_id = ?
         ON CONFLICT (trace_key) DO UPDATE SET data = excluded.data, modified_time = excluded.modified_time`,
      )
      .run(data, now, artifactLocation, traceId);
    return result.changes > 0;
  }

  async getTraceData(traceId: string, artifactLocation: string): Promise<TraceData | undefined> {
    const row = this.conn
      .stmt(
        `SELECT d.data, d.modified_time FROM trace_data d JOIN traces t ON t.trace_key = d.trace_key
         JOIN trace_tags g ON g.trace_key = t.trace_key AND g.key = '${TraceKey.ARTIFACT_LOCATION}' AND g.value = ?
         WHERE t.trace_id = ?`,
      )
      .get(artifactLocation, traceId) as { data: Buffer; modified_time: number } | undefined;
    return row ? { data: row.data, modifiedTime: row.modified_time } : undefined;
  }

  async deleteTraceData(traceId: string, artifactLocation: string): Promise<boolean> {
    const result = this.conn
      .stmt(
        `DELETE FROM trace_data WHERE trace_key IN (SELECT t.trace_key FROM traces t
         JOIN trace_tags g ON g.trace_key = t.trace_key AND g.key = '${TraceKey.ARTIFACT_LOCATION}' AND g.value = ?
         WHERE t.trace_id = ?)`,
      )
      .run(artifactLocation, traceId);
    return result.changes > 0;
  }

  async createAssessment(assessment: Assessment): Promise<void> {
    this.conn.write(() => {
      const traceKey = this.keyOf(assessment.traceId);
      if (traceKey === undefined) throw new Error(`trace ${assessment.traceId} vanished`);
      this.conn
        .stmt(
          `INSERT INTO assessments (assessment_id, trace_key, name, span_id, source_type, source_id, create_time, last_update_time,
           value, rationale, metadata, overrides, valid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(assessment.assessmentId, traceKey, ...assessmentParams(assessment));
      if (assessment.overrides !== undefined) {
        this.conn.stmt("UPDATE assessments SET valid = 0 WHERE assessment_id = ? AND trace_key = ?").run(assessment.overrides, traceKey);
      }
    });
  }

  async getAssessment(traceId: string, assessmentId: string): Promise<Assessment | undefined> {
    const row = this.conn
      .stmt(`SELECT ${ASSESSMENT_COLUMNS} FROM assessments a JOIN traces t ON t.trace_key = a.trace_key WHERE a.assessment_id = ? AND t.trace_id = ?`)
      .get(assessmentId, traceId) as AssessmentRow | undefined;
    return row ? toAssessment(row, traceId) : undefined;
  }

  async updateAssessment(assessment: Assessment): Promise<boolean> {
    return this.conn.write(() => {
      const traceKey = this.keyOf(assessment.traceId);
      if (traceKey === undefined) return false;
      return (
        this.conn
          .stmt(
            `UPDATE assessments SET name = ?, span_id = ?, source_type = ?, source_id = ?, create_time = ?, last_update_time = ?,
             value = ?, rationale = ?, metadata = ?, overrides = ?, valid = ? WHERE assessment_id = ? AND trace_key = ?`,
          )
          .run(...assessmentParams(assessment), assessment.assessmentId, traceKey).changes > 0
      );
    });
  }

  async deleteAssessment(traceId: string, assessmentId: string): Promise<boolean> {
    return this.conn.write(() => {
      const traceKey = this.keyOf(traceId);
      if (traceKey === undefined) return false;
      const row = this.conn.stmt("SELECT overrides FROM assessments WHERE assessment_id = ? AND trace_key = ?").get(assessmentId, traceKey) as
        | { overrides: string | null }
        | undefined;
      if (!row) return false;
      this.conn.stmt("DELETE FROM assessments WHERE assessment_id = ? AND trace_key = ?").run(assessmentId, traceKey);
      // The superseded assessment is current again once its replacement is gone (MLflow's rule).
      if (row.overrides !== null) {
        this.conn.stmt("UPDATE assessments SET valid = 1 WHERE assessment_id = ? AND trace_key = ?").run(row.overrides, traceKey);
      }
      return true;
    });
  }
}
