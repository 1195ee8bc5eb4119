import type { TraceData, TraceDeletion, TraceEnd, TracePage, TraceSearch, TraceStore } from "../../tracing/store.js";
import { TraceKey, type Assessment, type TraceInfo, type TraceWithAssessments } from "../../tracing/trace.js";
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import { compileTraceSearch, drivingCandidates, RARE_MATCHES, TRACE_COLUMNS } from "../sql/trace-search-compiler.js";
import { assessmentParams, type AssessmentRow, toAssessment, toTrace, type TraceRow } from "../sql/trace-rows.js";
import type { PgDatabase } from "./pg-database.js";
import { postgresDialect } from "./postgres-dialect.js";

/**
 * A trace's tags, metadata and assessments as JSON next to its columns (alias `t`): a trace, or a search page of
 * them, is one statement (one snapshot, one round trip). Assessment fields keep their stored text (value and
 * metadata are JSON text, parsed by toAssessment as on SQLite).
 */
const TRACE_CHILDREN = `
  COALESCE((SELECT json_object_agg(c.key, c.value ORDER BY c.key) FROM trace_tags c WHERE c.trace_key = t.trace_key), '{}'::json) AS tags,
  COALESCE((SELECT json_object_agg(c.key, c.value ORDER BY c.key) FROM trace_metadata c WHERE c.trace_key = t.trace_key), '{}'::json) AS metadata,
  COALESCE((SELECT json_agg(json_build_object(
      'assessment_id', a.assessment_id, 'trace_key', a.trace_key, 'name', a.name, 'span_id', a.span_id,
      'source_type', a.source_type, 'source_id', a.source_id, 'create_time', a.create_time,
      'last_update_time', a.last_update_time, 'value', a.value, 'rationale', a.rationale, 'metadata', a.metadata,
      'overrides', a.overrides, 'valid', a.valid) ORDER BY a.create_time, a.assessment_key)
    FROM assessments a WHERE a.trace_key = t.trace_key), '[]'::json) AS assessments`;

interface TraceJsonRow extends TraceRow {
  tags: Record<string, string>;
  metadata: Record<string, string>;
  assessments: AssessmentRow[];
}

const fromRow = (row: TraceJsonRow): TraceWithAssessments =>
  toTrace(
    row,
    row.tags,
    row.metadata,
    row.assessments.map((assessment) => toAssessment(assessment, row.trace_id)),
  );

/** trace_data is reachable only through the trace's own artifact location tag (see TraceStore.putTraceData). */
const OWN_LOCATION = `JOIN trace_tags g ON g.trace_key = t.trace_key AND g.key = '${TraceKey.ARTIFACT_LOCATION}'`;

/**
 * The TraceStore on PostgreSQL (schema/002-registry.ts), the SQLite store's twin. Without SQLite's single writer,
 * two processes may receive the same trace at once (a client's retry through another replica): the insert is an
 * ON CONFLICT DO NOTHING on trace_id, and the loser locks the winner's row before updating it.
 */
export class PgTraceStore implements TraceStore {
  constructor(private readonly db: PgDatabase) {}

  private async keyOf(traceId: string): Promise<number | undefined> {
    return (await this.db.one<{ trace_key: number }>("SELECT trace_key FROM traces WHERE trace_id = $1", [traceId]))?.trace_key;
  }

  private async putKeyValues(table: "trace_tags" | "trace_metadata", traceKey: number, values: Record<string, string>): Promise<void> {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    await this.db.query(
      `INSERT INTO ${table} (trace_key, key, value) SELECT $1, e.key, e.value FROM unnest($2::text[], $3::text[]) AS e (key, value)
       ON CONFLICT (trace_key, key) DO UPDATE SET value = excluded.value`,
      [traceKey, entries.map(([key]) => key), entries.map(([, value]) => value)],
    );
  }

