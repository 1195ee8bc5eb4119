/**
 * PROVISIONAL: MLflow 3's trace and assessment messages as they travel on the wire (service.proto TraceInfoV3,
 * TraceLocation; assessments.proto), until the server's own definitions are merged; then this file goes and the
 * SDK imports those.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type TraceState = "STATE_UNSPECIFIED" | "OK" | "ERROR" | "IN_PROGRESS";

export interface TraceLocation {
  type: "TRACE_LOCATION_TYPE_UNSPECIFIED" | "MLFLOW_EXPERIMENT" | "INFERENCE_TABLE";
  mlflow_experiment?: { experiment_id: string };
  inference_table?: { full_table_name: string };
}

export type AssessmentSourceType = "SOURCE_TYPE_UNSPECIFIED" | "HUMAN" | "LLM_JUDGE" | "CODE";

export interface AssessmentSource {
  source_type: AssessmentSourceType;
  source_id: string;
}

export interface AssessmentError {
  error_code?: string;
  error_message?: string;
  stack_trace?: string;
}

export interface Feedback {
  value?: JsonValue;
  error?: AssessmentError;
}

export interface Expectation {
  value?: JsonValue;
  serialized_value?: { serialization_format?: string; value?: string };
}

export interface Assessment {
  assessment_id?: string;
  assessment_name: string;
  trace_id?: string;
  span_id?: string;
  source?: AssessmentSource;
  /** RFC 3339 (google.protobuf.Timestamp in JSON). */
  create_time?: string;
  last_update_time?: string;
  feedback?: Feedback;
  expectation?: Expectation;
  rationale?: string;
  error?: AssessmentError;
  metadata?: Record<string, string>;
  overrides?: string;
  valid?: boolean;
}

export interface TraceInfoV3 {
  /** `tr-` followed by 32 hex characters. */
  trace_id: string;
  client_request_id?: string;
  trace_location: TraceLocation;
  request_preview?: string;
  response_preview?: string;
  /** RFC 3339, e.g. "2026-12-04T10:00:00.123Z". */
  request_time: string;
  /** google.protobuf.Duration in JSON, e.g. "0.228s". */
  execution_duration?: string;
  state: TraceState;
  trace_metadata?: Record<string, string>;
  assessments?: Assessment[];
  tags?: Record<string, string>;
}
