import { readableDataVersion, readableDeployments, readableExperiments, readableMonitors } from "./filters.js";
import { modelOfUri } from "./policy-registry.js";
import { admin, deploymentIn, experimentIn, model, modelIn, monitorIn, runOf } from "./requirements.js";
import { adminOnly, ANY_SIGNED_IN, fromFields, type Requirement, type Rule, type RuleInput } from "./rule.js";
import { cairn, mlflow, raw, type RouteRules } from "./route-key.js";

/**
 * Cairn's own resources, judged by the registered model they serve: deployments and their traffic changes need
 * MANAGE on the model, reads READ; monitors READ/EDIT (create and delete MANAGE); the prediction log and labels
 * READ/EDIT; scoring READ. Webhooks and audit are administrators'.
 */
const deploymentRead = fromFields(deploymentIn("name", "read"));
const deploymentManage = fromFields(deploymentIn("name", "manage"));

/** A deployment update that re-points it at another model needs MANAGE on both. */
const deploymentUpdate = fromFields(async (fields, input) => {
  const needs = await deploymentIn("name", "manage")(fields, input);
  const uri = fields.optionalText("model_uri");
  if (uri !== undefined) needs.push(model(modelOfUri(uri), "manage"));
  return needs;
});

/** Labels: EDIT on the model of the deployment that logged each request (a request never logged: administrators). */
const labels = (read: (input: RuleInput) => string[]): Rule => ({
  require: async (input) => {
    const ids = read(input);
    const deployments = await input.lookup.deploymentsOfRequests(ids);
    const needs: Requirement[] = [];
    for (const id of new Set(ids)) {
      const deployment = deployments.get(id);
      if (deployment === undefined) {
        needs.push({ on: "admin", what: `labelling request '${id.slice(0, 64)}', which no deployment logged` });
      } else {
        needs.push(model(await input.lookup.modelOfDeployment(deployment), "update"));
      }
    }
    return needs;
  },
});

const MAX_LABEL_IDS = 1000;
const labelIdsOf = (input: RuleInput): string[] => {
  const fields = input.fields();
  if (fields.count("labels") > MAX_LABEL_IDS) return [];
  // Malformed entries are the route's own 400; only well-formed ids are looked up here.
  return fields.list("labels", (item) => item.requiredString("request_id"));
};

/** Scoring a deployment (Open Inference Protocol models are deployments by name): READ on what it serves. */
const scoring: Rule = {
  require: async (input) => [model(await input.lookup.modelOfDeployment(input.params.name ?? ""), "read")],
};

export const CAIRN_RULES: RouteRules = {
  ...cairn("POST", "deployments/create", fromFields((fields) => [model(modelOfUri(fields.requiredString("model_uri")), "manage")])),
  ...cairn("POST", "deployments/update", deploymentUpdate),
  ...cairn("GET", "deployments/list", { ...ANY_SIGNED_IN, filter: readableDeployments }),
  ...cairn("GET", "deployments/get", deploymentRead),
  ...cairn("POST", "deployments/canary", deploymentManage),
  ...cairn("POST", "deployments/shadow", deploymentManage),
  ...cairn("POST", "deployments/promote", deploymentManage),
  ...cairn("POST", "deployments/rollback", deploymentManage),
  ...cairn(["POST", "DELETE"], "deployments/delete", deploymentManage),
  ...cairn("GET", "deployments/history", deploymentRead),
  ...cairn("GET", "deployments/shadow-report", deploymentRead),
  ...cairn("GET", "deployments/shadow-reports", deploymentRead),

  ...cairn("POST", "serving/labels", labels((input) => [input.fields().requiredString("request_id")])),
  ...cairn("POST", "serving/labels/batch", labels(labelIdsOf)),
  // The whole log (no deployment named) is an administrator's.
  ...cairn("GET", "serving/predictions", fromFields((fields, input) => {
    const deployment = fields.optionalText("deployment");
    return deployment === undefined ? admin("the prediction log of every deployment") : deploymentIn("deployment", "read")(fields, input);
  })),

  ...cairn("POST", "data/profiles/attach", fromFields(runOf("update"))),
  ...cairn("GET", "data/profiles/get", fromFields(runOf("read"))),
  // Data versions (issue 13): content-addressed data any signed-in user may read (as its objects); the runs and
  // model versions listed are filtered to the readable ones.
  ...cairn("GET", "data/versions/get", { ...ANY_SIGNED_IN, filter: readableDataVersion }),
  ...cairn("GET", "data/versions/runs", { ...ANY_SIGNED_IN, filter: readableExperiments("runs") }),

  // Data objects (`cairn push`/`pull`) are content-addressed and verified on write: any signed-in user may read and
  // write them (a write can only store the bytes its name promises). References are hashes only.
  ...cairn("POST", "data/objects/missing", ANY_SIGNED_IN),
  ...raw(["GET", "PUT"], "/api/2.0/cairn/data/objects/sha256/:hash", ANY_SIGNED_IN),
  ...raw("POST", "/api/2.0/cairn/data/objects/batch-upload", ANY_SIGNED_IN),
  ...raw("POST", "/api/2.0/cairn/data/objects/batch-download", ANY_SIGNED_IN),
  ...cairn("GET", "data/references", ANY_SIGNED_IN),

  ...cairn("POST", "monitors/create", fromFields(deploymentIn("deployment", "manage"))),
  ...cairn("GET", "monitors/list", { ...ANY_SIGNED_IN, filter: readableMonitors }),
  ...cairn("GET", "monitors/get", fromFields(monitorIn("name", "read"))),
  ...cairn("POST", "monitors/run", fromFields(monitorIn("name", "update"))),
  ...cairn("GET", "monitors/history", fromFields(monitorIn("name", "read"))),
  ...cairn("GET", "monitors/alerts", fromFields(monitorIn("name", "read"))),
  ...cairn(["POST", "DELETE"], "monitors/delete", fromFields(monitorIn("name", "manage"))),

  ...cairn("GET", "audit/events", adminOnly("reading the audit trail")),
  ...cairn("GET", "audit/verify", adminOnly("verifying the audit trail")),

  ...cairn("POST", "webhooks/create", adminOnly("webhooks")),
  ...cairn("GET", "webhooks/list", adminOnly("webhooks")),
  ...cairn("GET", "webhooks/get", adminOnly("webhooks")),
  ...cairn(["POST", "PATCH"], "webhooks/update", adminOnly("webhooks")),
  ...cairn("DELETE", "webhooks/delete", adminOnly("webhooks")),
  ...cairn("GET", "webhooks/deliveries", adminOnly("webhooks")),
  ...mlflow(["POST", "GET"], "webhooks", adminOnly("webhooks")),
  ...mlflow(["GET", "PATCH", "DELETE"], "webhooks/:webhook_id", adminOnly("webhooks")),
  ...mlflow("POST", "webhooks/:webhook_id/test", adminOnly("webhooks")),

  ...raw("POST", "/deployments/:name/invocations", scoring),
  ...raw("GET", "/v2", ANY_SIGNED_IN),
  ...raw("GET", "/v2/health/live", ANY_SIGNED_IN),
  ...raw("GET", "/v2/health/ready", ANY_SIGNED_IN),
  ...raw("GET", "/v2/models/:name", scoring),
  ...raw("GET", "/v2/models/:name/ready", scoring),
  ...raw("POST", "/v2/models/:name/infer", scoring),
  ...raw("GET", "/v2/models/:name/versions/:version", scoring),
  ...raw("GET", "/v2/models/:name/versions/:version/ready", scoring),
  ...raw("POST", "/v2/models/:name/versions/:version/infer", scoring),
  ...raw("GET", "/metrics", ANY_SIGNED_IN),
};

