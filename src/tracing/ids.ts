import { randomUUID } from "node:crypto";
import { invalidValue } from "../protocol/mlflow/fields.js";

/**
 * Trace and assessment ids as MLflow 3 makes them: `tr-` and `a-` followed by 32 lowercase hex digits (a trace id
 * is the client's OpenTelemetry trace id in hex). Ids travel in URL paths, so anything else is refused before a
 * store or an artifact path sees it.
 */
/** A trace id's pattern, also for the artifact paths that embed one (`.../traces/<trace id>/artifacts`). */
export const TRACE_ID_PATTERN = "tr-[0-9a-f]{32}";
const TRACE_ID = new RegExp(`^${TRACE_ID_PATTERN}$`);
const ASSESSMENT_ID = /^a-[0-9a-f]{32}$/;
/** OpenTelemetry span ids: 8 bytes, 16 hex digits. */
const SPAN_ID = /^[0-9a-fA-F]{16}$/;

const hex32 = (): string => randomUUID().replaceAll("-", "");

export const newTraceId = (): string => `tr-${hex32()}`;
export const newAssessmentId = (): string => `a-${hex32()}`;

export const validateTraceId = (traceId: string, field = "trace_id"): string => {
  if (!TRACE_ID.test(traceId)) throw invalidValue(field, traceId, "a trace id is 'tr-' followed by 32 lowercase hex digits");
  return traceId;
};

export const validateAssessmentId = (assessmentId: string, field = "assessment_id"): string => {
  if (!ASSESSMENT_ID.test(assessmentId)) {
    throw invalidValue(field, assessmentId, "an assessment id is 'a-' followed by 32 lowercase hex digits");
  }
  return assessmentId;
};

export const validateSpanId = (spanId: string, field = "span_id"): string => {
  if (!SPAN_ID.test(spanId)) throw invalidValue(field, spanId, "a span id is 16 hex digits");
  return spanId;
};
