import { readExperimentLocation } from "../../tracing/trace-info-reader.js";
import { readableExperiments } from "./filters.js";
import { experiment, experimentIn, experimentsIn, loggedModelOf, runOf, runsIn, traceOf } from "./requirements.js";
import { ANY_SIGNED_IN, fromFields, type Rule } from "./rule.js";
import type { RouteRules } from "./route-key.js";
import { mlflow } from "./route-key.js";

/**
 * Tracking, logged models and traces: MLflow's BEFORE_REQUEST_HANDLERS (mlflow/server/auth/__init__.py). Reads need
 * READ on the experiment, writes EDIT (can_update), deletes and restores MANAGE (can_delete). A run, logged model or
 * trace is judged by its experiment.
 */
const read = experimentIn("experiment_id", "read");
const update = experimentIn("experiment_id", "update");

const createExperiment: Rule = {
  ...ANY_SIGNED_IN,
  // The creator manages what they created (MLflow's set_can_manage_experiment_permission).
  after: async (body, _input, effects) => {
    if (typeof body.experiment_id === "string") await effects.grantExperimentManage(body.experiment_id);
  },
};

const searchExperiments: Rule = { ...ANY_SIGNED_IN, filter: readableExperiments("experiments") };

export const TRACKING_RULES: RouteRules = {
  ...mlflow("POST", "experiments/create", createExperiment),
  ...mlflow("GET", "experiments/get", fromFields(read)),
  ...mlflow("GET", "experiments/get-by-name", fromFields(async (fields, input) => [
    experiment(await input.lookup.experimentByName(fields.requiredString("experiment_name")), "read"),
  ])),
  ...mlflow(["GET", "POST"], "experiments/search", searchExperiments),
  ...mlflow("GET", "experiments/list", searchExperiments),
  ...mlflow("POST", "experiments/update", fromFields(update)),
  ...mlflow("POST", "experiments/delete", fromFields(experimentIn("experiment_id", "delete"))),
  ...mlflow("POST", "experiments/restore", fromFields(experimentIn("experiment_id", "delete"))),
  ...mlflow("POST", "experiments/set-experiment-tag", fromFields(update)),
  ...mlflow("POST", "experiments/delete-experiment-tag", fromFields(update)),

  // A run without experiment_id goes to the Default experiment (0).
  ...mlflow("POST", "runs/create", fromFields((fields) => [experiment(fields.optionalText("experiment_id") ?? "0", "update")])),
  ...mlflow("POST", "runs/update", fromFields(runOf("update"))),
  ...mlflow("POST", "runs/delete", fromFields(runOf("delete"))),
  ...mlflow("POST", "runs/restore", fromFields(runOf("delete"))),
  ...mlflow("POST", "runs/log-metric", fromFields(runOf("update"))),
  ...mlflow("POST", "runs/log-parameter", fromFields(runOf("update"))),
  ...mlflow("POST", "runs/set-tag", fromFields(runOf("update"))),
  ...mlflow("POST", "runs/delete-tag", fromFields(runOf("update"))),
  ...mlflow("POST", "runs/log-batch", fromFields(runOf("update"))),
  ...mlflow("POST", "runs/log-model", fromFields(runOf("update"))),
  ...mlflow("POST", "runs/log-inputs", fromFields(runOf("update"))),
  ...mlflow("POST", "runs/outputs", fromFields(runOf("update"))),
  ...mlflow(["GET", "POST"], "runs/search", fromFields(experimentsIn("experiment_ids", "read"))),
  ...mlflow("GET", "runs/get", fromFields(runOf("read"))),
  ...mlflow("GET", "metrics/get-history", fromFields(runOf("read"))),
  ...mlflow("GET", "metrics/get-history-bulk-interval", fromFields(runsIn("run_ids", "read"))),
  ...mlflow("GET", "artifacts/list", fromFields(runOf("read"))),

  ...mlflow("POST", "logged-models", fromFields(update)),
  ...mlflow("POST", "logged-models/search", fromFields(experimentsIn("experiment_ids", "read"))),
  ...mlflow("GET", "logged-models/:model_id", fromFields(loggedModelOf("read"))),
  ...mlflow("PATCH", "logged-models/:model_id", fromFields(loggedModelOf("update"))),
  ...mlflow("DELETE", "logged-models/:model_id", fromFields(loggedModelOf("delete"))),
  ...mlflow("PATCH", "logged-models/:model_id/tags", fromFields(loggedModelOf("update"))),
  ...mlflow("DELETE", "logged-models/:model_id/tags/:tag_key", fromFields(loggedModelOf("update"))),
  ...mlflow("POST", "logged-models/:model_id/params", fromFields(loggedModelOf("update"))),
  ...mlflow("GET", "logged-models/:model_id/artifacts/directories", fromFields(loggedModelOf("read"))),
};

/** Traces (v2 and v3) and assessments: judged by the trace's experiment. */
export const TRACING_RULES: RouteRules = {
  // Not served by Cairn (spans live in traces.json): they answer ENDPOINT_NOT_FOUND to anyone signed in.
  ...mlflow("GET", "traces/batchGet", ANY_SIGNED_IN, 3),
  ...mlflow("GET", "traces/get", ANY_SIGNED_IN, 3),
  ...mlflow("POST", "traces", fromFields((fields) => {
    const info = fields.optionalObject("trace")?.optionalObject("trace_info");
    const location = info?.optionalObject("trace_location");
    // Without a location the route answers its own 400 (trace.trace_info.trace_location is missing).
    return location === undefined ? [] : [experiment(readExperimentLocation(location, "trace.trace_info.trace_location"), "update")];
  }), 3),
  ...mlflow("GET", "traces/:trace_id", fromFields(traceOf("trace_id", "read")), 3),
  ...mlflow("POST", "traces/search", fromFields((fields) => [
    ...fields.list("locations", (location) => experiment(readExperimentLocation(location, "locations"), "read")),
    ...experimentsIn("experiment_ids", "read")(fields),
  ]), 3),
  ...mlflow("PATCH", "traces/:trace_id/tags", fromFields(traceOf("trace_id", "update")), 3),
  ...mlflow("DELETE", "traces/:trace_id/tags", fromFields(traceOf("trace_id", "update")), 3),
  ...mlflow("POST", "traces/delete-traces", fromFields(experimentIn("experiment_id", "delete")), 3),
  ...mlflow("POST", "traces/:trace_id/assessments", fromFields(traceOf("trace_id", "update")), 3),
  ...mlflow("GET", "traces/:trace_id/assessments/:assessment_id", fromFields(traceOf("trace_id", "read")), 3),
  ...mlflow("PATCH", "traces/:trace_id/assessments/:assessment_id", fromFields(traceOf("trace_id", "update")), 3),
  ...mlflow("DELETE", "traces/:trace_id/assessments/:assessment_id", fromFields(traceOf("trace_id", "update")), 3),

  ...mlflow("POST", "traces", fromFields(update)),
  ...mlflow("PATCH", "traces/:request_id", fromFields(traceOf("request_id", "update"))),
  ...mlflow("GET", "traces/:request_id/info", fromFields(traceOf("request_id", "read"))),
  ...mlflow("GET", "traces", fromFields(experimentsIn("experiment_ids", "read"))),
  ...mlflow("PATCH", "traces/:request_id/tags", fromFields(traceOf("request_id", "update"))),
  ...mlflow("DELETE", "traces/:request_id/tags", fromFields(traceOf("request_id", "update"))),
  ...mlflow("POST", "traces/delete-traces", fromFields(experimentIn("experiment_id", "delete"))),
};
