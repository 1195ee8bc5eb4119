import { invalidValue, missingValue, Fields } from "../protocol/mlflow/fields.js";
import type { DatasetInput, KeyValue, Metric } from "../protocol/mlflow/entities.js";
import type { ModelInput, ModelOutput } from "../protocol/mlflow/logged-model-entities.js";

/**
 * Readers for the nested messages of tracking requests (tags, params, metrics, dataset inputs). Metrics have a fast
 * path: a well-typed metric (the common case, 1000 per log-batch) is read without building a Fields per element;
 * anything else falls back to Fields, which produces MLflow's error message naming the element.
 */
export const readKeyValue = (item: Fields): KeyValue => ({
  key: item.requiredString("key"),
  value: item.optionalString("value") ?? "",
});

export const readKeyValues = (fields: Fields, field: string): KeyValue[] => fields.list(field, readKeyValue);

/** MLflow 3's optional metric fields (LogMetric, LogBatch metrics): kept only when sent and non-empty. */
const withMetricLinks = (metric: Metric, item: Fields): Metric => {
  const modelId = item.optionalString("model_id");
  const datasetName = item.optionalString("dataset_name");
  const datasetDigest = item.optionalString("dataset_digest");
  if (modelId) metric.model_id = modelId;
  if (datasetName) metric.dataset_name = datasetName;
  if (datasetDigest) metric.dataset_digest = datasetDigest;
  return metric;
};

const readMetricSlow = (item: Fields): Metric =>
  withMetricLinks(
    {
      key: item.requiredString("key"),
      value: item.requiredDouble("value"),
      timestamp: item.requiredInt64("timestamp"),
      step: item.optionalInt64("step") ?? 0,
    },
    item,
  );

export const readMetric = (fields: Fields): Metric => readMetricSlow(fields);

export const readMetrics = (fields: Fields, field: string): Metric[] => {
  const raw = fields.rawValue(field);
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidValue(field, raw, "expected a list");
  const metrics: Metric[] = new Array<Metric>(raw.length);
  for (let index = 0; index < raw.length; index += 1) {
    const item: unknown = raw[index];
    if (item !== null && typeof item === "object") {
      const { key, value, timestamp, step, model_id: modelId, dataset_name: datasetName, dataset_digest: datasetDigest } =
        item as Record<string, unknown>;
      if (
        // The 3.x fields send a metric down the careful path (rare: log_model re-sends a handful of metrics).
        modelId === undefined &&
        datasetName === undefined &&
        datasetDigest === undefined &&
        typeof key === "string" &&
        key !== "" &&
        typeof value === "number" &&
        typeof timestamp === "number" &&
        Number.isSafeInteger(timestamp) &&
        (step === undefined || (typeof step === "number" && Number.isSafeInteger(step)))
      ) {
        metrics[index] = { key, value, timestamp, step: step ?? 0 };
        continue;
      }
    }
    metrics[index] = readMetricSlow(Fields.of(item, `${field}[${index}]`));
  }
  return metrics;
};

const readDatasetInput = (item: Fields): DatasetInput => {
  const dataset = item.optionalObject("dataset");
  if (!dataset) throw missingValue("dataset");
  const schema = dataset.optionalString("schema");
  const profile = dataset.optionalString("profile");
  return {
    tags: readKeyValues(item, "tags"),
    dataset: {
      name: dataset.requiredString("name"),
      digest: dataset.requiredString("digest"),
      source_type: dataset.requiredString("source_type"),
      source: dataset.requiredString("source"),
      ...(schema !== undefined ? { schema } : {}),
      ...(profile !== undefined ? { profile } : {}),
    },
  };
};

export const readDatasetInputs = (fields: Fields, field: string): DatasetInput[] => fields.list(field, readDatasetInput);

/** run_id, or its deprecated alias run_uuid that old clients send. */
export const readRunId = (fields: Fields): string => {
  const runId = fields.optionalString("run_id") || fields.optionalString("run_uuid");
  if (!runId) throw missingValue("run_id");
  return runId;
};

/** MLflow 3's ModelInput list (runs/log-inputs `models`). */
export const readModelInputs = (fields: Fields, field: string): ModelInput[] =>
  fields.list(field, (item) => ({ model_id: item.requiredString("model_id") }));

/** MLflow 3's ModelOutput list (runs/outputs `models`); both fields are required by the proto. */
export const readModelOutputs = (fields: Fields, field: string): ModelOutput[] =>
  fields.list(field, (item) => ({ model_id: item.requiredString("model_id"), step: item.requiredInt64("step") }));
