import type { Assessment, AssessmentSourceType, AssessmentValue, TraceState, TraceWithAssessments } from "../../tracing/trace.js";
import type { SqliteConnection } from "./statement-cache.js";

/** Rows of the traces schema (schema/012-traces.ts) and their mapping to the tracing domain's entities. */
export interface TraceRow {
  trace_key: number;
  trace_id: string;
  experiment_id: number;
  client_request_id: string | null;
  request_preview: string | null;
  response_preview: string | null;
  request_time: number;
  execution_duration: number | null;
  state: string;
}

export interface AssessmentRow {
  assessment_id: string;
  trace_key: number;
  name: string;
  span_id: string | null;
  source_type: string | null;
  source_id: string | null;
  create_time: number;
  last_update_time: number;
  value: string;
  rationale: string | null;
  metadata: string;
  overrides: string | null;
  valid: number;
}

export const ASSESSMENT_COLUMNS =
  "a.assessment_id, a.trace_key, a.name, a.span_id, a.source_type, a.source_id, a.create_time, a.last_update_time, " +
  "a.value, a.rationale, a.metadata, a.overrides, a.valid";

export const toAssessment = (row: AssessmentRow, traceId: string): Assessment => ({
  assessmentId: row.assessment_id,
  traceId,
  name: row.name,
  ...(row.span_id !== null ? { spanId: row.span_id } : {}),
  ...(row.source_type !== null
    ? { source: { sourceType: row.source_type as AssessmentSourceType, ...(row.source_id !== null ? { sourceId: row.source_id } : {}) } }
    : {}),
  createTime: row.create_time,
  lastUpdateTime: row.last_update_time,
  value: JSON.parse(row.value) as AssessmentValue,
  ...(row.rationale !== null ? { rationale: row.rationale } : {}),
  metadata: JSON.parse(row.metadata) as Record<string, string>,
  ...(row.overrides !== null ? { overrides: row.overrides } : {}),
  valid: row.valid === 1,
});

export const assessmentParams = (assessment: Assessment) => [
  assessment.name,
  assessment.spanId ?? null,
  assessment.source?.sourceType ?? null,
  assessment.source?.sourceId ?? null,
  assessment.createTime,
  assessment.lastUpdateTime,
  JSON.stringify(assessment.value),
  assessment.rationale ?? null,
  JSON.stringify(assessment.metadata),
  assessment.overrides ?? null,
  assessment.valid ? 1 : 0,
];

const keyValues = (conn: SqliteConnection, table: string, keysJson: string): Map<number, Record<string, string>> => {
  const rows = conn
    .stmt(`SELECT trace_key, key, value FROM ${table} WHERE trace_key IN (SELECT value FROM json_each(?)) ORDER BY trace_key, key`)
    .all(keysJson) as { trace_key: number; key: string; value: string }[];
  const byTrace = new Map<number, Record<string, string>>();
  for (const row of rows) {
    let object = byTrace.get(row.trace_key);
    if (!object) {
      object = {};
      byTrace.set(row.trace_key, object);
    }
    object[row.key] = row.value;
  }
  return byTrace;
};

/** Full traces (tags, metadata, assessments) of rows, in the rows' order: three reads whatever the page size. */
export const loadTraces = (conn: SqliteConnection, rows: readonly TraceRow[]): TraceWithAssessments[] => {
  if (rows.length === 0) return [];
  const keysJson = JSON.stringify(rows.map((row) => row.trace_key));
  const tags = keyValues(conn, "trace_tags", keysJson);
  const metadata = keyValues(conn, "trace_metadata", keysJson);
  const assessmentRows = conn
    .stmt(`SELECT ${ASSESSMENT_COLUMNS} FROM assessments a WHERE a.trace_key IN (SELECT value FROM json_each(?)) ORDER BY a.trace_key, a.create_time, a.assessment_key`)
    .all(keysJson) as AssessmentRow[];
  const idByKey = new Map(rows.map((row) => [row.trace_key, row.trace_id]));
  const assessments = new Map<number, Assessment[]>();
  for (const row of assessmentRows) {
    const list = assessments.get(row.trace_key) ?? [];
    list.push(toAssessment(row, idByKey.get(row.trace_key) ?? ""));
    assessments.set(row.trace_key, list);
  }
  return rows.map((row) => ({
    traceId: row.trace_id,
    experimentId: String(row.experiment_id),
    ...(row.client_request_id !== null ? { clientRequestId: row.client_request_id } : {}),
    ...(row.request_preview !== null ? { requestPreview: row.request_preview } : {}),
    ...(row.response_preview !== null ? { responsePreview: row.response_preview } : {}),
    requestTime: row.request_time,
    ...(row.execution_duration !== null ? { executionDuration: row.execution_duration } : {}),
    state: row.state as TraceState,
    metadata: metadata.get(row.trace_key) ?? {},
    tags: tags.get(row.trace_key) ?? {},
    assessments: assessments.get(row.trace_key) ?? [],
  }));
};

export type { AssessmentValue };
