import { CairnError, ErrorCode } from "../core/errors.js";
import type { LoggedModel } from "../protocol/mlflow/logged-model-entities.js";

/**
 * What the registry needs of MLflow 3's logged models: to read one by id. Tracking's LoggedModelService provides it
 * (wired in server/compose.ts), so the registry depends on this port and not on tracking's internals.
 */
export interface LoggedModelLookup {
  /** The logged model; a CairnError RESOURCE_DOES_NOT_EXIST when there is none with this id. */
  getLoggedModel(modelId: string): Promise<LoggedModel>;
}

/** For a registry composed without logged models (unit tests of other domains): every id is unknown. */
export const NO_LOGGED_MODELS: LoggedModelLookup = {
  getLoggedModel: (modelId) =>
    Promise.reject(new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `Logged model with ID '${modelId}' not found.`)),
};
