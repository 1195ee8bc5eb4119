import { invalidValue, missingValue, type Fields } from "../protocol/mlflow/fields.js";
import { TraceLimits } from "./limits.js";
import { parseDuration, parseTimestamp } from "./proto-time.js";
import type { TraceInput } from "./service.js";
import { TRACE_STATES } from "./trace.js";
import { boundedString, readAssessment, readStringMap, type AssessmentInput } from "./wire-readers.js";

/**
 * StartTraceV3's `trace` message: the TraceInfoV3 header and its assessments. `spans` are not read: with spans
 * kept as artifacts the client sends none and uploads traces.json afterwards.
 */
const LOCATION_TYPES = ["TRACE_LOCATION_TYPE_UNSPECIFIED", "MLFLOW_EXPERIMENT", "INFERENCE_TABLE"] as const;

const preview = (fields: Fields, field: string): string | undefined => {
  const value = fields.optionalString(field);
  // Previews are partial by definition (service.proto: "truncated to 10KB"): cut, never refuse the trace.
  return value === undefined ? undefined : value.slice(0, TraceLimits.PREVIEW_LENGTH);
};

/** The experiment of a TraceLocation; only MLflow experiments hold traces here. */
export const readExperimentLocation = (location: Fields, path: string): string => {
  const type = location.optionalProtoEnum("type", LOCATION_TYPES, 0);
  if (type !== undefined && type !== "MLFLOW_EXPERIMENT") {
    throw invalidValue(`${path}.type`, type, "only MLFLOW_EXPERIMENT trace locations are supported");
  }
  const experiment = location.optionalObject("mlflow_experiment");
  if (!experiment) throw missingValue(`${path}.mlflow_experiment`);
  return experiment.requiredString("experiment_id");
};

export const readStartTraceV3 = (fields: Fields): { trace: TraceInput; assessments: AssessmentInput[] } => {
  const trace = fields.optionalObject("trace");
  if (!trace) throw missingValue("trace");
  const info = trace.optionalObject("trace_info");
  if (!info) throw missingValue("trace.trace_info");
  const path = "trace.trace_info";
  const location = info.optionalObject("trace_location");
  if (!location) throw missingValue(`${path}.trace_location`);
  const requestTime = info.optionalString("request_time");
  const duration = info.optionalString("execution_duration");
  const clientRequestId = boundedString(info, "client_request_id", TraceLimits.CLIENT_REQUEST_ID_LENGTH, path);
  const requestPreview = preview(info, "request_preview");
  const responsePreview = preview(info, "response_preview");
  if (info.count("assessments") > TraceLimits.ASSESSMENTS_PER_TRACE) {
    throw invalidValue(`${path}.assessments`, `<${info.count("assessments")} assessments>`, `at most ${TraceLimits.ASSESSMENTS_PER_TRACE} are allowed`);
  }
  return {
    trace: {
      traceId: info.requiredString("trace_id"),
      experimentId: readExperimentLocation(location, `${path}.trace_location`),
      ...(clientRequestId ? { clientRequestId } : {}),
      ...(requestPreview !== undefined ? { requestPreview } : {}),
      ...(responsePreview !== undefined ? { responsePreview } : {}),
      requestTime: requestTime ? parseTimestamp(requestTime, `${path}.request_time`) : Date.now(),
      ...(duration ? { executionDuration: parseDuration(duration, `${path}.execution_duration`) } : {}),
      state: info.optionalProtoEnum("state", TRACE_STATES, 0) ?? "STATE_UNSPECIFIED",
      metadata: readStringMap(info, "trace_metadata", path, TraceLimits.ENTRIES),
      tags: readStringMap(info, "tags", path, TraceLimits.ENTRIES),
    },
    assessments: info.list("assessments", (item) => readAssessment(item, `${path}.assessments`)),
  };
};
