import type { DeploymentWire } from "./deployment-wire";

/** Deployments as the API answers them, for the component tests. */
export const churn: DeploymentWire = {
  name: "churn",
  model_uri: "models:/churn@champion",
  model_name: "churn",
  primary_version: "1",
  canary: { version: "2", weight: 0.2, sticky: true },
  shadow: { version: "3", share: 0.5 },
  followed_version: "1",
  prediction_log_sample_rate: 1,
  serving_versions: ["1", "2", "3"],
  ready: true,
  creation_timestamp: 1_700_000_000_000,
  last_updated_timestamp: 1_700_000_100_000,
};

export const fraud: DeploymentWire = {
  name: "fraud",
  model_uri: "models:/fraud/4",
  model_name: "fraud",
  primary_version: "4",
  prediction_log_sample_rate: 0.1,
  serving_versions: [],
  ready: false,
  last_error: "Version 5 of model 'fraud' could not be loaded",
  creation_timestamp: 1_700_000_000_000,
  last_updated_timestamp: 1_700_000_200_000,
};
