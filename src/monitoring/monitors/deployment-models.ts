import { CairnError, ErrorCode } from "../../core/errors.js";
import type { DatasetProfile } from "../../validation/profile/profile-schema.js";
import type { MonitorDependencies, MonitoredModel } from "./dependencies.js";

/** What the wiring needs of serving, the registry and profiles, structurally (DeploymentStore, ProfileAttachments). */
export interface DeploymentModelSources {
  /** Stored deployments: whether one exists, which registered model it serves and its primary version now. */
  store: { get(name: string): Promise<{ modelName: string; policy: { primary: string } } | undefined> };
  /** The feature names of a version's registered signature (registeredSignature): undefined when it has none. */
  signature(modelName: string, version: string): Promise<string[] | undefined>;
  /** A model version's training profile (ProfileAttachments.readTrainingProfile): RESOURCE_DOES_NOT_EXIST when none. */
  profiles: { readTrainingProfile(modelName: string, version: string): Promise<DatasetProfile> };
}

const absentAsUndefined = <T>(promise: Promise<T>): Promise<T | undefined> =>
  promise.catch((error: unknown) => {
    if (error instanceof CairnError && error.code === ErrorCode.RESOURCE_DOES_NOT_EXIST) return undefined;
    throw error;
  });

/**
 * `servedVersion` and `model` of MonitorDependencies over serving, the registry and profiles. The signature comes
 * from the registered version (loaded or not); a version without a signature or a training profile is not an error
 * here: monitor creation and the checks that need them say so. A version deleted from the registry has neither.
 */
export const deploymentModels = (sources: DeploymentModelSources): Pick<MonitorDependencies, "servedVersion" | "model"> => ({
  servedVersion: async (name) => (await sources.store.get(name))?.policy.primary,
  model: async (deployment, version): Promise<MonitoredModel> => {
    const stored = await sources.store.get(deployment);
    if (stored === undefined) return {};
    const [signatureColumns, trainingProfile] = await Promise.all([
      absentAsUndefined(sources.signature(stored.modelName, version)),
      absentAsUndefined(sources.profiles.readTrainingProfile(stored.modelName, version)),
    ]);
    return { ...(signatureColumns !== undefined ? { signatureColumns } : {}), ...(trainingProfile !== undefined ? { trainingProfile } : {}) };
  },
});