/** The permission endpoints themselves: MLflow's (MANAGE on the resource) and Cairn's approvers (administrators). */
export const PERMISSION_ENDPOINT_RULES: RouteRules = {
  ...mlflow("POST", "experiments/permissions/create", fromFields(experimentIn("experiment_id", "manage"))),
  ...mlflow("GET", "experiments/permissions/get", fromFields(experimentIn("experiment_id", "manage"))),
  ...mlflow("PATCH", "experiments/permissions/update", fromFields(experimentIn("experiment_id", "manage"))),
  ...mlflow("DELETE", "experiments/permissions/delete", fromFields(experimentIn("experiment_id", "manage"))),
  ...mlflow("POST", "registered-models/permissions/create", fromFields(modelIn("name", "manage"))),
  ...mlflow("GET", "registered-models/permissions/get", fromFields(modelIn("name", "manage"))),
  ...mlflow("PATCH", "registered-models/permissions/update", fromFields(modelIn("name", "manage"))),
  ...mlflow("DELETE", "registered-models/permissions/delete", fromFields(modelIn("name", "manage"))),
  ...cairn("POST", "approvers/create", adminOnly("naming approvers")),
  ...cairn("DELETE", "approvers/delete", adminOnly("naming approvers")),
  ...cairn("GET", "approvers/list", fromFields(modelIn("name", "read"))),
};

/**
 * Authentication's own routes (helper "identity"): their services apply MLflow's basic-auth rules themselves (an
 * account's own reads and password, everything else administrators; a user's own tokens), with their own messages,
 * so the table only lets signed-in users reach them, and forgets a deleted user's grants.
 */
const CHECKED_BY_ROUTE: Rule = ANY_SIGNED_IN;

export const IDENTITY_RULES: RouteRules = {
  ...mlflow("POST", "users/create", CHECKED_BY_ROUTE),
  ...mlflow("GET", "users/get", CHECKED_BY_ROUTE),
  ...mlflow("PATCH", "users/update-password", CHECKED_BY_ROUTE),
  ...mlflow("PATCH", "users/update-admin", CHECKED_BY_ROUTE),
  ...mlflow("DELETE", "users/delete", {
    ...CHECKED_BY_ROUTE,
    after: async (_body, input, effects) => effects.forgetUser(input.fields().requiredString("username")),
  }),
  ...cairn("POST", "auth/sign-in", ANY_SIGNED_IN),
  ...cairn("POST", "auth/sign-out", ANY_SIGNED_IN),
  ...cairn("GET", "auth/whoami", ANY_SIGNED_IN),
  ...cairn("POST", "tokens/create", CHECKED_BY_ROUTE),
  ...cairn("GET", "tokens/list", CHECKED_BY_ROUTE),
  ...cairn("POST", "tokens/revoke", CHECKED_BY_ROUTE),
  ...cairn("GET", "users/list", CHECKED_BY_ROUTE),
};
