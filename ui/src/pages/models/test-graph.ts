import type { LineageGraph } from "./registry-wire";

/** A version's full lineage as the API answers it (node and edge order included), shared by the lineage tests. */
export const FULL_LINEAGE: LineageGraph = {
  nodes: [
    { id: "registered_model:churn", type: "registered_model", label: "churn", attributes: {} },
    { id: "model_version:churn/4", type: "model_version", label: "churn v4", attributes: { source: "runs:/r1/model" } },
    { id: "run:r1", type: "run", label: "train-xgb", attributes: { run_id: "r1", experiment_id: "7" } },
    { id: "experiment:7", type: "experiment", label: "churn-experiments", attributes: { experiment_id: "7", name: "churn-experiments" } },
    { id: "dataset:customers@abc", type: "dataset", label: "customers", attributes: { name: "customers", digest: "abc" } },
    { id: "code:1a2b3c", type: "code", label: "train.py @ 1a2b3c", attributes: { git_commit: "1a2b3c" } },
    { id: "deployment:churn-prod", type: "deployment", label: "churn-prod", attributes: { roles: ["primary"] } },
  ],
  edges: [
    { from: "model_version:churn/4", to: "registered_model:churn", relation: "version_of" },
    { from: "run:r1", to: "experiment:7", relation: "logged_in" },
    { from: "run:r1", to: "dataset:customers@abc", relation: "used" },
    { from: "run:r1", to: "code:1a2b3c", relation: "built_from" },
    { from: "run:r1", to: "model_version:churn/4", relation: "produced" },
    { from: "model_version:churn/4", to: "deployment:churn-prod", relation: "deployed_as" },
  ],
};
