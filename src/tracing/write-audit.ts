/** Audit actions of the tracing domain ("<domain>.<entity>.<verb>"). */
export const TracingAction = {
  TRACE_START: "tracing.trace.start",
  TRACE_END: "tracing.trace.end",
  TRACE_TAG_SET: "tracing.trace_tag.set",
  TRACE_TAG_DELETE: "tracing.trace_tag.delete",
  TRACES_DELETE: "tracing.traces.delete",
  ASSESSMENT_CREATE: "tracing.assessment.create",
  ASSESSMENT_UPDATE: "tracing.assessment.update",
  ASSESSMENT_DELETE: "tracing.assessment.delete",
} as const;
