import type { KeyValue } from "../../protocol/mlflow/entities.js";
import type { LoggedModel, LoggedModelInfo, LoggedModelMetric } from "../../protocol/mlflow/logged-model-entities.js";
import { LOGGED_MODEL_COLUMNS, type LoggedModelRow } from "../sqlite/logged-model-loader.js";
import type { PgDatabase } from "./pg-database.js";

/** Loads whole logged models for a list of keys with four statements (the shapes of sqlite/logged-model-loader.ts). */
interface KeyedValue extends KeyValue {
  model_key: number;
}

interface MetricRow {
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

const grouped = <R extends { model_key: number }, T>(rows: readonly R[], map: (row: R) => T): Map<number, T[]> => {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const group = groups.get(row.model_key);
    if (group === undefined) groups.set(row.model_key, [map(row)]);
    else group.push(map(row));
  }
  return groups;
};

const toMetric = (row: MetricRow): LoggedModelMetric => ({
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
  registrations: [],
});

const keyValue = (row: KeyedValue): KeyValue => ({ key: row.key, value: row.value });

export const loadPgLoggedModels = async (db: PgDatabase, modelKeys: readonly number[]): Promise<LoggedModel[]> => {
  if (modelKeys.length === 0) return [];
  const keys = [modelKeys];
  const rows = await db.query<LoggedModelRow>(`SELECT ${LOGGED_MODEL_COLUMNS} FROM logged_models WHERE model_key = ANY($1::bigint[])`, keys);
  const tags = grouped(
    await db.query<KeyedValue>("SELECT model_key, key, value FROM logged_model_tags WHERE model_key = ANY($1::bigint[]) ORDER BY model_key, key", keys),
    keyValue,
  );
  const params = grouped(
    await db.query<KeyedValue>("SELECT model_key, key, value FROM logged_model_params WHERE model_key = ANY($1::bigint[]) ORDER BY model_key, key", keys),
    keyValue,
  );
  const metrics = grouped(
    await db.query<MetricRow>(
      "SELECT x.model_key, m.model_id, x.key, x.dataset_name, x.dataset_digest, x.run_id, x.step, x.timestamp, x.value, x.is_nan " +
        "FROM logged_model_metrics x JOIN logged_models m ON m.model_key = x.model_key WHERE x.model_key = ANY($1::bigint[]) " +
        "ORDER BY x.model_key, x.key, x.dataset_name, x.dataset_digest",
      keys,
    ),
    toMetric,
  );
  const byKey = new Map(rows.map((row) => [row.model_key, row]));
  const models: LoggedModel[] = [];
  for (const modelKey of modelKeys) {
    const row = byKey.get(modelKey);
    if (row === undefined) continue;
    models.push({ info: toInfo(row, tags.get(modelKey) ?? []), data: { params: params.get(modelKey) ?? [], metrics: metrics.get(modelKey) ?? [] } });
  }
  return models;
};
