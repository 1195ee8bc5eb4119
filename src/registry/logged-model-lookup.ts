import { CairnError, ErrorCode, invalidParameter } from "../core/errors.js";
import { LOGGED_MODEL_ID, type LoggedModel } from "../protocol/mlflow/logged-model-entities.js";

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

/** `model_id` of a request: MLflow's id pattern, checked before anything is looked up. */
export const validateModelIdField = (modelId: string): void => {
  if (LOGGED_MODEL_ID.test(modelId)) return;
  const shown = modelId.length > 100 ? `${modelId.slice(0, 100)}...` : modelId;
  throw invalidParameter(
    `Invalid value '${shown}' for parameter 'model_id': a logged model ID is 'm-' followed by 32 lowercase hexadecimal characters.`,
  );
};
