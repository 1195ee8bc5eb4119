import type { Assessment, AssessmentSourceType, AssessmentValue, TraceState, TraceWithAssessments } from "../../tracing/trace.js";

/** Rows of the traces schema (SQLite schema/012-traces.ts, PostgreSQL schema/002-registry.ts) and their mapping to the tracing domain's entities, for both SQL backends. */
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

/** A trace row with its tags, metadata and assessments as the tracing domain's entity (optional fields absent when NULL). */
export const toTrace = (
  row: TraceRow,
  tags: Record<string, string>,
  metadata: Record<string, string>,
  assessments: Assessment[],
): TraceWithAssessments => ({
  traceId: row.trace_id,
  experimentId: String(row.experiment_id),
  ...(row.client_request_id !== null ? { clientRequestId: row.client_request_id } : {}),
  ...(row.request_preview !== null ? { requestPreview: row.request_preview } : {}),
  ...(row.response_preview !== null ? { responsePreview: row.response_preview } : {}),
  requestTime: row.request_time,
  ...(row.execution_duration !== null ? { executionDuration: row.execution_duration } : {}),
  state: row.state as TraceState,
  metadata,
  tags,
  assessments,
});

export type { AssessmentValue };
