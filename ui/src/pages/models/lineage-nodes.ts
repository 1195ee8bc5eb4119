import type { LineageEdge, LineageNode } from "./registry-wire";
import { experimentPath, runPath } from "../experiment/experiment-paths";
import { deploymentPath, modelPath, versionPath } from "./paths";
import { dataVersionPath } from "../data-versions/data-version-paths";

/** What each kind of lineage node is called in the UI. */
export const NODE_KIND_LABEL: Record<string, string> = {
  dataset: "Dataset",
  data_version: "Data version",
  code: "Code",
  experiment: "Experiment",
  run: "Run",
  logged_model: "Logged model",
  model_version: "Model version",
  registered_model: "Registered model",
  deployment: "Deployment",
};

export const nodeKindLabel = (type: string): string => NODE_KIND_LABEL[type] ?? type.replaceAll("_", " ");

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** The part of a node id after "<type>:", which is the key the API built it from. */
const idKey = (node: LineageNode): string => node.id.slice(node.id.indexOf(":") + 1);

/** The UI page of a node, where one exists (datasets and code have none; a data version has its own page); a run or experiment gone from the store has none either. */
export const lineageNodeHref = (node: LineageNode): string | undefined => {
  const attributes = node.attributes;
  if (attributes.found === false) return undefined;
  switch (node.type) {
    case "run": {
      const experimentId = text(attributes.experiment_id);
      const runId = text(attributes.run_id) ?? idKey(node);
      return experimentId === undefined ? undefined : runPath(experimentId, runId);
    }
    case "experiment":
      return experimentPath(text(attributes.experiment_id) ?? idKey(node));
    case "registered_model":
      return modelPath(idKey(node));
    case "model_version": {
      const key = idKey(node);
      const slash = key.lastIndexOf("/");
      return slash < 0 ? undefined : versionPath(key.slice(0, slash), key.slice(slash + 1));
    }
    case "deployment":
      return deploymentPath(idKey(node));
    case "data_version":
      return dataVersionPath(text(attributes.hash) ?? idKey(node));
    default:
      return undefined;
  }
};

/** "Run train-xgb", the accessible name of a node and the way the edge list names it. */
export const nodeTitle = (node: LineageNode): string => `${nodeKindLabel(node.type)} ${node.label}`;

const RELATION_WORDS: Record<string, string> = {
  produced: "produced",
  used: "used",
  version_of: "is a version of",
  logged_in: "was logged in",
  built_from: "was built from",
  child_of: "is a child run of",
  deployed_as: "is deployed as",
  registered_as: "is registered as",
};

/** An edge as the sentence the API's relation names: "Run train-xgb produced Model version churn v1". */
export const edgeSentence = (edge: LineageEdge, byId: ReadonlyMap<string, LineageNode>): string => {
  const from = byId.get(edge.from);
  const to = byId.get(edge.to);
  return `${from ? nodeTitle(from) : edge.from} ${RELATION_WORDS[edge.relation] ?? edge.relation.replaceAll("_", " ")} ${to ? nodeTitle(to) : edge.to}`;
};
