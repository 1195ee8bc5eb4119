import { invalidParameter, notFound } from "../../core/errors.js";
import { type Metric, SystemTag } from "../../protocol/mlflow/entities.js";
import type { RunBatch } from "../../tracking/store.js";
import type { PgDatabase } from "./pg-database.js";
import { pgRunKeyOf } from "./pg-runs.js";

/**
 * logBatch on PostgreSQL: one transaction, one multi-row statement per table whatever the batch size (rows passed as
 * arrays and expanded by unnest), the rules of sqlite/log-batch.ts:
 * - params are write-once: inserted ON CONFLICT DO NOTHING, then every key of the batch is read back and compared, so
 *   a conflicting value (stored before, or by a concurrent batch that committed first) fails the whole batch;
 * - metric rows are keyed by the full row: an identical row is skipped, a retried batch is idempotent;
 * - latest_metrics is one upsert whose WHERE keeps the stored row unless the new one is later by (step, timestamp,
 *   value). ON CONFLICT DO UPDATE locks the row and evaluates WHERE against the latest committed version, so batches
 *   of several server processes on one run never lose a newer value;
 * - every row gets the id of this transaction (audit_xid, the column's default; a tag's upsert sets it again), from
 *   which the run-data digests are collected (pg-digest-collector.ts): the audit trail sends nothing more here;
 * - keys are sorted before each multi-row write, so that concurrent batches lock rows in the same order (no
 *   deadlock between them); a deadlock or serialization failure that still happens retries the batch (idempotent).
 */
const INSERT_PARAMS =
  "INSERT INTO params (run_key, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS u(k, v) " +
  "ON CONFLICT (run_key, key) DO NOTHING";

const INSERT_METRICS =
  "INSERT INTO metrics (run_key, key, step, timestamp, value, is_nan) " +
  "SELECT $1, k, s, t, v, n FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::int[]) AS u(k, s, t, v, n) " +
  "ON CONFLICT DO NOTHING";

const UPSERT_LATEST =
  "INSERT INTO latest_metrics (run_key, key, step, timestamp, value, is_nan) " +
  "SELECT $1, k, s, t, v, n FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::int[]) AS u(k, s, t, v, n) " +
  "ON CONFLICT (run_key, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, " +
  "is_nan = excluded.is_nan WHERE (excluded.step, excluded.timestamp, excluded.value) > " +
  "(latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)";

const UPSERT_TAGS =
  "INSERT INTO tags (run_key, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS u(k, v) " +
  "ON CONFLICT (run_key, key) DO UPDATE SET value = excluded.value, audit_xid = excluded.audit_xid";

/** NaN is stored as value 0 (is_nan = 1); comparisons use the stored value, as MLflow's do. */
const storedValue = (value: number): number => (Number.isNaN(value) ? 0 : value);

const isLater = (a: Metric, b: Metric): boolean => {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return storedValue(a.value) > storedValue(b.value);
};

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The columns of metric rows as the arrays unnest expands. */
const metricColumns = (runKey: number, metrics: readonly Metric[]): unknown[] => [
  runKey,
  metrics.map((metric) => metric.key),
  metrics.map((metric) => metric.step),
  metrics.map((metric) => metric.timestamp),
  metrics.map((metric) => storedValue(metric.value)),
  metrics.map((metric) => (Number.isNaN(metric.value) ? 1 : 0)),
];

const compareMetricRows = (a: Metric, b: Metric): number =>
  byCodeUnit(a.key, b.key) || a.step - b.step || a.timestamp - b.timestamp || storedValue(a.value) - storedValue(b.value);

