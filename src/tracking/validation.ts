import { type CairnError, invalidParameter } from "../core/errors.js";
import type { Dataset, DatasetInput, KeyValue, Metric } from "../protocol/mlflow/entities.js";
import { GC_PENDING_TAG } from "./gc/gc-store.js";

/**
 * MLflow's input rules (mlflow/utils/validation.py), with its limits and its messages, so that a client sees the
 * same error from Cairn as from MLflow. Every check throws INVALID_PARAMETER_VALUE.
 *
 * One difference on purpose: MLflow 2.13+ may truncate over-long param and tag values (MLFLOW_TRUNCATE_LONG_VALUES);
 * Cairn rejects them, as MLflow does with truncation off, because silently cutting a value loses data.
 */
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_BATCH_LOG_REQUEST_SIZE = 1_000_000;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 5000;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_EXPERIMENT_TAG_KEY_LENGTH = 250;
export const MAX_EXPERIMENT_TAG_VAL_LENGTH = 5000;
export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_DATASET_NAME_SIZE = 500;
export const MAX_DATASET_DIGEST_SIZE = 36;
export const MAX_DATASET_SCHEMA_SIZE = 1_048_575;
export const MAX_DATASET_SOURCE_SIZE = 65_535;
export const MAX_DATASET_PROFILE_SIZE = 16_777_215;
export const MAX_INPUT_TAG_KEY_SIZE = 255;
export const MAX_INPUT_TAG_VALUE_SIZE = 500;
export const MAX_EXPERIMENT_ARTIFACT_LOCATION_LENGTH = 2048;
/** search_runs and search_experiments (SEARCH_MAX_RESULTS_THRESHOLD). */
export const SEARCH_MAX_RESULTS_THRESHOLD = 50_000;
export const SEARCH_MAX_RESULTS_DEFAULT = 1000;

// Python's \w on str is Unicode-aware: letters (isalpha), numerics (isnumeric) and the underscore.
const VALID_NAME = /^[/\p{L}\p{N}_.\- ]*$/u;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const EXPERIMENT_ID = /^[a-zA-Z0-9][\w-]{0,63}$/;

const BAD_CHARACTERS_MESSAGE =
  "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).";

/** Python's posixpath.normpath, used by MLflow to reject names that would act as other paths. */
export const posixNormpath = (path: string): string => {
  if (path === "") return ".";
  let leading = path.startsWith("/") ? 1 : 0;
  if (leading && path.startsWith("//") && !path.startsWith("///")) leading = 2;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== ".." || (leading === 0 && parts.length === 0) || parts[parts.length - 1] === "..") {
      parts.push(part);
    } else if (parts.length > 0) {
      parts.pop();
    }
  }
  const joined = "/".repeat(leading) + parts.join("/");
  return joined === "" ? "." : joined;
};

const pathNotUnique = (name: string): boolean => {
  const norm = posixNormpath(name);
  return norm !== name || norm === "." || norm.startsWith("..") || norm.startsWith("/");
};

const badPathMessage = (name: string): string =>
  "Names may be treated as files in certain cases, and must not resolve to other names when treated as such. " +
  `This name would resolve to '${posixNormpath(name)}'`;

// Names repeat across requests (the same few metric keys, logged thousands of times): remember the valid ones so
// the hot path pays for the regex once per name. Bounded so that a client cannot grow it without limit.
const knownValidNames = new Set<string>();
const KNOWN_NAMES_LIMIT = 10_000;

const validateName = (kind: "metric" | "parameter" | "tag", name: string): void => {
  if (knownValidNames.has(name)) return;
  if (!VALID_NAME.test(name)) throw invalidParameter(`Invalid ${kind} name: '${name}'. ${BAD_CHARACTERS_MESSAGE}`);
  if (pathNotUnique(name)) throw invalidParameter(`Invalid ${kind} name: '${name}'. ${badPathMessage(name)}`);
  if (knownValidNames.size >= KNOWN_NAMES_LIMIT) knownValidNames.clear();
  knownValidNames.add(name);
};