  async upsertTrace(trace: TraceInfo, _options: { inUnit?: boolean } = {}): Promise<TraceWithAssessments | undefined> {
    const fields = [
      trace.clientRequestId ?? null,
      trace.requestPreview ?? null,
      trace.responsePreview ?? null,
      trace.requestTime,
      trace.executionDuration ?? null,
      trace.state,
    ];
    // In an audit unit, db.transaction joins the unit's transaction, so the trace commits with its audit event.
    const outcome = await this.db.transaction(async (): Promise<"inserted" | "updated" | "conflict"> => {
      const inserted = await this.db.one<{ trace_key: number }>(
        `INSERT INTO traces (trace_id, experiment_id, client_request_id, request_preview, response_preview, request_time,
         execution_duration, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (trace_id) DO NOTHING RETURNING trace_key`,
        [trace.traceId, Number(trace.experimentId), ...fields],
      );
      let traceKey = inserted?.trace_key;
      if (traceKey === undefined) {
        const existing = await this.db.one<{ trace_key: number; experiment_id: number }>(
          "SELECT trace_key, experiment_id FROM traces WHERE trace_id = $1 FOR UPDATE",
          [trace.traceId],
        );
        if (existing === undefined || String(existing.experiment_id) !== trace.experimentId) return "conflict";
        traceKey = existing.trace_key;
        await this.db.query(
          `UPDATE traces SET client_request_id = $1, request_preview = $2, response_preview = $3, request_time = $4,
           execution_duration = $5, state = $6 WHERE trace_key = $7`,
          [...fields, traceKey],
        );
      }
      await this.putKeyValues("trace_tags", traceKey, trace.tags);
      await this.putKeyValues("trace_metadata", traceKey, trace.metadata);
      return inserted === undefined ? "updated" : "inserted";
    });
    if (outcome === "conflict") return undefined;
    // A fresh trace is exactly what was written: skip the read-back on the ingest path.
    if (outcome === "inserted") return { ...trace, tags: { ...trace.tags }, metadata: { ...trace.metadata }, assessments: [] };
    return this.getTrace(trace.traceId);
  }

  async getTrace(traceId: string): Promise<TraceWithAssessments | undefined> {
    const row = await this.db.one<TraceJsonRow>(`SELECT ${TRACE_COLUMNS}, ${TRACE_CHILDREN} FROM traces t WHERE t.trace_id = $1`, [traceId]);
    return row === undefined ? undefined : fromRow(row);
  }

  async endTrace(traceId: string, end: TraceEnd): Promise<TraceWithAssessments | undefined> {
    const found = await this.db.transaction(async () => {
      const row = await this.db.one<{ trace_key: number }>(
        "UPDATE traces SET state = $1, execution_duration = $2 WHERE trace_id = $3 RETURNING trace_key",
        [end.state, end.executionDuration, traceId],
      );
      if (row === undefined) return false;
      await this.putKeyValues("trace_metadata", row.trace_key, end.metadata);
      await this.putKeyValues("trace_tags", row.trace_key, end.tags);
      return true;
    });
    return found ? this.getTrace(traceId) : undefined;
  }

  async setTraceTag(traceId: string, key: string, value: string): Promise<boolean> {
    const changed = await this.db.execute(
      "INSERT INTO trace_tags (trace_key, key, value) SELECT trace_key, $2, $3 FROM traces WHERE trace_id = $1 " +
        "ON CONFLICT (trace_key, key) DO UPDATE SET value = excluded.value",
      [traceId, key, value],
    );
    return changed > 0;
  }

  async deleteTraceTag(traceId: string, key: string): Promise<boolean> {
    const changed = await this.db.execute(
      "DELETE FROM trace_tags c USING traces t WHERE c.trace_key = t.trace_key AND t.trace_id = $1 AND c.key = $2",
      [traceId, key],
    );
    return changed > 0;
  }

  async searchTraces(query: TraceSearch): Promise<TracePage> {
    const offset = decodeOffsetToken(query.pageToken);
    // The counts only choose how the query runs (see TraceSearchPlan): they need no snapshot shared with it.
    let driving: { index: number; matches: number } | undefined;
    for (const candidate of drivingCandidates(postgresDialect, query)) {
      const matches = (await this.db.one<{ n: number }>(candidate.count.sql, candidate.count.params))?.n ?? 0;
      if (matches < RARE_MATCHES && (driving === undefined || matches < driving.matches)) driving = { index: candidate.index, matches };
    }
    const compiled = compileTraceSearch(postgresDialect, query, offset, {
      ...(driving === undefined ? {} : { driving: driving.index }),
      extraColumns: TRACE_CHILDREN,
    });
    const rows = await this.db.query<TraceJsonRow>(compiled.sql, compiled.params);
    const page = pageOf(rows, offset, query.maxResults);
    return { ...page, items: page.items.map(fromRow) };
  }