export const logPgBatch = (db: PgDatabase, runId: string, batch: RunBatch): Promise<void> =>
  db.transaction(
    async () => {
      const { run_key: runKey } = await pgRunKeyOf(db, runId);

      if (batch.params.length > 0) {
        // The first value of a key in the batch is the one inserted (as SQLite's row-by-row insert).
        const firsts = new Map<string, string>();
        for (const param of batch.params) if (!firsts.has(param.key)) firsts.set(param.key, param.value);
        const keys = [...firsts.keys()].sort(byCodeUnit);
        await db.query(INSERT_PARAMS, [runKey, keys, keys.map((key) => firsts.get(key))]);
        const stored = new Map(
          (await db.query<{ key: string; value: string }>("SELECT key, value FROM params WHERE run_key = $1 AND key = ANY($2::text[])", [runKey, keys])).map(
            (row) => [row.key, row.value],
          ),
        );
        for (const param of batch.params) {
          const existing = stored.get(param.key);
          if (existing !== undefined && existing !== param.value) {
            throw invalidParameter(
              `Changing param values is not allowed. Param with key='${param.key}' was already logged with ` +
                `value='${existing}' for run ID='${runId}'. Attempted logging new value '${param.value}'.`,
            );
          }
        }
      }

      if (batch.metrics.length > 0) {
        // Named (prepared once per connection): planning the unnest statements cost more than running them for a
        // single log-metric, the hottest write of all.
        await db.queryPrepared("log_batch_insert_metrics", INSERT_METRICS, metricColumns(runKey, [...batch.metrics].sort(compareMetricRows)));
        const latest = new Map<string, Metric>();
        for (const metric of batch.metrics) {
          const current = latest.get(metric.key);
          if (current === undefined || isLater(metric, current)) latest.set(metric.key, metric);
        }
        await db.queryPrepared("log_batch_upsert_latest", UPSERT_LATEST, metricColumns(runKey, [...latest.values()].sort(compareMetricRows)));
      }

      if (batch.tags.length > 0) {
        // The last value of a key wins (ON CONFLICT DO UPDATE may not touch one row twice in a statement).
        const lasts = new Map<string, string>();
        for (const tag of batch.tags) lasts.set(tag.key, tag.value);
        const keys = [...lasts.keys()].sort(byCodeUnit);
        await db.query(UPSERT_TAGS, [runKey, keys, keys.map((key) => lasts.get(key))]);
        const runName = lasts.get(SystemTag.RUN_NAME);
        if (runName !== undefined) await db.query("UPDATE runs SET name = $1 WHERE run_key = $2", [runName, runKey]);
      }

      await logModelMetrics(db, runId, batch.metrics);
    },
    { retryConflicts: true },
  );

// The model's latest value per (key, dataset) by timestamp, then step, then value (see sqlite/log-batch.ts).
const UPSERT_MODEL_METRIC =
  "INSERT INTO logged_model_metrics (model_key, key, dataset_name, dataset_digest, run_id, step, timestamp, value, is_nan) " +
  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (model_key, key, dataset_name, dataset_digest) DO UPDATE SET " +
  "run_id = excluded.run_id, step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan " +
  "WHERE (excluded.timestamp, excluded.step, excluded.value) >= " +
  "(logged_model_metrics.timestamp, logged_model_metrics.step, logged_model_metrics.value)";

const VISIBLE_MODEL_KEY =
  "SELECT m.model_key FROM logged_models m JOIN experiments e ON e.experiment_id = m.experiment_id " +
  "WHERE m.model_id = $1 AND m.lifecycle_stage = 'active' AND e.lifecycle_stage = 'active'";

/** Metrics that carry a model_id are also that model's metrics; a batch naming a missing model fails whole. */
const logModelMetrics = async (db: PgDatabase, runId: string, metrics: readonly Metric[]): Promise<void> => {
  const modelKeys = new Map<string, number>();
  for (const metric of metrics) {
    if (metric.model_id === undefined) continue;
    let modelKey = modelKeys.get(metric.model_id);
    if (modelKey === undefined) {
      const row = await db.one<{ model_key: number }>(VISIBLE_MODEL_KEY, [metric.model_id]);
      if (row === undefined) throw notFound(`Logged model with ID '${metric.model_id}' not found.`);
      modelKey = row.model_key;
      modelKeys.set(metric.model_id, modelKey);
    }
    await db.query(UPSERT_MODEL_METRIC, [
      modelKey,
      metric.key,
      metric.dataset_name ?? "",
      metric.dataset_digest ?? "",
      runId,
      metric.step,
      metric.timestamp,
      storedValue(metric.value),
      Number.isNaN(metric.value) ? 1 : 0,
    ]);
  }
};
