import { invalidValue, missingValue, type Fields } from "../protocol/mlflow/fields.js";
import { validateAssessmentId, validateSpanId } from "./ids.js";
import { TraceLimits } from "./limits.js";
import { parseTimestamp } from "./proto-time.js";
import { ASSESSMENT_SOURCE_TYPES, type AssessmentError, type AssessmentSourceType, type AssessmentValue, type JsonValue } from "./trace.js";

/**
 * Readers of the MLflow 3 trace and assessment messages out of a request's Fields, with errors naming the field
 * by its JSON path (`trace.trace_info.tags`). Protobuf maps travel as JSON objects of strings, Timestamps as
 * RFC 3339 strings, google.protobuf.Value as any JSON value.
 */

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "list" : typeof value === "object" ? "dict" : typeof value;

const nameOf = (path: string, field: string): string => (path ? `${path}.${field}` : field);

/** A map<string, string>: a JSON object whose values are strings; bounded in entries and lengths. */
export const readStringMap = (fields: Fields, field: string, path: string, maxEntries: number): Record<string, string> => {
  const raw = fields.rawValue(field);
  const name = nameOf(path, field);
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidValue(name, raw, `expected a JSON object of strings, got ${describe(raw)}`);
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > maxEntries) throw invalidValue(name, `<${entries.length} entries>`, `at most ${maxEntries} entries are allowed`);
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (typeof value !== "string") throw invalidValue(`${name}.${key}`, value, `expected a string, got ${describe(value)}`);
    checkKeyValue(name, key, value);
    out[key] = value;
  }
  return out;
};

/** The repeated {key, value} form of the v2 messages (TraceTag, TraceRequestMetadata). */
export const readKeyValueList = (fields: Fields, field: string, path: string): Record<string, string> => {
  if (fields.count(field) > TraceLimits.ENTRIES) {
    throw invalidValue(nameOf(path, field), `<${fields.count(field)} entries>`, `at most ${TraceLimits.ENTRIES} entries are allowed`);
  }
  const out: Record<string, string> = {};
  for (const item of fields.list(field, (entry) => ({ key: entry.requiredString("key"), value: entry.optionalString("value") ?? "" }))) {
    checkKeyValue(nameOf(path, field), item.key, item.value);
    out[item.key] = item.value;
  }
  return out;
};

export const checkKeyValue = (name: string, key: string, value: string): void => {
  if (key === "") throw invalidValue(name, key, "keys must not be empty");
  if (key.length > TraceLimits.KEY_LENGTH) {
    throw invalidValue(name, key, `key '${key.slice(0, 50)}...' exceeds the maximum length of ${TraceLimits.KEY_LENGTH} characters`);
  }
  if (value.length > TraceLimits.VALUE_LENGTH) {
    throw invalidValue(`${name}.${key}`, value, `value exceeds the maximum length of ${TraceLimits.VALUE_LENGTH} characters`);
  }
};

export const boundedString = (fields: Fields, field: string, limit: number, path: string): string | undefined => {
  const value = fields.optionalString(field);
  if (value !== undefined && value.length > limit) {
    throw invalidValue(nameOf(path, field), value, `exceeds the maximum length of ${limit} characters`);
  }
  return value;
};

/** A google.protobuf.Value: any JSON value, bounded by the length of its JSON text. */
const readJsonValue = (fields: Fields, field: string, path: string): JsonValue | undefined => {
  const raw = fields.rawValue(field);
  if (raw === undefined || raw === null) return undefined;
  let text: string;
  try {
    text = JSON.stringify(raw);
  } catch {
    throw invalidValue(nameOf(path, field), "<value>", "nested too deeply");
  }
  if (text.length > TraceLimits.ASSESSMENT_VALUE_LENGTH) {
    throw invalidValue(nameOf(path, field), text, `its JSON exceeds the maximum length of ${TraceLimits.ASSESSMENT_VALUE_LENGTH} characters`);
  }
  return raw as JsonValue;
};

const readError = (fields: Fields, path: string): AssessmentError => {
  const errorCode = boundedString(fields, "error_code", 1000, path);
  const errorMessage = boundedString(fields, "error_message", TraceLimits.RATIONALE_LENGTH, path);
  const stackTrace = boundedString(fields, "stack_trace", TraceLimits.RATIONALE_LENGTH, path);
  return {
    ...(errorCode !== undefined ? { errorCode } : {}),
    ...(errorMessage !== undefined ? { errorMessage } : {}),
    ...(stackTrace !== undefined ? { stackTrace } : {}),
  };
};

