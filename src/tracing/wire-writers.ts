import { formatDuration, formatTimestamp } from "./proto-time.js";
import type { Assessment, JsonValue, TraceWithAssessments } from "./trace.js";

/**
 * Trace entities in MLflow's wire shapes, as protobuf's JSON mapping writes them: unset fields and empty maps and
 * lists omitted, enums by name, Timestamps and Durations as strings, maps as JSON objects.
 */

export interface AssessmentJson {
  assessment_id: string;
  assessment_name: string;
  trace_id: string;
  span_id?: string;
  source?: { source_type: string; source_id?: string };
  create_time: string;
  last_update_time: string;
  feedback?: { value?: JsonValue; error?: { error_code?: string; error_message?: string; stack_trace?: string } };
  expectation?: { value?: JsonValue; serialized_value?: { serialization_format?: string; value?: string } };
  rationale?: string;
  metadata?: Record<string, string>;
  overrides?: string;
  valid: boolean;
}

export interface TraceInfoV3Json {
  trace_id: string;
  client_request_id?: string;
  trace_location: { type: "MLFLOW_EXPERIMENT"; mlflow_experiment: { experiment_id: string } };
  request_preview?: string;
  response_preview?: string;
  request_time: string;
  execution_duration?: string;
  state: string;
  trace_metadata?: Record<string, string>;
  assessments?: AssessmentJson[];
  tags?: Record<string, string>;
}

/** The v2 TraceInfo of the MLflow 2.x client's routes. */
export interface TraceInfoV2Json {
  request_id: string;
  experiment_id: string;
  timestamp_ms: number;
  execution_time_ms?: number;
  status: string;
  request_metadata?: { key: string; value: string }[];
  tags?: { key: string; value: string }[];
}

const nonEmpty = <T extends object>(value: T): T | undefined => (Object.keys(value).length > 0 ? value : undefined);

export const assessmentJson = (assessment: Assessment): AssessmentJson => {
  const value = assessment.value;
  let kind: Pick<AssessmentJson, "feedback" | "expectation">;
  if (value.kind === "feedback") {
    const error = value.error
      ? {
          ...(value.error.errorCode !== undefined ? { error_code: value.error.errorCode } : {}),
          ...(value.error.errorMessage !== undefined ? { error_message: value.error.errorMessage } : {}),
          ...(value.error.stackTrace !== undefined ? { stack_trace: value.error.stackTrace } : {}),
        }
      : undefined;
    kind = { feedback: { ...("value" in value && value.value !== undefined ? { value: value.value } : {}), ...(error ? { error } : {}) } };
  } else if ("serializedValue" in value) {
    const serialized = value.serializedValue;
    kind = {
      expectation: {
        serialized_value: {
          ...(serialized.serializationFormat !== undefined ? { serialization_format: serialized.serializationFormat } : {}),
          ...(serialized.value !== undefined ? { value: serialized.value } : {}),
        },
      },
    };
  } else {
    kind = { expectation: { value: value.value } };
  }
  const metadata = nonEmpty(assessment.metadata);
  return {
    assessment_id: assessment.assessmentId,
    assessment_name: assessment.name,
    trace_id: assessment.traceId,
    ...(assessment.spanId !== undefined ? { span_id: assessment.spanId } : {}),
    ...(assessment.source
      ? { source: { source_type: assessment.source.sourceType, ...(assessment.source.sourceId !== undefined ? { source_id: assessment.source.sourceId } : {}) } }
      : {}),
    create_time: formatTimestamp(assessment.createTime),
    last_update_time: formatTimestamp(assessment.lastUpdateTime),
    ...kind,
    ...(assessment.rationale !== undefined ? { rationale: assessment.rationale } : {}),
    ...(metadata ? { metadata } : {}),
    ...(assessment.overrides !== undefined ? { overrides: assessment.overrides } : {}),
    valid: assessment.valid,
  };
};

export const traceInfoV3Json = (trace: TraceWithAssessments): TraceInfoV3Json => {
  const metadata = nonEmpty(trace.metadata);
  const tags = nonEmpty(trace.tags);
  return {
    trace_id: trace.traceId,
    ...(trace.clientRequestId !== undefined ? { client_request_id: trace.clientRequestId } : {}),
    trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: trace.experimentId } },
    ...(trace.requestPreview !== undefined ? { request_preview: trace.requestPreview } : {}),
    ...(trace.responsePreview !== undefined ? { response_preview: trace.responsePreview } : {}),
    request_time: formatTimestamp(trace.requestTime),
    ...(trace.executionDuration !== undefined ? { execution_duration: formatDuration(trace.executionDuration) } : {}),
    state: trace.state,
    ...(metadata ? { trace_metadata: metadata } : {}),
    ...(trace.assessments.length > 0 ? { assessments: trace.assessments.map(assessmentJson) } : {}),
    ...(tags ? { tags } : {}),
  };
};

const keyValueList = (values: Record<string, string>): { key: string; value: string }[] =>
  Object.entries(values).map(([key, value]) => ({ key, value }));

/** v2 has TraceStatus where v3 has State: the same names except the unspecified value. */
export const traceInfoV2Json = (trace: TraceWithAssessments): TraceInfoV2Json => ({
  request_id: trace.traceId,
  experiment_id: trace.experimentId,
  timestamp_ms: trace.requestTime,
  ...(trace.executionDuration !== undefined ? { execution_time_ms: trace.executionDuration } : {}),
  status: trace.state === "STATE_UNSPECIFIED" ? "TRACE_STATUS_UNSPECIFIED" : trace.state,
  ...(Object.keys(trace.metadata).length > 0 ? { request_metadata: keyValueList(trace.metadata) } : {}),
  ...(Object.keys(trace.tags).length > 0 ? { tags: keyValueList(trace.tags) } : {}),
});
