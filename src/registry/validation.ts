import { invalidParameter } from "../core/errors.js";
import { MODEL_STAGES, type ModelStage, type RegisteredModelTag } from "../protocol/mlflow/registry-entities.js";
import { validateTagKey } from "../tracking/validation.js";

/**
 * The model registry's input rules, with MLflow's limits and messages (mlflow/utils/validation.py,
 * mlflow/entities/model_registry/model_version_stages.py, mlflow/store/model_registry/__init__.py). Every check
 * throws INVALID_PARAMETER_VALUE.
 */
export const MAX_MODEL_REGISTRY_TAG_KEY_LENGTH = 250;
export const MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH = 5000;
export const MAX_REGISTERED_MODEL_ALIAS_LENGTH = 255;
/** MLflow's registered_models.name column is VARCHAR(256); SQLite would not enforce it, PostgreSQL would fail. */
export const MAX_REGISTERED_MODEL_NAME_LENGTH = 256;
export const MAX_MODEL_VERSION_DESCRIPTION_LENGTH = 5000;
/** Sources are stored in a VARCHAR(500) column by MLflow; longer URIs are refused before any parsing. */
export const MAX_MODEL_VERSION_SOURCE_LENGTH = 500;

export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT = 100;
export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD = 1000;
/** The proto default of SearchModelVersions.max_results, which MLflow's handler passes on when it is absent. */
export const SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT = 200_000;
export const SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD = 200_000;

const ALIAS_PATTERN = /^[\p{L}\p{N}_-]*$/u;
const VERSION_ALIAS_PATTERN = /^[vV]\d+$/;

const missing = (field: string): Error => invalidParameter(`Missing value for required parameter '${field}'.`);

const exceedsMaximumLength = (field: string, limit: number): Error =>
  invalidParameter(`'${field}' exceeds the maximum length of ${limit} characters`);

export const validateModelName = (name: string, field = "name"): void => {
  if (name === "") throw missing(field);
  if (name.length > MAX_REGISTERED_MODEL_NAME_LENGTH) throw exceedsMaximumLength(field, MAX_REGISTERED_MODEL_NAME_LENGTH);
};

/**
 * Versions travel as strings; MLflow parses them with Python's int() ("Parameter 'version' must be an integer, got
 * 'x'."). Returns the canonical text ("03" -> "3") so that the store sees one spelling per version.
 */
export const canonicalVersion = (version: string): string => {
  const text = version.trim();
  if (!/^[+-]?\d{1,30}$/.test(text)) throw invalidParameter(`Parameter 'version' must be an integer, got '${version}'.`);
  const value = BigInt(text);
  return value.toString();
};

export const validateAliasName = (alias: string): void => {
  if (alias === "") throw invalidParameter("Registered model alias name cannot be empty.");
  if (!ALIAS_PATTERN.test(alias)) {
    throw invalidParameter(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (alias.length > MAX_REGISTERED_MODEL_ALIAS_LENGTH) {
    throw exceedsMaximumLength("Registered model alias name", MAX_REGISTERED_MODEL_ALIAS_LENGTH);
  }
  if (alias.toLowerCase() === "latest") throw invalidParameter("'latest' alias name (case insensitive) is reserved.");
  if (VERSION_ALIAS_PATTERN.test(alias)) throw invalidParameter(`Version alias name '${alias}' is reserved.`);
};

export const validateRegistryTagKey = (key: string): void => {
  if (key === "") throw missing("key");
  validateTagKey(key);
  if (key.length > MAX_MODEL_REGISTRY_TAG_KEY_LENGTH) throw exceedsMaximumLength("key", MAX_MODEL_REGISTRY_TAG_KEY_LENGTH);
};

export const validateRegistryTag = (tag: RegisteredModelTag): void => {
  validateRegistryTagKey(tag.key);
  if (tag.value.length > MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH) {
    throw exceedsMaximumLength("value", MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH);
  }
};

export const validateDescription = (description: string): void => {
  if (description.length > MAX_MODEL_VERSION_DESCRIPTION_LENGTH) {
    throw exceedsMaximumLength("description", MAX_MODEL_VERSION_DESCRIPTION_LENGTH);
  }
};

/** Stages are matched case-insensitively and returned in their canonical spelling, as get_canonical_stage does. */
export const canonicalStage = (stage: string): ModelStage => {
  const found = MODEL_STAGES.find((candidate) => candidate.toLowerCase() === stage.toLowerCase());
  if (!found) {
    throw invalidParameter(`Invalid Model Version stage: ${stage}. Value must be one of ${MODEL_STAGES.join(", ")}.`);
  }
  return found;
};

/** The stages whose existing versions transition-stage may archive (MLflow's DEFAULT_STAGES_FOR_GET_LATEST_VERSIONS). */
export const ACTIVE_STAGES: readonly ModelStage[] = ["Staging", "Production"];

const validateMaxResults = (maxResults: number, threshold: number): void => {
  if (maxResults < 1) {
    throw invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${maxResults}`);
  }
  if (maxResults > threshold) {
    throw invalidParameter(
      `Invalid value for request parameter max_results. It must be at most ${threshold}, but got value ${maxResults}`,
    );
  }
};

export const validateRegisteredModelsMaxResults = (maxResults: number): void =>
  validateMaxResults(maxResults, SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD);

export const validateModelVersionsMaxResults = (maxResults: number): void =>
  validateMaxResults(maxResults, SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD);