export const validateLength = (entity: string, limit: number, value: string): void => {
  if (value.length > limit) {
    throw invalidParameter(
      `${entity} '${value.slice(0, 250)}' had length ${value.length}, which exceeded length limit of ${limit}`,
    );
  }
};

export const validateMetric = (metric: Metric): void => {
  const { key, value, timestamp } = metric;
  validateName("metric", key);
  if (typeof value !== "number") {
    throw invalidParameter(
      `Got invalid value ${String(value)} for metric '${key}' (timestamp=${timestamp}). ` +
        "Please specify value as a valid double (64-bit floating point)",
    );
  }
  if (timestamp < 0) {
    throw invalidParameter(
      `Got invalid timestamp ${timestamp} for metric '${key}' (value=${value}). ` +
        "Timestamp must be a nonnegative long (64-bit integer) ",
    );
  }
  if (key.length > MAX_ENTITY_KEY_LENGTH) validateLength("Metric name", MAX_ENTITY_KEY_LENGTH, key);
};

export const validateParam = (param: KeyValue): void => {
  validateName("parameter", param.key);
  validateLength("Param key", MAX_ENTITY_KEY_LENGTH, param.key);
  validateLength("Param value", MAX_PARAM_VAL_LENGTH, param.value);
};

/**
 * Tag keys only Cairn writes: gc's mark of what it has started to remove. A client setting it on an active run, or
 * deleting it from a run gc is removing, could make gc remove artifacts of a live run or restore a half-removed one.
 */
const RESERVED_TAG_KEYS: ReadonlySet<string> = new Set([GC_PENDING_TAG]);

const refuseReserved = (key: string): void => {
  if (RESERVED_TAG_KEYS.has(key)) throw invalidParameter(`Invalid tag key '${key}': it is reserved for cairn gc and cannot be set or deleted by a client.`);
};

export const validateTag = (tag: KeyValue): void => {
  validateName("tag", tag.key);
  refuseReserved(tag.key);
  validateLength("Tag key", MAX_ENTITY_KEY_LENGTH, tag.key);
  validateLength("Tag value", MAX_TAG_VAL_LENGTH, tag.value);
};

export const validateExperimentTag = (tag: KeyValue): void => {
  validateName("tag", tag.key);
  refuseReserved(tag.key);
  validateLength("Tag key", MAX_EXPERIMENT_TAG_KEY_LENGTH, tag.key);
  validateLength("Tag value", MAX_EXPERIMENT_TAG_VAL_LENGTH, tag.value);
};

export const validateTagKey = (key: string): void => {
  validateName("tag", key);
  refuseReserved(key);
};

export const validateRunId = (runId: string): void => {
  if (!RUN_ID.test(runId)) throw invalidParameter(`Invalid run ID: '${runId}'`);
};

export const validateExperimentId = (experimentId: string): void => {
  if (!EXPERIMENT_ID.test(experimentId)) throw invalidParameter(`Invalid experiment ID: '${experimentId}'`);
};

export const validateExperimentName = (name: string): void => {
  if (name === "") throw invalidParameter(`Invalid experiment name: '${name}'`);
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    throw invalidParameter(`Experiment name exceeds the maximum length of ${MAX_EXPERIMENT_NAME_LENGTH} characters`);
  }
};

