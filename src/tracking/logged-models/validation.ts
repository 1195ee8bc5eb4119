import { invalidParameter } from "../../core/errors.js";
import type { KeyValue, Metric } from "../../protocol/mlflow/entities.js";
import { LOGGED_MODEL_ID } from "../../protocol/mlflow/logged-model-entities.js";
import { MAX_DATASET_DIGEST_SIZE, MAX_DATASET_NAME_SIZE, validateLength, validateParam, validateTagKey } from "../validation.js";

/** Limits of the logged-model API. MLflow's columns: name String(500), model_type String(500), tag value Text. */
export const MAX_LOGGED_MODEL_NAME_LENGTH = 500;
export const MAX_MODEL_TYPE_LENGTH = 500;
export const MAX_STATUS_MESSAGE_LENGTH = 5000;
export const MAX_LOGGED_MODEL_TAG_VALUE_LENGTH = 65_535;
/** The 3.x client sends the first 100 run params inside create and the rest through logged-models/{id}/params. */
export const MAX_LOGGED_MODEL_PARAMS_PER_REQUEST = 100;
export const MAX_LOGGED_MODEL_TAGS_PER_REQUEST = 100;
export const MAX_MODEL_LINKS_PER_REQUEST = 100;
export const MAX_SEARCH_EXPERIMENT_IDS = 100;
export const MAX_SEARCH_DATASETS = 20;
export const MAX_SEARCH_ORDER_BY = 10;
/** SearchLoggedModels.max_results: the proto's default and threshold are 50; Cairn serves pages of up to 1000. */
export const LOGGED_MODEL_SEARCH_DEFAULT = 50;
export const LOGGED_MODEL_SEARCH_MAX = 1000;

const BAD_NAME_CHARACTERS = ["/", ":", ".", "%", '"', "'"];

/** A logged model id, as MLflow makes them: `m-` and 32 lowercase hex characters. Anything else names no model. */
export const validateLoggedModelId = (modelId: string, field = "model_id"): void => {
  if (!LOGGED_MODEL_ID.test(modelId)) {
    throw invalidParameter(
      `Invalid value '${modelId.slice(0, 100)}' for parameter '${field}' supplied: a logged model id is 'm-' followed by 32 lowercase hex characters.`,
    );
  }
};

/** MLflow's _validate_logged_model_name: non-empty, none of / : . % " ' (a name is used in paths and URIs). */
export const validateLoggedModelName = (name: string): void => {
  if (name === "" || BAD_NAME_CHARACTERS.some((character) => name.includes(character))) {
    throw invalidParameter(
      `Invalid model name ('${name.slice(0, 250)}') provided. Model name must be a non-empty string and cannot contain ` +
        `the following characters: ${BAD_NAME_CHARACTERS.map((c) => `'${c}'`).join(", ")}`,
    );
  }
  validateLength("Model name", MAX_LOGGED_MODEL_NAME_LENGTH, name);
};

export const validateLoggedModelTag = (tag: KeyValue): void => {
  validateTagKey(tag.key);
  validateLength("Tag key", 250, tag.key);
  validateLength("Tag value", MAX_LOGGED_MODEL_TAG_VALUE_LENGTH, tag.value);
};

export const validateLoggedModelParams = (params: readonly KeyValue[], field = "params"): void => {
  if (params.length > MAX_LOGGED_MODEL_PARAMS_PER_REQUEST) {
    throw invalidParameter(`A request may log at most ${MAX_LOGGED_MODEL_PARAMS_PER_REQUEST} ${field}; got ${params.length}.`);
  }
  for (const param of params) validateParam(param);
};

export const validateLoggedModelTags = (tags: readonly KeyValue[]): void => {
  if (tags.length > MAX_LOGGED_MODEL_TAGS_PER_REQUEST) {
    throw invalidParameter(`A request may set at most ${MAX_LOGGED_MODEL_TAGS_PER_REQUEST} tags; got ${tags.length}.`);
  }
  for (const tag of tags) validateLoggedModelTag(tag);
};

/** The MLflow 3 fields of a metric: a well-formed model id and bounded dataset fields. */
export const validateMetricLinks = (metric: Metric): void => {
  if (metric.model_id !== undefined) validateLoggedModelId(metric.model_id, `model_id of metric '${metric.key}'`);
  if (metric.dataset_name !== undefined) validateLength("Metric dataset_name", MAX_DATASET_NAME_SIZE, metric.dataset_name);
  if (metric.dataset_digest !== undefined) validateLength("Metric dataset_digest", MAX_DATASET_DIGEST_SIZE, metric.dataset_digest);
  if (metric.dataset_digest !== undefined && metric.dataset_name === undefined) {
    throw invalidParameter(`Metric '${metric.key}': dataset_digest needs dataset_name.`);
  }
};
