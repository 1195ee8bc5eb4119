import type { WriteContext } from "../core/actor.js";
import { invalidParameter } from "../core/errors.js";
import { recordRunData } from "../audit/recorder.js";
import { SystemTag, type DatasetInput, type KeyValue, type Metric, type Param, type RunInfo, type RunTag } from "../protocol/mlflow/entities.js";
import type { ModelInput } from "../protocol/mlflow/logged-model-entities.js";
import { parseModelJson, appendModelHistory } from "./logged-model.js";
import { MAX_MODEL_LINKS_PER_REQUEST, validateMetricLinks } from "./logged-models/validation.js";
import { requireActive } from "./active-entities.js";
import type { RunBatch } from "./store.js";
import type { TrackingWrites } from "./tracking-writes.js";
import {
  validateBatchLimits,
  validateDatasetInputs,
  validateMetric,
  validateParam,
  validateParamKeysUnique,
  validateTag,
  validateTagKey,
} from "./validation.js";
import { TrackingAction, batchSummary, inputsSummary, runWriteContext } from "./write-audit.js";

/** A ModelInput id: a logged model (m-...) or a registered model version id; no path or control characters. */
const MODEL_INPUT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EMPTY_BATCH_LIST: never[] = [];

/**
 * What is logged into an active run: metrics, params and tags (one write path, writeBatch, audited through the run's
 * data digest rather than one event per write), a tag's deletion, logged models' history and dataset/model inputs.
 */
export class RunData {
  constructor(private readonly writes: TrackingWrites) {}

  async logMetric(runId: string, metric: Metric, context: WriteContext): Promise<void> {
    validateMetric(metric);
    validateMetricLinks(metric);
    const info = await this.writes.requireActiveRun(runId);
    await this.writeBatch(info, { metrics: [metric], params: EMPTY_BATCH_LIST, tags: EMPTY_BATCH_LIST }, context);
  }

  async logParam(runId: string, param: Param, context: WriteContext): Promise<void> {
    validateParam(param);
    const info = await this.writes.requireActiveRun(runId);
    await this.writeBatch(info, { metrics: EMPTY_BATCH_LIST, params: [param], tags: EMPTY_BATCH_LIST }, context);
  }

  async setTag(runId: string, tag: RunTag, context: WriteContext): Promise<void> {
    validateTag(tag);
    const info = await this.writes.requireActiveRun(runId);
    await this.writeBatch(info, { metrics: EMPTY_BATCH_LIST, params: EMPTY_BATCH_LIST, tags: [tag] }, context);
  }

  async deleteTag(runId: string, key: string, context: WriteContext): Promise<void> {
    return this.writes.atomic(async () => {
      validateTagKey(key);
      const info = await this.writes.requireActiveRun(runId);
      await this.writes.store.deleteTag(runId, key);
      await this.writes.audit.record(runWriteContext(context, info.user_id), {
        action: TrackingAction.RUN_TAG_DELETE,
        entityType: "run",
        entityId: runId,
        before: { key },
        after: null,
      });
    });
  }

  /** Entities arrive already parsed; the route checked their counts before parsing them (run-routes.ts, validateBatchLimits). */
  async logBatch(runId: string, batch: RunBatch, context: WriteContext): Promise<void> {
    validateBatchLimits(batch.metrics.length, batch.params.length, batch.tags.length);
    for (const metric of batch.metrics) {
      validateMetric(metric);
      if (metric.model_id !== undefined || metric.dataset_name !== undefined || metric.dataset_digest !== undefined) validateMetricLinks(metric);
    }
    for (const param of batch.params) validateParam(param);
    for (const tag of batch.tags) validateTag(tag);
    validateParamKeysUnique(batch.params);
    const info = await this.writes.requireActiveRun(runId);
    if (batch.metrics.length + batch.params.length + batch.tags.length === 0) return;
    await this.writeBatch(info, batch, context);
  }

