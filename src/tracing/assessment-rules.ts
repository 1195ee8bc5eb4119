import { invalidParameter } from "../core/errors.js";
import { invalidValue, missingValue } from "../protocol/mlflow/fields.js";
import { newAssessmentId } from "./ids.js";
import type { Assessment } from "./trace.js";
import type { AssessmentInput } from "./wire-readers.js";

/**
 * Creating and updating assessments, as MLflow's tracking store does: the server makes the id and the times (a
 * client's create_time is kept, as MLflow keeps it); an update changes only the fields its mask names, never the
 * kind (a feedback stays a feedback), merges metadata and stamps last_update_time.
 */

export const UPDATABLE_FIELDS = ["assessment_name", "expectation", "feedback", "rationale", "metadata"] as const;
export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

export interface AssessmentUpdate {
  fields: UpdatableField[];
  input: AssessmentInput;
}

const snake = (path: string): string => path.trim().replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * A google.protobuf.FieldMask as the client sends it: protobuf's JSON mapping writes one string of camelCase paths
 * joined by commas ("assessmentName,rationale"); the object form {"paths": [...]} is read too.
 */
export const parseUpdateMask = (raw: unknown): UpdatableField[] => {
  let paths: string[];
  if (typeof raw === "string") paths = raw.split(",");
  else if (raw !== null && typeof raw === "object" && !Array.isArray(raw) && Array.isArray((raw as { paths?: unknown }).paths)) {
    paths = (raw as { paths: unknown[] }).paths.map((path) => (typeof path === "string" ? path : ""));
  } else if (raw === undefined || raw === null) {
    throw missingValue("update_mask");
  } else {
    throw invalidValue("update_mask", raw, "expected a FieldMask string such as 'assessmentName,rationale'");
  }
  const fields = paths.map(snake).filter((path) => path !== "");
  if (fields.length === 0) throw missingValue("update_mask");
  if (fields.length > UPDATABLE_FIELDS.length * 2) throw invalidValue("update_mask", raw, "too many paths");
  for (const field of fields) {
    if (!(UPDATABLE_FIELDS as readonly string[]).includes(field)) {
      throw invalidValue("update_mask", raw, `'${field}' cannot be updated; updatable fields are ${UPDATABLE_FIELDS.join(", ")}`);
    }
  }
  return [...new Set(fields)] as UpdatableField[];
};

export const newAssessment = (traceId: string, input: AssessmentInput, now: number): Assessment => {
  if (input.name === undefined || input.name === "") throw missingValue("assessment.assessment_name");
  if (input.value === undefined) {
    throw invalidParameter("Invalid value for parameter 'assessment': exactly one of 'feedback' and 'expectation' must be set.");
  }
  const createTime = input.createTime ?? now;
  return {
    assessmentId: newAssessmentId(),
    traceId,
    name: input.name,
    ...(input.spanId !== undefined ? { spanId: input.spanId } : {}),
    ...(input.source ? { source: input.source } : {}),
    createTime,
    lastUpdateTime: input.lastUpdateTime ?? createTime,
    value: input.value,
    ...(input.rationale !== undefined ? { rationale: input.rationale } : {}),
    metadata: input.metadata ?? {},
    ...(input.overrides !== undefined ? { overrides: input.overrides } : {}),
    valid: input.valid ?? true,
  };
};

export const applyAssessmentUpdate = (before: Assessment, update: AssessmentUpdate, now: number): Assessment => {
  const { fields, input } = update;
  const after: Assessment = { ...before, lastUpdateTime: Math.max(now, before.createTime) };
  for (const field of fields) {
    switch (field) {
      case "assessment_name":
        if (input.name === undefined || input.name === "") throw missingValue("assessment.assessment_name");
        after.name = input.name;
        break;
      case "feedback":
      case "expectation": {
        const value = input.value;
        if (value === undefined || value.kind !== field) throw missingValue(`assessment.${field}`);
        if (before.value.kind !== field) {
          throw invalidParameter(`Cannot change the type of assessment ${before.assessmentId} from ${before.value.kind} to ${field}.`);
        }
        after.value = value;
        break;
      }
      case "rationale":
        if (input.rationale === undefined || input.rationale === "") {
          delete after.rationale;
        } else {
          after.rationale = input.rationale;
        }
        break;
      case "metadata":
        after.metadata = { ...before.metadata, ...(input.metadata ?? {}) };
        break;
    }
  }
  return after;
};
