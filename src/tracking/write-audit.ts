import { ANONYMOUS, type WriteContext } from "../core/actor.js";
import type { DatasetInput, KeyValue } from "../protocol/mlflow/entities.js";
import type { RunBatch } from "./store.js";

/** Audit actions of the tracking domain ("<domain>.<entity>.<verb>"). */
export const TrackingAction = {
  EXPERIMENT_CREATE: "tracking.experiment.create",
  EXPERIMENT_RENAME: "tracking.experiment.rename",
  EXPERIMENT_DELETE: "tracking.experiment.delete",
  EXPERIMENT_RESTORE: "tracking.experiment.restore",
  EXPERIMENT_TAG_SET: "tracking.experiment_tag.set",
  EXPERIMENT_TAG_DELETE: "tracking.experiment_tag.delete",
  RUN_CREATE: "tracking.run.create",
  RUN_UPDATE: "tracking.run.update",
  RUN_DELETE: "tracking.run.delete",
  RUN_RESTORE: "tracking.run.restore",
  RUN_LOG_BATCH: "tracking.run.log_batch",
  RUN_TAG_DELETE: "tracking.run_tag.delete",
  RUN_LOG_INPUTS: "tracking.run.log_inputs",
  RUN_LOG_MODEL: "tracking.run.log_model",
} as const;

/** Metric keys named in a log_batch summary: enough to see what was logged, bounded for 1000-metric batches. */
export const SUMMARY_METRIC_KEYS = 20;

const keyValueObject = (items: readonly KeyValue[]): Record<string, string> => {
  const object: Record<string, string> = {};
  for (const item of items) object[item.key] = item.value;
  return object;
};

export const tagsObject = keyValueObject;

/** The after-snapshot of every metric/param/tag write: counts and names, not every metric row. */
export const batchSummary = (batch: RunBatch) => {
  const metricKeys: string[] = [];
  for (const metric of batch.metrics) {
    if (metricKeys.length >= SUMMARY_METRIC_KEYS) break;
    if (!metricKeys.includes(metric.key)) metricKeys.push(metric.key);
  }
  return {
    metrics: batch.metrics.length,
    metric_keys: metricKeys,
    params: keyValueObject(batch.params),
    tags: keyValueObject(batch.tags),
  };
};

export const inputsSummary = (datasets: readonly DatasetInput[]) => ({
  datasets: datasets.map(({ dataset, tags }) => ({
    name: dataset.name,
    digest: dataset.digest,
    ...(tags.length > 0 ? { tags: keyValueObject(tags) } : {}),
  })),
});

/**
 * MLflow clients declare their user in the run (user_id), not in a header: a run write without a declared actor is
 * attributed to the run's user, still unverified.
 */
export const runWriteContext = (context: WriteContext, runUserId: string): WriteContext =>
  runUserId !== "" && context.actor.name === ANONYMOUS.name && !context.actor.verified
    ? { actor: { name: runUserId, verified: false }, requestId: context.requestId }
    : context;