/** The `oneof value` of an Assessment: exactly one of feedback (value and/or error) or expectation (value xor serialized_value). */
export const readAssessmentValue = (assessment: Fields, path: string): AssessmentValue | undefined => {
  const feedback = assessment.optionalObject("feedback");
  const expectation = assessment.optionalObject("expectation");
  if (feedback && expectation) {
    throw invalidValue(path, "<assessment>", "exactly one of 'feedback' and 'expectation' may be set");
  }
  if (feedback) {
    const value = readJsonValue(feedback, "value", `${path}.feedback`);
    const errorFields = feedback.optionalObject("error");
    if (value === undefined && errorFields === undefined) {
      throw invalidValue(`${path}.feedback`, "<feedback>", "a feedback needs a 'value' or an 'error'");
    }
    return { kind: "feedback", ...(value !== undefined ? { value } : {}), ...(errorFields ? { error: readError(errorFields, `${path}.feedback.error`) } : {}) };
  }
  if (expectation) {
    const value = readJsonValue(expectation, "value", `${path}.expectation`);
    const serialized = expectation.optionalObject("serialized_value");
    if ((value === undefined) === (serialized === undefined)) {
      throw invalidValue(`${path}.expectation`, "<expectation>", "exactly one of 'value' and 'serialized_value' must be set");
    }
    if (value !== undefined) return { kind: "expectation", value };
    const serializedPath = `${path}.expectation.serialized_value`;
    const format = boundedString(serialized as Fields, "serialization_format", 250, serializedPath);
    const text = boundedString(serialized as Fields, "value", TraceLimits.ASSESSMENT_VALUE_LENGTH, serializedPath);
    return {
      kind: "expectation",
      serializedValue: { ...(format !== undefined ? { serializationFormat: format } : {}), ...(text !== undefined ? { value: text } : {}) },
    };
  }
  return undefined;
};

export interface AssessmentInput {
  name?: string;
  spanId?: string;
  source?: { sourceType: AssessmentSourceType; sourceId?: string };
  createTime?: number;
  lastUpdateTime?: number;
  value?: AssessmentValue;
  rationale?: string;
  metadata?: Record<string, string>;
  overrides?: string;
  valid?: boolean;
  traceId?: string;
  assessmentId?: string;
}

/** Every field of an Assessment message that is present; what is required depends on the call (create or update). */
export const readAssessment = (assessment: Fields, path: string): AssessmentInput => {
  const name = boundedString(assessment, "assessment_name", TraceLimits.ASSESSMENT_NAME_LENGTH, path);
  const spanId = assessment.optionalText("span_id");
  const sourceFields = assessment.optionalObject("source");
  let source: AssessmentInput["source"];
  if (sourceFields) {
    const sourceType = sourceFields.optionalProtoEnum("source_type", ASSESSMENT_SOURCE_TYPES, 0);
    if (sourceType === undefined || sourceType === "SOURCE_TYPE_UNSPECIFIED") throw missingValue(`${path}.source.source_type`);
    const sourceId = boundedString(sourceFields, "source_id", 1000, `${path}.source`);
    source = { sourceType, ...(sourceId !== undefined ? { sourceId } : {}) };
  }
  const createTime = assessment.optionalString("create_time");
  const lastUpdateTime = assessment.optionalString("last_update_time");
  const value = readAssessmentValue(assessment, path);
  const rationale = boundedString(assessment, "rationale", TraceLimits.RATIONALE_LENGTH, path);
  const overrides = assessment.optionalText("overrides");
  const valid = assessment.optionalBoolean("valid");
  const traceId = assessment.optionalText("trace_id");
  const assessmentId = assessment.optionalText("assessment_id");
  const hasMetadata = assessment.has("metadata");
  return {
    ...(name !== undefined ? { name } : {}),
    ...(spanId !== undefined ? { spanId: validateSpanId(spanId, `${path}.span_id`) } : {}),
    ...(source ? { source } : {}),
    ...(createTime ? { createTime: parseTimestamp(createTime, `${path}.create_time`) } : {}),
    ...(lastUpdateTime ? { lastUpdateTime: parseTimestamp(lastUpdateTime, `${path}.last_update_time`) } : {}),
    ...(value ? { value } : {}),
    ...(rationale !== undefined ? { rationale } : {}),
    ...(hasMetadata ? { metadata: readStringMap(assessment, "metadata", path, TraceLimits.ASSESSMENT_METADATA_ENTRIES) } : {}),
    ...(overrides !== undefined ? { overrides: validateAssessmentId(overrides, `${path}.overrides`) } : {}),
    ...(valid !== undefined ? { valid } : {}),
    ...(traceId !== undefined ? { traceId } : {}),
    ...(assessmentId !== undefined ? { assessmentId } : {}),
  };
};