  /** The one write path of metrics, params and tags, audited through the run's data digest (see recordRunData). */
  private async writeBatch(info: RunInfo, batch: RunBatch, context: WriteContext): Promise<void> {
    const { store, audit } = this.writes;
    const writeContext = runWriteContext(context, info.user_id);
    // SQLite: the write and its digest update as one synchronous unit (AuditRecorder.atomicallyNow), the hot path of
    // single log-metric requests; elsewhere an atomically() unit.
    const { atomicallyNow } = audit;
    const logBatchNow = store.logBatchNow?.bind(store);
    const digest = atomicallyNow && logBatchNow && audit.runDataInTransaction?.(writeContext, info.run_id, batch);
    if (atomicallyNow && logBatchNow && digest) {
      return atomicallyNow(() => {
        logBatchNow(info.run_id, batch);
        digest();
      });
    }
    return this.writes.atomic(async () => {
      await store.logBatch(info.run_id, batch);
      // Summed into the run's pending digest (one event per N writes, T seconds and the run's end), not one event each.
      await recordRunData(audit, writeContext, info.run_id, batch, {
        action: TrackingAction.RUN_LOG_BATCH,
        entityType: "run",
        entityId: info.run_id,
        after: batchSummary(batch),
      });
    });
  }

  /** Appends the model's summary to the run's mlflow.log-model.history tag, as MLflow's record_logged_model. */
  async logModel(runId: string, modelJson: string, context: WriteContext): Promise<void> {
    return this.writes.atomic(async () => {
      const summary = parseModelJson(modelJson);
      const run = await this.writes.run(runId);
      requireActive("run", runId, run.info.lifecycle_stage);
      const previous = run.data.tags.find((tag) => tag.key === SystemTag.LOG_MODEL_HISTORY)?.value;
      const tag: KeyValue = { key: SystemTag.LOG_MODEL_HISTORY, value: appendModelHistory(previous, summary) };
      validateTag(tag);
      await this.writes.store.logBatch(runId, { metrics: EMPTY_BATCH_LIST, params: EMPTY_BATCH_LIST, tags: [tag] });
      // The history tag grows with every model; the event names the model this call added.
      await this.writes.audit.record(runWriteContext(context, run.info.user_id), {
        action: TrackingAction.RUN_LOG_MODEL,
        entityType: "run",
        entityId: runId,
        after: {
          artifact_path: summary.artifact_path ?? null,
          model_uuid: summary.model_uuid ?? null,
          flavors: Object.keys(summary.flavors !== null && typeof summary.flavors === "object" ? summary.flavors : {}),
        },
      });
    });
  }

  /**
   * `models` (MLflow 3's ModelInput) may name a logged model or a registered model version, so only their form is
   * checked: a bounded id without path characters.
   */
  async logInputs(runId: string, datasets: DatasetInput[], context: WriteContext, models: readonly ModelInput[] = []): Promise<void> {
    return this.writes.atomic(async () => {
      validateDatasetInputs(datasets);
      if (models.length > MAX_MODEL_LINKS_PER_REQUEST) {
        throw invalidParameter(`A request may log at most ${MAX_MODEL_LINKS_PER_REQUEST} models; got ${models.length}.`);
      }
      for (const [index, model] of models.entries()) {
        if (!MODEL_INPUT_ID.test(model.model_id)) {
          throw invalidParameter(`Invalid value '${model.model_id.slice(0, 100)}' for parameter 'models[${index}].model_id' supplied.`);
        }
      }
      const info = await this.writes.requireActiveRun(runId);
      if (datasets.length === 0 && models.length === 0) return;
      await this.writes.store.logInputs(runId, datasets, models);
      await this.writes.audit.record(runWriteContext(context, info.user_id), {
        action: TrackingAction.RUN_LOG_INPUTS,
        entityType: "run",
        entityId: runId,
        after: { ...inputsSummary(datasets), ...(models.length > 0 ? { models: models.map((model) => model.model_id) } : {}) },
      });
    });
  }
}
