import path from "node:path";
import type { CairnClient } from "../../sdk/client.js";
import { CairnApiError } from "../../sdk/errors.js";
import { PipelineError } from "../errors.js";

/**
 * The MLflow experiment a workspace's pipeline runs go to: the name given, else MLFLOW_EXPERIMENT_NAME (as an MLflow
 * script run from the same shell would use), else the workspace folder's name.
 */
export const trackingExperimentName = (root: string, given: string | undefined, env: Readonly<Record<string, string | undefined>>): string => {
  for (const candidate of [given, env.MLFLOW_EXPERIMENT_NAME]) {
    if (candidate !== undefined && candidate.trim() !== "") return candidate.trim();
  }
  return path.basename(path.resolve(root)) || "Default";
};

/** The experiment's id, created when it does not exist yet (two repros creating it at once both get the one id). */
export const getOrCreateExperiment = async (client: CairnClient, name: string): Promise<string> => {
  const existing = async (): Promise<string | undefined> => {
    try {
      const experiment = await client.experiments.getByName(name);
      if (experiment.lifecycle_stage === "deleted") {
        throw new PipelineError(
          `the tracking experiment '${name}' is deleted: restore it (cairn experiments restore ${experiment.experiment_id}) or set MLFLOW_EXPERIMENT_NAME`,
        );
      }
      return experiment.experiment_id;
    } catch (error) {
      if (error instanceof CairnApiError && error.errorCode === "RESOURCE_DOES_NOT_EXIST") return undefined;
      throw error;
    }
  };
  const found = await existing();
  if (found !== undefined) return found;
  try {
    return await client.experiments.create({ name });
  } catch (error) {
    if (error instanceof CairnApiError && error.errorCode === "RESOURCE_ALREADY_EXISTS") {
      const raced = await existing();
      if (raced !== undefined) return raced;
    }
    throw error;
  }
};
