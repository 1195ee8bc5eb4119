import { invalidValue, missingValue } from "../protocol/mlflow/fields.js";
import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import { parseUpdateMask } from "./assessment-rules.js";
import type { TraceService } from "./service.js";
import { readAssessment } from "./wire-readers.js";
import { assessmentJson } from "./wire-writers.js";

/** The four assessment RPCs of service.proto (`since` 3.0), on a trace or one span of it. */
export const assessmentEndpoints = (service: TraceService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "traces/:trace_id/assessments",
    apiVersion: 3,
    handle: async (fields, context) => {
      const body = fields.optionalObject("assessment");
      if (!body) throw missingValue("assessment");
      const input = readAssessment(body, "assessment");
      return { assessment: assessmentJson(await service.createAssessment(fields.requiredString("trace_id"), input, context)) };
    },
  },
  {
    methods: ["GET"],
    path: "traces/:trace_id/assessments/:assessment_id",
    apiVersion: 3,
    handle: async (fields) => ({
      assessment: assessmentJson(await service.getAssessment(fields.requiredString("trace_id"), fields.requiredString("assessment_id"))),
    }),
  },
  {
    methods: ["PATCH"],
    path: "traces/:trace_id/assessments/:assessment_id",
    apiVersion: 3,
    handle: async (fields, context) => {
      const traceId = fields.requiredString("trace_id");
      const assessmentId = fields.requiredString("assessment_id");
      const body = fields.optionalObject("assessment");
      if (!body) throw missingValue("assessment");
      const input = readAssessment(body, "assessment");
      if (input.assessmentId !== undefined && input.assessmentId !== assessmentId) {
        throw invalidValue("assessment.assessment_id", input.assessmentId, `it differs from the assessment id of the path, '${assessmentId}'`);
      }
      if (input.traceId !== undefined && input.traceId !== traceId) {
        throw invalidValue("assessment.trace_id", input.traceId, `it differs from the trace id of the path, '${traceId}'`);
      }
      const update = { fields: parseUpdateMask(fields.rawValue("update_mask")), input };
      return { assessment: assessmentJson(await service.updateAssessment(traceId, assessmentId, update, context)) };
    },
  },
  {
    methods: ["DELETE"],
    path: "traces/:trace_id/assessments/:assessment_id",
    apiVersion: 3,
    handle: async (fields, context) => {
      await service.deleteAssessment(fields.requiredString("trace_id"), fields.requiredString("assessment_id"), context);
      return {};
    },
  },
];
