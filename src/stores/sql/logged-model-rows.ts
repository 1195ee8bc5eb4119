import type { KeyValue } from "../../protocol/mlflow/entities.js";
import type { LoggedModel, LoggedModelInfo, LoggedModelMetric, LoggedModelStatus } from "../../protocol/mlflow/logged-model-entities.js";

/**
 * The rows of a logged model and how whole models are assembled from them: both backends load a list of keys with
 * the same four statements (in their own SQL for "these keys"), then hand the rows here.
 */
export const LOGGED_MODEL_COLUMNS =
  "model_key, model_id, experiment_id, name, artifact_uri, creation_time, last_updated_time, status, status_message, " +
  "model_type, source_run_id";

export interface LoggedModelRow {
  model_key: number;
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_uri: string;
  creation_time: number;
  last_updated_time: number;
  status: LoggedModelStatus;
  status_message: string | null;
  model_type: string | null;
  source_run_id: string | null;
}

export interface KeyedValueRow extends KeyValue {
  model_key: number;
}

export interface LoggedModelMetricRow {
  model_key: number;
  model_id: string;
  key: string;
  dataset_name: string;
  dataset_digest: string;
  run_id: string | null;
  step: number;
  timestamp: number;
  value: number;
  is_nan: number;
}

/** The statements' SQL, given a backend's condition on `model_key` for the list of keys (e.g. `= ANY($1)`). */
export const loggedModelStatements = (keysCondition: string) => ({
  models: `SELECT ${LOGGED_MODEL_COLUMNS} FROM logged_models WHERE model_key ${keysCondition}`,
  tags: `SELECT model_key, key, value FROM logged_model_tags WHERE model_key ${keysCondition} ORDER BY model_key, key`,
  params: `SELECT model_key, key, value FROM logged_model_params WHERE model_key ${keysCondition} ORDER BY model_key, key`,
  metrics:
    "SELECT x.model_key, m.model_id, x.key, x.dataset_name, x.dataset_digest, x.run_id, x.step, x.timestamp, x.value, x.is_nan " +
    `FROM logged_model_metrics x JOIN logged_models m ON m.model_key = x.model_key WHERE x.model_key ${keysCondition} ` +
    "ORDER BY x.model_key, x.key, x.dataset_name, x.dataset_digest",
});

const grouped = <R extends { model_key: number }, T>(rows: readonly R[], map: (row: R) => T): Map<number, T[]> => {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const group = groups.get(row.model_key);
    if (group === undefined) groups.set(row.model_key, [map(row)]);
    else group.push(map(row));
  }
  return groups;
};

const keyValue = (row: KeyedValueRow): KeyValue => ({ key: row.key, value: row.value });

const toMetric = (row: LoggedModelMetricRow): LoggedModelMetric => ({
  key: row.key,
  value: row.is_nan === 1 ? Number.NaN : row.value,
  timestamp: row.timestamp,
  step: row.step,
  ...(row.run_id !== null ? { run_id: row.run_id } : {}),
  model_id: row.model_id,
  ...(row.dataset_name !== "" ? { dataset_name: row.dataset_name } : {}),
  ...(row.dataset_digest !== "" ? { dataset_digest: row.dataset_digest } : {}),
});

const toInfo = (row: LoggedModelRow, tags: KeyValue[]): LoggedModelInfo => ({
  model_id: row.model_id,
  experiment_id: String(row.experiment_id),
  name: row.name,
  creation_timestamp_ms: row.creation_time,
  last_updated_timestamp_ms: row.last_updated_time,
  artifact_uri: row.artifact_uri,
  status: row.status,
  ...(row.model_type !== null ? { model_type: row.model_type } : {}),
  ...(row.source_run_id !== null ? { source_run_id: row.source_run_id } : {}),
  ...(row.status_message !== null ? { status_message: row.status_message } : {}),
  tags,
  // Registrations are recorded by the registry as the mlflow.modelVersions tag (MLflow OSS does the same).
  registrations: [],
});

/**
 * Whole models in the order of `modelKeys` (keys without a row are left out); tags and params sorted by key, metrics
 * by key, dataset, then step, as the statements order them.
 */
export const assembleLoggedModels = (
  modelKeys: readonly number[],
  rows: { models: readonly LoggedModelRow[]; tags: readonly KeyedValueRow[]; params: readonly KeyedValueRow[]; metrics: readonly LoggedModelMetricRow[] },
): LoggedModel[] => {
  const tags = grouped(rows.tags, keyValue);
  const params = grouped(rows.params, keyValue);
  const metrics = grouped(rows.metrics, toMetric);
  const byKey = new Map(rows.models.map((row) => [row.model_key, row]));
  const models: LoggedModel[] = [];
  for (const modelKey of modelKeys) {
    const row = byKey.get(modelKey);
    if (row === undefined) continue;
    models.push({ info: toInfo(row, tags.get(modelKey) ?? []), data: { params: params.get(modelKey) ?? [], metrics: metrics.get(modelKey) ?? [] } });
  }
  return models;
};
