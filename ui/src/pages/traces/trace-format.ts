import type { Assessment, TraceInfoV3 } from "./trace-wire";

/** protobuf Duration in JSON ("0.228s", "12s") as milliseconds; undefined for anything else. */
export const durationMs = (duration: string | undefined): number | undefined => {
  const match = /^(-?\d+(?:\.\d+)?)s$/.exec(duration ?? "");
  return match ? Number(match[1]) * 1000 : undefined;
};

/** protobuf Timestamp in JSON (RFC 3339) as epoch milliseconds; undefined when it does not parse. */
export const timestampMs = (timestamp: string | undefined): number | undefined => {
  if (!timestamp) return undefined;
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms : undefined;
};

/** A JSON value as the text a reader sees: strings as they are, anything else as indented JSON. */
export const valueText = (value: unknown, indent = 2): string => {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, indent) ?? String(value);
  } catch {
    return String(value);
  }
};

export const assessmentKind = (assessment: Assessment): "feedback" | "expectation" | "unknown" =>
  assessment.feedback ? "feedback" : assessment.expectation ? "expectation" : "unknown";

/** What an assessment says: its value (compact JSON), or its error. */
export const assessmentValue = (assessment: Assessment): string => {
  if (assessment.feedback) {
    if (assessment.feedback.error) return `error: ${assessment.feedback.error.error_code ?? ""} ${assessment.feedback.error.error_message ?? ""}`.trim();
    return valueText(assessment.feedback.value, 0);
  }
  if (assessment.expectation) {
    if (assessment.expectation.serialized_value) return assessment.expectation.serialized_value.value ?? "";
    return valueText(assessment.expectation.value, 0);
  }
  return "";
};

/** Assessments that count: those another did not override (`valid` false). */
export const validAssessments = (trace: TraceInfoV3): Assessment[] => (trace.assessments ?? []).filter((assessment) => assessment.valid !== false);

/** The table's one-line summary of a trace's assessments, e.g. "correct: true, relevance: 0.8". */
export const assessmentSummary = (trace: TraceInfoV3): string =>
  validAssessments(trace)
    .map((assessment) => `${assessment.assessment_name ?? "?"}: ${assessmentValue(assessment)}`)
    .join(", ");

/** Tags people set (MLflow's own mlflow.* tags left out), sorted by key. */
export const userTags = (tags: Record<string, string> | undefined): [string, string][] =>
  Object.entries(tags ?? {})
    .filter(([key]) => !key.startsWith("mlflow."))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
