/**
 * MLflow 3's trace header and assessments as they travel on the wire (service.proto TraceInfoV3, assessments.proto
 * Assessment): snake_case, timestamps as RFC 3339 strings, durations as "0.228s" strings. Every field is optional
 * here, because the UI shows whatever a client sent and must not fail on a trace that lacks a field.
 */

export type TraceState = "STATE_UNSPECIFIED" | "OK" | "ERROR" | "IN_PROGRESS";

export interface TraceLocation {
  type?: string;
  mlflow_experiment?: { experiment_id?: string };
}

export interface AssessmentSource {
  source_type?: string;
  source_id?: string;
}

export interface AssessmentError {
  error_code?: string;
  error_message?: string;
  stack_trace?: string;
}

export interface Assessment {
  assessment_id?: string;
  assessment_name?: string;
  trace_id?: string;
  span_id?: string;
  source?: AssessmentSource;
  create_time?: string;
  last_update_time?: string;
  /** google.protobuf.Value: any JSON value. */
  feedback?: { value?: unknown; error?: AssessmentError };
  expectation?: { value?: unknown; serialized_value?: { serialization_format?: string; value?: string } };
  rationale?: string;
  metadata?: Record<string, string>;
  overrides?: string;
  valid?: boolean;
}

export interface TraceInfoV3 {
  trace_id: string;
  client_request_id?: string;
  trace_location?: TraceLocation;
  request_preview?: string;
  response_preview?: string;
  request_time?: string;
  execution_duration?: string;
  state?: TraceState;
  trace_metadata?: Record<string, string>;
  assessments?: Assessment[];
  tags?: Record<string, string>;
}

export interface SearchTracesV3Response {
  traces?: TraceInfoV3[];
  next_page_token?: string;
}

export interface GetTraceInfoV3Response {
  trace?: { trace_info?: TraceInfoV3 };
}

/** The tag under which the server names the folder of the trace's `traces.json` (the spans). */
export const ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation";
