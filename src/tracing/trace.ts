/**
 * The tracing domain's entities, independent of the wire: a trace header (MLflow's TraceInfoV3 without the spans,
 * which stay in the trace's `traces.json` artifact) and the assessments attached to it. Times are epoch ms.
 */

export const TRACE_STATES = ["STATE_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"] as const;
export type TraceState = (typeof TRACE_STATES)[number];

/** The v2 protocol's TraceStatus, the same values under another enum name. */
export const TRACE_STATUSES = ["TRACE_STATUS_UNSPECIFIED", "OK", "ERROR", "IN_PROGRESS"] as const;
export type TraceStatus = (typeof TRACE_STATUSES)[number];

export const ASSESSMENT_SOURCE_TYPES = ["SOURCE_TYPE_UNSPECIFIED", "HUMAN", "LLM_JUDGE", "CODE"] as const;
export type AssessmentSourceType = (typeof ASSESSMENT_SOURCE_TYPES)[number];

export interface TraceInfo {
  traceId: string;
  experimentId: string;
  clientRequestId?: string;
  requestPreview?: string;
  responsePreview?: string;
  requestTime: number;
  /** Unknown while a v2 trace is in progress. */
  executionDuration?: number;
  state: TraceState;
  metadata: Record<string, string>;
  tags: Record<string, string>;
}

export interface TraceWithAssessments extends TraceInfo {
  assessments: Assessment[];
}

/** JSON values as google.protobuf.Value carries them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface AssessmentError {
  errorCode?: string;
  errorMessage?: string;
  stackTrace?: string;
}

/** Exactly one of the two kinds (the proto's `oneof value`). */
export type AssessmentValue =
  | { kind: "feedback"; value?: JsonValue; error?: AssessmentError }
  | { kind: "expectation"; value: JsonValue }
  | { kind: "expectation"; serializedValue: { serializationFormat?: string; value?: string } };

export interface Assessment {
  assessmentId: string;
  traceId: string;
  name: string;
  spanId?: string;
  source?: { sourceType: AssessmentSourceType; sourceId?: string };
  createTime: number;
  lastUpdateTime: number;
  value: AssessmentValue;
  rationale?: string;
  metadata: Record<string, string>;
  overrides?: string;
  valid: boolean;
}

/** Trace tags and metadata keys MLflow reads or writes. */
export const TraceKey = {
  /** Where the client puts traces.json (set by the server). */
  ARTIFACT_LOCATION: "mlflow.artifactLocation",
  /** Set only by servers that keep spans themselves; Cairn never sets it, so clients upload traces.json. */
  SPANS_LOCATION: "mlflow.trace.spansLocation",
  TRACE_NAME: "mlflow.traceName",
  SOURCE_RUN: "mlflow.sourceRun",
} as const;