export const validateArtifactLocation = (location: string): void => {
  if (location.startsWith("runs:")) {
    throw invalidParameter(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
  }
  if (location.length > MAX_EXPERIMENT_ARTIFACT_LOCATION_LENGTH) {
    throw invalidParameter(
      `Invalid artifact path length. The length of the artifact path cannot be greater than ` +
        `${MAX_EXPERIMENT_ARTIFACT_LOCATION_LENGTH} characters. To configure this limit, please set the ` +
        "MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH environment variable.",
    );
  }
};

const batchLimit = (entity: string, limit: number, length: number): void => {
  if (length > limit) {
    throw invalidParameter(
      `A batch logging request can contain at most ${limit} ${entity}. Got ${length} ${entity}. ` +
        `Please split up ${entity} across multiple requests and try again.`,
    );
  }
};

/** Counts only: runs before any entity is parsed, so an oversized batch costs nothing. */
export const validateBatchLimits = (metrics: number, params: number, tags: number): void => {
  batchLimit("metrics", MAX_METRICS_PER_BATCH, metrics);
  batchLimit("params", MAX_PARAMS_TAGS_PER_BATCH, params);
  batchLimit("tags", MAX_PARAMS_TAGS_PER_BATCH, tags);
  batchLimit("metrics, params, and tags", MAX_ENTITIES_PER_BATCH, metrics + params + tags);
};

export const batchRequestTooLarge = (bytes: number): CairnError =>
  invalidParameter(`Batched logging API requests must be at most ${MAX_BATCH_LOG_REQUEST_SIZE} bytes, got a request of size ${bytes}.`);

export const validateBatchRequestSize = (bytes: number): void => {
  if (bytes > MAX_BATCH_LOG_REQUEST_SIZE) throw batchRequestTooLarge(bytes);
};

/** Python's repr of a list of str, as MLflow's message prints it. */
const pythonList = (items: string[]): string => `[${items.map((item) => `'${item}'`).join(", ")}]`;

export const validateParamKeysUnique = (params: readonly KeyValue[]): void => {
  if (params.length < 2) return;
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const { key } of params) {
    if (seen.has(key)) duplicates.push(key);
    else seen.add(key);
  }
  if (duplicates.length > 0) {
    throw invalidParameter(
      `Duplicate parameter keys have been submitted: ${pythonList(duplicates)}. Please ensure the request ` +
        "contains only one param value per param key.",
    );
  }
};

const validateDataset = (dataset: Dataset): void => {
  const limits: [string, string | undefined, number][] = [
    ["name", dataset.name, MAX_DATASET_NAME_SIZE],
    ["digest", dataset.digest, MAX_DATASET_DIGEST_SIZE],
    ["source", dataset.source, MAX_DATASET_SOURCE_SIZE],
    ["schema", dataset.schema, MAX_DATASET_SCHEMA_SIZE],
    ["profile", dataset.profile, MAX_DATASET_PROFILE_SIZE],
  ];
  for (const [field, value, limit] of limits) {
    if (value !== undefined && value.length > limit) {
      throw invalidParameter(`Dataset ${field} exceeds the maximum length of ${limit}`);
    }
  }
};

export const validateDatasetInputs = (inputs: readonly DatasetInput[]): void => {
  for (const input of inputs) {
    validateDataset(input.dataset);
    for (const tag of input.tags) {
      if (tag.key.length > MAX_INPUT_TAG_KEY_SIZE) {
        throw invalidParameter(`InputTag key exceeds the maximum length of ${MAX_INPUT_TAG_KEY_SIZE}`);
      }
      if (tag.value.length > MAX_INPUT_TAG_VALUE_SIZE) {
        throw invalidParameter(`InputTag value exceeds the maximum length of ${MAX_INPUT_TAG_VALUE_SIZE}`);
      }
    }
  }
};

/** search_experiments' check (sqlalchemy_store), with its message. */
export const validateExperimentsMaxResults = (maxResults: number): void => {
  if (maxResults < 1) {
    throw invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${maxResults}`);
  }
  if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
    throw invalidParameter(
      `Invalid value for max_results. It must be at most ${SEARCH_MAX_RESULTS_THRESHOLD}, but got ${maxResults}`,
    );
  }
};

/** search_runs' checks: the handler's upper bound, then the store's `_validate_max_results_param`. */
export const validateRunsMaxResults = (maxResults: number): void => {
  if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${SEARCH_MAX_RESULTS_THRESHOLD}`,
    );
  }
  if (maxResults < 1) {
    throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
  }
};