  async deleteTraces(criteria: TraceDeletion): Promise<number> {
    const experimentId = Number(criteria.experimentId);
    if ("traceIds" in criteria) {
      return this.db.execute("DELETE FROM traces WHERE experiment_id = $1 AND trace_id = ANY($2::text[])", [experimentId, criteria.traceIds]);
    }
    // Oldest first, as MLflow deletes when max_traces caps the count (LIMIT NULL: no cap).
    return this.db.execute(
      `DELETE FROM traces WHERE trace_key IN (SELECT trace_key FROM traces WHERE experiment_id = $1 AND request_time <= $2
       ORDER BY request_time, trace_id LIMIT $3)`,
      [experimentId, criteria.maxTimestampMillis, criteria.maxTraces ?? null],
    );
  }

  async putTraceData(traceId: string, artifactLocation: string, data: Buffer, now: number): Promise<boolean> {
    const changed = await this.db.execute(
      `INSERT INTO trace_data (trace_key, data, modified_time)
       SELECT t.trace_key, $1, $2 FROM traces t ${OWN_LOCATION} AND g.value = $3 WHERE t.trace_id = $4
       ON CONFLICT (trace_key) DO UPDATE SET data = excluded.data, modified_time = excluded.modified_time`,
      [data, now, artifactLocation, traceId],
    );
    return changed > 0;
  }

  async getTraceData(traceId: string, artifactLocation: string): Promise<TraceData | undefined> {
    const row = await this.db.one<{ data: Buffer; modified_time: number }>(
      `SELECT d.data, d.modified_time FROM trace_data d JOIN traces t ON t.trace_key = d.trace_key ${OWN_LOCATION} AND g.value = $1
       WHERE t.trace_id = $2`,
      [artifactLocation, traceId],
    );
    return row === undefined ? undefined : { data: row.data, modifiedTime: row.modified_time };
  }

  async deleteTraceData(traceId: string, artifactLocation: string): Promise<boolean> {
    const changed = await this.db.execute(
      `DELETE FROM trace_data WHERE trace_key IN (SELECT t.trace_key FROM traces t ${OWN_LOCATION} AND g.value = $1 WHERE t.trace_id = $2)`,
      [artifactLocation, traceId],
    );
    return changed > 0;
  }

  async createAssessment(assessment: Assessment): Promise<void> {
    await this.db.transaction(async () => {
      const traceKey = await this.keyOf(assessment.traceId);
      if (traceKey === undefined) throw new Error(`trace ${assessment.traceId} vanished`);
      await this.db.query(
        `INSERT INTO assessments (assessment_id, trace_key, name, span_id, source_type, source_id, create_time, last_update_time,
         value, rationale, metadata, overrides, valid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [assessment.assessmentId, traceKey, ...assessmentParams(assessment)],
      );
      if (assessment.overrides !== undefined) {
        await this.db.query("UPDATE assessments SET valid = 0 WHERE assessment_id = $1 AND trace_key = $2", [assessment.overrides, traceKey]);
      }
    });
  }

  async getAssessment(traceId: string, assessmentId: string): Promise<Assessment | undefined> {
    const row = await this.db.one<AssessmentRow>(
      `SELECT a.* FROM assessments a JOIN traces t ON t.trace_key = a.trace_key WHERE a.assessment_id = $1 AND t.trace_id = $2`,
      [assessmentId, traceId],
    );
    return row === undefined ? undefined : toAssessment(row, traceId);
  }

  async updateAssessment(assessment: Assessment): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE assessments a SET name = $1, span_id = $2, source_type = $3, source_id = $4, create_time = $5, last_update_time = $6,
       value = $7, rationale = $8, metadata = $9, overrides = $10, valid = $11
       FROM traces t WHERE t.trace_key = a.trace_key AND a.assessment_id = $12 AND t.trace_id = $13`,
      [...assessmentParams(assessment), assessment.assessmentId, assessment.traceId],
    );
    return changed > 0;
  }

  /** The row lock of the DELETE keeps a concurrent override of the same assessment from interleaving. */
  async deleteAssessment(traceId: string, assessmentId: string): Promise<boolean> {
    return this.db.transaction(async () => {
      const row = await this.db.one<{ trace_key: number; overrides: string | null }>(
        `DELETE FROM assessments a USING traces t WHERE t.trace_key = a.trace_key AND a.assessment_id = $1 AND t.trace_id = $2
         RETURNING a.trace_key, a.overrides`,
        [assessmentId, traceId],
      );
      if (row === undefined) return false;
      // The superseded assessment is current again once its replacement is gone (MLflow's rule).
      if (row.overrides !== null) {
        await this.db.query("UPDATE assessments SET valid = 1 WHERE assessment_id = $1 AND trace_key = $2", [row.overrides, row.trace_key]);
      }
      return true;
    });
  }
}
