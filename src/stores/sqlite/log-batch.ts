import { invalidParameter, notFound } from "../../core/errors.js";
import type { Metric } from "../../protocol/mlflow/entities.js";
import type { RunBatch } from "../../tracking/store.js";
import { runKeyOf, upsertRunTag } from "./runs.js";
import type { SqliteConnection } from "./statement-cache.js";

/**
 * logBatch: one IMMEDIATE transaction, a handful of cached statements. Params first, so that a conflicting param
 * fails the batch before any metric is written (the throw rolls everything back anyway). Metric rows are inserted
 * with OR IGNORE against the full-row primary key, which makes a retried batch idempotent. The latest value per
 * key is reduced in JS first, so latest_metrics sees one upsert per distinct key instead of one per metric.
 */
const INSERT_METRIC =
  "INSERT OR IGNORE INTO metrics (run_key, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)";

// Row-value comparison keeps the stored row unless the new one is strictly later by (step, timestamp, value).
const UPSERT_LATEST =
  "INSERT INTO latest_metrics (run_key, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?) " +
  "ON CONFLICT (run_key, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, " +
  "value = excluded.value, is_nan = excluded.is_nan " +
  "WHERE (excluded.step, excluded.timestamp, excluded.value) > " +
  "(latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)";

const INSERT_PARAM = "INSERT INTO params (run_key, key, value) VALUES (?, ?, ?) ON CONFLICT (run_key, key) DO NOTHING";

/** NaN is stored as value 0 (is_nan = 1); comparisons use the stored value, as MLflow's do. */
const storedValue = (value: number): number => (Number.isNaN(value) ? 0 : value);

const isLater = (a: Metric, b: Metric): boolean => {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return storedValue(a.value) > storedValue(b.value);
};

export const logBatch = (conn: SqliteConnection, runId: string, batch: RunBatch): void => {
  conn.write(() => {
    const { run_key: runKey } = runKeyOf(conn, runId);

    if (batch.params.length > 0) {
      const insertParam = conn.stmt(INSERT_PARAM);
      const readParam = conn.stmt("SELECT value FROM params WHERE run_key = ? AND key = ?");
      for (const param of batch.params) {
        if (insertParam.run(runKey, param.key, param.value).changes > 0) continue;
        const existing = readParam.get(runKey, param.key) as { value: string };
        if (existing.value !== param.value) {
          throw invalidParameter(
            `Changing param values is not allowed. Param with key='${param.key}' was already logged with ` +
              `value='${existing.value}' for run ID='${runId}'. Attempted logging new value '${param.value}'.`,
          );
        }
      }
    }

    if (batch.metrics.length > 0) {
      const insertMetric = conn.stmt(INSERT_METRIC);
      const latest = new Map<string, Metric>();
      for (const metric of batch.metrics) {
        const isNan = Number.isNaN(metric.value);
        insertMetric.run(runKey, metric.key, metric.step, metric.timestamp, isNan ? 0 : metric.value, isNan ? 1 : 0);
        const current = latest.get(metric.key);
        if (current === undefined || isLater(metric, current)) latest.set(metric.key, metric);
      }
      const upsertLatest = conn.stmt(UPSERT_LATEST);
      for (const metric of latest.values()) {
        const isNan = Number.isNaN(metric.value);
        upsertLatest.run(runKey, metric.key, metric.step, metric.timestamp, isNan ? 0 : metric.value, isNan ? 1 : 0);
      }
    }

    for (const tag of batch.tags) upsertRunTag(conn, runKey, tag.key, tag.value);
    logModelMetrics(conn, runId, batch.metrics);
  });
};

// The model's latest value per (key, dataset) by timestamp, then step, then value: MLflow ranks a model's metric
// values by timestamp and step (search order and get answer the same value).
const UPSERT_MODEL_METRIC =
  "INSERT INTO logged_model_metrics (model_key, key, dataset_name, dataset_digest, run_id, step, timestamp, value, is_nan) " +
  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model_key, key, dataset_name, dataset_digest) DO UPDATE SET " +
  "run_id = excluded.run_id, step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan " +
  "WHERE (excluded.timestamp, excluded.step, excluded.value) >= " +
  "(logged_model_metrics.timestamp, logged_model_metrics.step, logged_model_metrics.value)";

const VISIBLE_MODEL_KEY =
  "SELECT m.model_key FROM logged_models m JOIN experiments e ON e.experiment_id = m.experiment_id " +
  "WHERE m.model_id = ? AND m.lifecycle_stage = 'active' AND e.lifecycle_stage = 'active'";

/** Metrics that carry a model_id are also that model's metrics; a batch naming a missing model fails whole. */
const logModelMetrics = (conn: SqliteConnection, runId: string, metrics: readonly Metric[]): void => {
  let modelKeys: Map<string, number> | undefined;
  for (const metric of metrics) {
    if (metric.model_id === undefined) continue;
    modelKeys ??= new Map();
    let modelKey = modelKeys.get(metric.model_id);
    if (modelKey === undefined) {
      const row = conn.stmt(VISIBLE_MODEL_KEY).get(metric.model_id) as { model_key: number } | undefined;
      if (row === undefined) throw notFound(`Logged model with ID '${metric.model_id}' not found.`);
      modelKey = row.model_key;
      modelKeys.set(metric.model_id, modelKey);
    }
    const isNan = Number.isNaN(metric.value);
    conn
      .stmt(UPSERT_MODEL_METRIC)
      .run(
        modelKey,
        metric.key,
        metric.dataset_name ?? "",
        metric.dataset_digest ?? "",
        runId,
        metric.step,
        metric.timestamp,
        isNan ? 0 : metric.value,
        isNan ? 1 : 0,
      );
  }
};
