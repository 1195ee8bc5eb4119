import { parseRegisteredModelUri } from "../../registry/model-uri.js";
import { isPromptSourcePlaceholder } from "../../registry/prompts.js";
import { parsePromotionTarget } from "../../registry/promotion/target.js";
import { parseModelVersionSource, type ModelVersionSource } from "../../registry/source-uri.js";
import { readableDatasetUsage, readableModels } from "./filters.js";
import { experiment, model, modelIn } from "./requirements.js";
import { ANY_SIGNED_IN, fromFields, type Requirement, type Rule, type RuleInput } from "./rule.js";
import { cairn, mlflow, type RouteRules } from "./route-key.js";

/**
 * The model registry (MLflow's rules: reads READ, writes EDIT, deletes MANAGE, tags of a version deleted with
 * can_delete as MLflow does) and Cairn's governance of it (promotion rules MANAGE, approvals by named approvers).
 */
const read = fromFields(modelIn("name", "read"));
const update = fromFields(modelIn("name", "update"));
const remove = fromFields(modelIn("name", "delete"));

const createModel: Rule = {
  ...ANY_SIGNED_IN,
  after: async (body, _input, effects) => {
    const created = body.registered_model as { name?: unknown } | undefined;
    if (typeof created?.name === "string") await effects.grantModelManage(created.name);
  },
};

/**
 * What a version's source reads: a version registered from files makes them servable and downloadable through the
 * model, so its author must be able to read them (the run's or logged model's experiment, the experiment whose
 * folder an mlflow-artifacts: path is in, the registered model of a models:/ copy). A source the registry will refuse
 * anyway adds nothing here: the route answers its own 400.
 */
const sourceNeeds = async (source: string, input: RuleInput): Promise<Requirement[]> => {
  if (isPromptSourcePlaceholder(source)) return [];
  let parsed: ModelVersionSource;
  try {
    parsed = parseModelVersionSource(source);
  } catch {
    return [];
  }
  switch (parsed.kind) {
    case "runs":
      return [experiment(await input.lookup.experimentOfRun(parsed.runId), "read")];
    case "logged-model":
      return [experiment(await input.lookup.experimentOfLoggedModel(parsed.modelId), "read")];
    case "models":
      return [model(parsed.name, "read")];
    case "artifacts": {
      const first = parsed.key.split("/", 1)[0] ?? "";
      return /^\d{1,19}$/.test(first) ? [experiment(first, "read")] : [{ on: "admin", what: "registering files outside every experiment's folder" }];
    }
  }
};

/** Registering a version needs EDIT on the model and READ on what its source, run_id and model_id name. */
const createVersion = fromFields(async (fields, input) => {
  const needs: Requirement[] = [model(fields.requiredString("name"), "update"), ...(await sourceNeeds(fields.requiredString("source"), input))];
  const runId = fields.optionalText("run_id");
  if (runId !== undefined && fields.optionalText("run_link") === undefined) needs.push(experiment(await input.lookup.experimentOfRun(runId), "read"));
  const modelId = fields.optionalText("model_id");
  if (modelId !== undefined) needs.push(experiment(await input.lookup.experimentOfLoggedModel(modelId), "read"));
  return needs;
});

/** A rule for `deployment:<name>` also governs what that deployment serves: MANAGE on its model too. */
const promotionRuleWrite = fromFields(async (fields, input) => {
  const needs: Requirement[] = [model(fields.requiredString("name"), "manage")];
  const { target } = parsePromotionTarget(fields.requiredString("target"));
  if (target.kind === "deployment") needs.push(model(await input.lookup.modelOfDeployment(target.deployment), "manage"));
  return needs;
});

export const REGISTRY_RULES: RouteRules = {
  ...mlflow("POST", "registered-models/create", createModel),
  // MLflow's rule (can_update on the old name); the grants move to the new name with the model.
  ...mlflow("POST", "registered-models/rename", fromFields((fields) => [model(fields.requiredString("name"), "update")])),
  ...mlflow("PATCH", "registered-models/update", update),
  ...mlflow("DELETE", "registered-models/delete", remove),
  ...mlflow("GET", "registered-models/get", read),
  ...mlflow("GET", "registered-models/search", { ...ANY_SIGNED_IN, filter: readableModels("registered_models") }),
  ...mlflow(["GET", "POST"], "registered-models/get-latest-versions", read),
  ...mlflow("POST", "registered-models/set-tag", update),
  ...mlflow("DELETE", "registered-models/delete-tag", update),
  ...mlflow("POST", "registered-models/alias", update),
  ...mlflow("DELETE", "registered-models/alias", remove),
  ...mlflow("GET", "registered-models/alias", read),
  ...mlflow("POST", "model-versions/create", createVersion),
  ...mlflow("PATCH", "model-versions/update", update),
  ...mlflow("DELETE", "model-versions/delete", remove),
  ...mlflow("GET", "model-versions/get", read),
  ...mlflow("GET", "model-versions/search", { ...ANY_SIGNED_IN, filter: readableModels("model_versions") }),
  ...mlflow("GET", "model-versions/get-download-uri", read),
  ...mlflow("POST", "model-versions/transition-stage", update),
  ...mlflow("POST", "model-versions/set-tag", update),
  ...mlflow("DELETE", "model-versions/delete-tag", remove),

  ...cairn("GET", "registered-models/alias-history", read),
  ...cairn("POST", "registered-models/promotion-rules/set", promotionRuleWrite),
  ...cairn("GET", "registered-models/promotion-rules/list", read),
  ...cairn("DELETE", "registered-models/promotion-rules/delete", promotionRuleWrite),
  // Approving needs the model's approver permission (an administrator may approve too).
  ...cairn("POST", "model-versions/approve", fromFields((fields) => [{ on: "approver", name: fields.requiredString("name") }])),
  ...cairn("GET", "model-versions/approvals", read),
  ...cairn("GET", "governance/approvals", read),
  // Revoking is of the caller's own approval: the approver permission, as approving.
  ...cairn("DELETE", "governance/approvals", fromFields((fields) => [{ on: "approver", name: fields.requiredString("name") }])),
  ...cairn("GET", "model-versions/promotion-check", read),
  ...cairn("GET", "model-versions/lineage", read),
  ...cairn("GET", "datasets/usage", { ...ANY_SIGNED_IN, filter: readableDatasetUsage }),
  ...cairn("POST", "model-versions/card/set", update),
  ...cairn("GET", "model-versions/card", read),
  ...cairn("POST", "data/profiles/set-training", fromFields(async (fields, input) => {
    const needs: Requirement[] = [model(fields.requiredString("name"), "update")];
    const runId = fields.optionalText("run_id");
    if (runId !== undefined) needs.push(experiment(await input.lookup.experimentOfRun(runId), "read"));
    return needs;
  })),
  ...cairn("GET", "data/profiles/training", read),
};

/** The registered model a deployment's model URI names (models:/name@alias or models:/name/3). */
export const modelOfUri = (uri: string): string => parseRegisteredModelUri(uri).name;
