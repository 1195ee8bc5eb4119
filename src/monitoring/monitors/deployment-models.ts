import { CairnError, ErrorCode } from "../../core/errors.js";
import type { DatasetProfile } from "../../validation/profile/profile-schema.js";
import type { MonitorDependencies, MonitoredModel } from "./dependencies.js";

/** What the wiring needs of serving and profiles, structurally (DeploymentService, DeploymentStore, ProfileAttachments). */
export interface DeploymentModelSources {
  /** Live deployments: the signature columns of a loaded version. */
  live: { get(name: string): { signatureColumns?(version?: string): string[] | undefined } | undefined };
  /** Stored deployments: whether one exists and which registered model it serves. */
  store: { get(name: string): Promise<{ modelName: string } | undefined> };
  /** A model version's training profile (ProfileAttachments.readTrainingProfile): RESOURCE_DOES_NOT_EXIST when none. */
  profiles: { readTrainingProfile(modelName: string, version: string): Promise<DatasetProfile> };
}

/**
 * `deploymentExists` and `model` of MonitorDependencies over serving and profiles. A version without a training
 * profile, or no longer loaded (so no signature), is not an error here: the checks that need them say so.
 */
export const deploymentModels = (sources: DeploymentModelSources): Pick<MonitorDependencies, "deploymentExists" | "model"> => ({
  deploymentExists: async (name) => (await sources.store.get(name)) !== undefined,
  model: async (deployment, version): Promise<MonitoredModel> => {
    let signatureColumns: string[] | undefined;
    try {
      signatureColumns = sources.live.get(deployment)?.signatureColumns?.(version);
    } catch {
      // The version that answered then is not loaded now (an alias moved on): name the columns <input>_<i>.
    }
    const stored = await sources.store.get(deployment);
    let trainingProfile: DatasetProfile | undefined;
    if (stored !== undefined) {
      trainingProfile = await sources.profiles.readTrainingProfile(stored.modelName, version).catch((error: unknown) => {
        if (error instanceof CairnError && error.code === ErrorCode.RESOURCE_DOES_NOT_EXIST) return undefined;
        throw error;
      });
    }
    return { ...(signatureColumns !== undefined ? { signatureColumns } : {}), ...(trainingProfile !== undefined ? { trainingProfile } : {}) };
  },
});
