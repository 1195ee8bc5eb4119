import type { WriteContext } from "../core/actor.js";
import { systemClock, type Clock } from "../core/clock.js";
import { atomically, noAudit, recordRunData, type AuditRecorder } from "../audit/recorder.js";
import { invalidParameter, notFound } from "../core/errors.js";
import { newRunId } from "../core/ids.js";
import {
  DEFAULT_EXPERIMENT_ID,
  SystemTag,
  type DatasetInput,
  type Experiment,
  type ExperimentTag,
  type KeyValue,
  type Metric,
  type MetricWithRunId,
  type Param,
  type Run,
  type RunInfo,
  type RunStatus,
  type RunTag,
  type ViewType,
} from "../protocol/mlflow/entities.js";
import { findExperiment, findRunInfo, requireActive } from "./active-entities.js";
import { orderSampledHistory } from "./metric-sampling.js";
import { generateRunName, type RandomSource } from "./run-names.js";
import { parseModelJson, appendModelHistory } from "./logged-model.js";
import { MAX_MODEL_LINKS_PER_REQUEST, validateMetricLinks } from "./logged-models/validation.js";
import type { ModelInput } from "../protocol/mlflow/logged-model-entities.js";
import { searchQueries } from "./search-queries.js";
import type { Page, RunBatch, TrackingStore } from "./store.js";
import { TrackingAction, batchSummary, inputsSummary, runWriteContext, tagsObject } from "./write-audit.js";
import {
  SEARCH_MAX_RESULTS_DEFAULT,
  SEARCH_MAX_RESULTS_THRESHOLD,
  validateArtifactLocation,
  validateBatchLimits,
  validateDatasetInputs,
  validateExperimentName,
  validateExperimentTag,
  validateExperimentsMaxResults,
  validateMetric,
  validateParam,
  validateParamKeysUnique,
  validateRunId,
  validateRunsMaxResults,
  validateTag,
  validateTagKey,
} from "./validation.js";

export interface TrackingServiceOptions {
  clock?: Clock;
  /** Root under which experiments without an explicit artifact_location live, e.g. "mlflow-artifacts:". */
  defaultArtifactRoot: string;
  /** Random source for generated run names. */
  random?: RandomSource;
  /** Where every successful write is reported (default: nowhere). */
  audit?: AuditRecorder;
}

export interface NewExperimentRequest {
  name: string;
  artifactLocation?: string;
  tags: ExperimentTag[];
}

export interface NewRunRequest {
  experimentId?: string;
  userId?: string;
  runName?: string;
  startTime?: number;
  tags: RunTag[];
}

export interface RunUpdateRequest {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

export interface ExperimentSearchRequest {
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
  filter?: string;
  orderBy: string[];
}

export interface RunSearchRequest {
  experimentIds: string[];
  filter?: string;
  orderBy: string[];
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
}

export interface BulkIntervalRequest {
  runIds: string[];
  metricKey: string;
  maxResults: number;
  /** Both or neither (the route enforces MLflow's rule). */
  range?: { startStep: number; endStep: number };
}

/** A ModelInput id: a logged model (m-...) or a registered model version id; no path or control characters. */
const MODEL_INPUT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EMPTY_BATCH_LIST: never[] = [];

/** Joins a URI and path segments with single slashes, as MLflow's append_to_uri_path does for these cases. */
const appendToUri = (base: string, ...parts: string[]): string => {
  const trimmed = base.endsWith("/") ? base.slice(0, -1) : base;
  return [trimmed, ...parts].join("/");
};

/**
 * The rules of the tracking domain: validation with MLflow's limits and messages, lifecycle checks, run naming and
 * artifact locations. The store below it only persists; routes above it only translate HTTP.
 */
/** Statuses that end a run: its pending data digest is appended then. */
const TERMINAL_RUN_STATUSES: ReadonlySet<string> = new Set(["FINISHED", "FAILED", "KILLED"]);

export class TrackingService {
  private readonly clock: Clock;
  private readonly defaultArtifactRoot: string;
  private readonly random: RandomSource;
  private readonly audit: AuditRecorder;

  constructor(
    private readonly store: TrackingStore,
    options: TrackingServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.defaultArtifactRoot = options.defaultArtifactRoot;
    this.random = options.random ?? Math.random;
    this.audit = options.audit ?? noAudit;
  }

  /** A write and its audit event commit together: see AuditRecorder.atomically. */
  private atomic<T>(work: () => Promise<T>): Promise<T> {
    return atomically(this.audit, work);
  }

  // --- experiments ---

  async createExperiment(request: NewExperimentRequest, context: WriteContext): Promise<string> {
    return this.atomic(async () => {
      validateExperimentName(request.name);
      if (request.artifactLocation) validateArtifactLocation(request.artifactLocation);
      for (const tag of request.tags) validateExperimentTag(tag);
      const defaultArtifactLocation = (experimentId: string) => appendToUri(this.defaultArtifactRoot, experimentId);
      const experimentId = await this.store.createExperiment({
        name: request.name,
        ...(request.artifactLocation ? { artifactLocation: request.artifactLocation } : {}),
        defaultArtifactLocation,
        tags: request.tags,
        now: this.clock(),
      });
      await this.audit.record(context, {
        action: TrackingAction.EXPERIMENT_CREATE,
        entityType: "experiment",
        entityId: experimentId,
        after: {
          name: request.name,
          artifact_location: request.artifactLocation || defaultArtifactLocation(experimentId),
          tags: tagsObject(request.tags),
        },
      });
      return experimentId;
    });
  }

  /** Any lifecycle stage, as MLflow's get_experiment. */
  async getExperiment(experimentId: string): Promise<Experiment> {
    return findExperiment(this.store, experimentId);
  }

  async getExperimentByName(name: string): Promise<Experiment> {
    const experiment = await this.store.getExperimentByName(name);
    if (!experiment) throw notFound(`Could not find experiment with name '${name}'`);
    return experiment;
  }

  async searchExperiments(request: ExperimentSearchRequest): Promise<Page<Experiment>> {
    const maxResults = request.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT;
    validateExperimentsMaxResults(maxResults);
    return this.store.searchExperiments({
      viewType: request.viewType ?? "ACTIVE_ONLY",
      maxResults,
      ...(request.pageToken ? { pageToken: request.pageToken } : {}),
      filter: request.filter ? searchQueries.parseExperimentFilter(request.filter) : [],
      orderBy: searchQueries.parseExperimentOrderBy(request.orderBy),
    });
  }

  /** experiments/list, removed in MLflow 2.0 but still called by old clients: all experiments unless paged. */
  async listExperiments(viewType: ViewType | undefined, maxResults: number | undefined, pageToken: string | undefined) {
    return this.searchExperiments({
      ...(viewType ? { viewType } : {}),
      maxResults: maxResults ?? SEARCH_MAX_RESULTS_THRESHOLD,
      ...(pageToken ? { pageToken } : {}),
      orderBy: [],
    });
  }

  async renameExperiment(experimentId: string, newName: string, context: WriteContext): Promise<void> {
    return this.atomic(async () => {
      validateExperimentName(newName);
      const experiment = await this.getExperiment(experimentId);
      if (experiment.lifecycle_stage !== "active") throw invalidParameter("Cannot rename a non-active experiment.");
      await this.store.renameExperiment(experimentId, newName, this.clock());
      await this.audit.record(context, {
        action: TrackingAction.EXPERIMENT_RENAME,
        entityType: "experiment",
        entityId: experimentId,
        before: { name: experiment.name },
        after: { name: newName },
      });
    });
  }

  async deleteExperiment(experimentId: string, context: WriteContext): Promise<void> {
    return this.atomic(async () => {
      const experiment = await this.getExperiment(experimentId);
      // MLflow looks the experiment up among active ones only, so a second delete is "does not exist".
      if (experiment.lifecycle_stage !== "active") throw notFound(`No Experiment with id=${experimentId} exists`);
      await this.store.setExperimentLifecycle(experimentId, "deleted", this.clock());
      await this.recordLifecycle(context, TrackingAction.EXPERIMENT_DELETE, "experiment", experimentId, "active", "deleted");
    });
  }

  async restoreExperiment(experimentId: string, context: WriteContext): Promise<void> {
    return this.atomic(async () => {
      const experiment = await this.getExperiment(experimentId);
      if (experiment.lifecycle_stage !== "deleted") {
        throw invalidParameter(
          `The experiment ${experimentId} must be in the 'deleted' state. Current state is ${experiment.lifecycle_stage}.`,
        );
      }
      await this.store.setExperimentLifecycle(experimentId, "active", this.clock());
      await this.recordLifecycle(context, TrackingAction.EXPERIMENT_RESTORE, "experiment", experimentId, "deleted", "active");
    });
  }

  async setExperimentTag(experimentId: string, tag: ExperimentTag, context: WriteContext): Promise<void> {
    return this.atomic(async () => {
      validateExperimentTag(tag);
      const experiment = await this.requireActiveExperiment(experimentId);
      await this.store.setExperimentTag(experimentId, tag);
      const previous = experiment.tags.find((existing) => existing.key === tag.key);
      await this.audit.record(context, {
        action: TrackingAction.EXPERIMENT_TAG_SET,
        entityType: "experiment",
        entityId: experimentId,
        before: previous ? { key: previous.key, value: previous.value } : null,
        after: { key: tag.key, value: tag.value },
      });
    });
  }

  async deleteExperimentTag(experimentId: string, key: string, context: WriteContext): Promise<void> {
    return this.atomic(async () => {
      const experiment = await this.requireActiveExperiment(experimentId);
      await this.store.deleteExperimentTag(experimentId, key);
      const previous = experiment.tags.find((existing) => existing.key === key);
      await this.audit.record(context, {
        action: TrackingAction.EXPERIMENT_TAG_DELETE,
        entityType: "experiment",
        entityId: experimentId,
        before: { key, ...(previous ? { value: previous.value } : {}) },
        after: null,
      });
    });
  }

  private async recordLifecycle(
    context: WriteContext,
    action: string,
    entityType: "experiment" | "run",
    entityId: string,
    from: string,
    to: string,
  ): Promise<void> {
    await this.audit.record(context, {
      action,
      entityType,
      entityId,
      before: { lifecycle_stage: from },
      after: { lifecycle_stage: to },
    });
  }

  private async requireActiveExperiment(experimentId: string): Promise<Experiment> {
    const experiment = await this.getExperiment(experimentId);
    requireActive("experiment", experimentId, experiment.lifecycle_stage);
    return experiment;
  }

  // --- runs ---

  /** `request.userId` is the client's user_id, or the user it declared otherwise (the route resolves it). */
  async createRun(request: NewRunRequest, context: WriteContext): Promise<Run> {
    return this.atomic(async () => {
      const experimentId = request.experimentId || DEFAULT_EXPERIMENT_ID;
      for (const tag of request.tags) validateTag(tag);
      const experiment = await this.requireActiveExperiment(experimentId);
      const runNameTag = request.tags.find((tag) => tag.key === SystemTag.RUN_NAME)?.value;
      const runName = request.runName;
      if (runName && runNameTag && runName !== runNameTag) {
        throw invalidParameter(
          "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values " +
            `(run_name='${runName}', mlflow.runName='${runNameTag}').`,
        );
      }
      const resolvedName = runName || runNameTag || generateRunName(this.random);
      const tags = runNameTag ? request.tags : [...request.tags, { key: SystemTag.RUN_NAME, value: resolvedName }];
      const runId = newRunId();
      const run = await this.store.createRun({
        runId,
        experimentId,
        userId: request.userId || "",
        runName: resolvedName,
        status: "RUNNING",
        startTime: request.startTime ?? this.clock(),
        artifactUri: appendToUri(experiment.artifact_location, runId, "artifacts"),
        tags,
      });
      await this.audit.record(runWriteContext(context, run.info.user_id), {
        action: TrackingAction.RUN_CREATE,
        entityType: "run",
        entityId: runId,
        after: {
          experiment_id: experimentId,
          run_name: run.info.run_name,
          user_id: run.info.user_id,
          status: run.info.status,
          start_time: run.info.start_time,
          tags: tagsObject(tags),
        },
      });
      return run;
    });
  }

  async getRun(runId: string): Promise<Run> {
    validateRunId(runId);
    const run = await this.store.getRun(runId);
    if (!run) throw notFound(`Run with id=${runId} not found`);
    return run;
  }

  async getRunArtifactUri(runId: string): Promise<string> {
    return (await this.runInfo(runId)).artifact_uri;
  }

  private async runInfo(runId: string): Promise<RunInfo> {
    return findRunInfo(this.store, runId);
  }

  /** The one store read before every write: the run must exist and be active. */
  private async requireActiveRun(runId: string): Promise<RunInfo> {
    const info = await this.runInfo(runId);
    requireActive("run", runId, info.lifecycle_stage);
    return info;
  }

  async updateRun(runId: string, update: RunUpdateRequest, context: WriteContext): Promise<RunInfo> {
    return this.atomic(async () => {
      if (update.runName !== undefined && update.runName !== "") validateTag({ key: SystemTag.RUN_NAME, value: update.runName });
      const before = await this.requireActiveRun(runId);
      const after = await this.store.updateRun(runId, {
        ...(update.status !== undefined ? { status: update.status } : {}),
        ...(update.endTime !== undefined ? { endTime: update.endTime } : {}),
        // MLflow ignores an empty run_name (it is the proto default), so a rename needs a non-empty name.
        ...(update.runName ? { runName: update.runName } : {}),
      });
      const state = (info: RunInfo) => ({ status: info.status, end_time: info.end_time ?? null, run_name: info.run_name });
      // The run's final digest precedes the event that ends it.
      if (TERMINAL_RUN_STATUSES.has(after.status)) await this.audit.closeRunData?.(runId, "run_end");
      await this.audit.record(runWriteContext(context, before.user_id), {
        action: TrackingAction.RUN_UPDATE,
        entityType: "run",
        entityId: runId,
        before: state(before),
        after: state(after),
      });
      return after;
    });
  }

  async deleteRun(runId: string, context: WriteContext): Promise<void> {
    return this.atomic(async () => {
      const info = await this.runInfo(runId);
      await this.store.setRunLifecycle(runId, "deleted", this.clock());
      await this.audit.closeRunData?.(runId, "run_delete");
      const actor = runWriteContext(context, info.user_id);
      await this.recordLifecycle(actor, TrackingAction.RUN_DELETE, "run", runId, info.lifecycle_stage, "deleted");
    });
  }

  async restoreRun(runId: string, context: WriteContext): Promise<void> {
    return this.atomic(async () => {
      const info = await this.runInfo(runId);
      await this.store.setRunLifecycle(runId, "active", this.clock());
      const actor = runWriteContext(context, info.user_id);
      await this.recordLifecycle(actor, TrackingAction.RUN_RESTORE, "run", runId, info.lifecycle_stage, "active");
    });
  }

  async logMetric(runId: string, metric: Metric, context: WriteContext): Promise<void> {
    validateMetric(metric);
    validateMetricLinks(metric);
    const info = await this.requireActiveRun(runId);
    await this.writeBatch(info, { metrics: [metric], params: EMPTY_BATCH_LIST, tags: EMPTY_BATCH_LIST }, context);
  }

  async logParam(runId: string, param: Param, context: WriteContext): Promise<void> {
    validateParam(param);
    const info = await this.requireActiveRun(runId);
    await this.writeBatch(info, { metrics: EMPTY_BATCH_LIST, params: [param], tags: EMPTY_BATCH_LIST }, context);
  }

  async setTag(runId: string, tag: RunTag, context: WriteContext): Promise<void> {
    validateTag(tag);
    const info = await this.requireActiveRun(runId);
    await this.writeBatch(info, { metrics: EMPTY_BATCH_LIST, params: EMPTY_BATCH_LIST, tags: [tag] }, context);
  }

  async deleteTag(runId: string, key: string, context: WriteContext): Promise<void> {
    return this.atomic(async () => {
      validateTagKey(key);
      const info = await this.requireActiveRun(runId);
      await this.store.deleteTag(runId, key);
      await this.audit.record(runWriteContext(context, info.user_id), {
        action: TrackingAction.RUN_TAG_DELETE,
        entityType: "run",
        entityId: runId,
        before: { key },
        after: null,
      });
    });
  }

  /** Entities arrive already parsed; limits on counts were checked before parsing (see checkBatchCounts). */
  async logBatch(runId: string, batch: RunBatch, context: WriteContext): Promise<void> {
    validateBatchLimits(batch.metrics.length, batch.params.length, batch.tags.length);
    for (const metric of batch.metrics) {
      validateMetric(metric);
      if (metric.model_id !== undefined || metric.dataset_name !== undefined || metric.dataset_digest !== undefined) validateMetricLinks(metric);
    }
    for (const param of batch.params) validateParam(param);
    for (const tag of batch.tags) validateTag(tag);
    validateParamKeysUnique(batch.params);
    const info = await this.requireActiveRun(runId);
    if (batch.metrics.length + batch.params.length + batch.tags.length === 0) return;
    await this.writeBatch(info, batch, context);
  }

  /** The one write path of metrics, params and tags, audited through the run's data digest (see recordRunData). */
  private async writeBatch(info: RunInfo, batch: RunBatch, context: WriteContext): Promise<void> {
    const writeContext = runWriteContext(context, info.user_id);
    // SQLite: the write and its digest update as one synchronous unit (AuditRecorder.atomicallyNow), the hot path of
    // single log-metric requests; elsewhere an atomically() unit.
    const { atomicallyNow } = this.audit;
    const logBatchNow = this.store.logBatchNow?.bind(this.store);
    const digest = atomicallyNow && logBatchNow && this.audit.runDataInTransaction?.(writeContext, info.run_id, batch);
    if (atomicallyNow && logBatchNow && digest) {
      return atomicallyNow(() => {
        logBatchNow(info.run_id, batch);
        digest();
      });
    }
    return this.atomic(async () => {
      await this.store.logBatch(info.run_id, batch);
      // Summed into the run's pending digest (one event per N writes, T seconds and the run's end), not one event each.
      await recordRunData(this.audit, writeContext, info.run_id, batch, {
        action: TrackingAction.RUN_LOG_BATCH,
        entityType: "run",
        entityId: info.run_id,
        after: batchSummary(batch),
      });
    });
  }

  /** Appends the model's summary to the run's mlflow.log-model.history tag, as MLflow's record_logged_model. */
  async logModel(runId: string, modelJson: string, context: WriteContext): Promise<void> {
    return this.atomic(async () => {
      const summary = parseModelJson(modelJson);
      const run = await this.getRun(runId);
      requireActive("run", runId, run.info.lifecycle_stage);
      const previous = run.data.tags.find((tag) => tag.key === SystemTag.LOG_MODEL_HISTORY)?.value;
      const tag: KeyValue = { key: SystemTag.LOG_MODEL_HISTORY, value: appendModelHistory(previous, summary) };
      validateTag(tag);
      await this.store.logBatch(runId, { metrics: EMPTY_BATCH_LIST, params: EMPTY_BATCH_LIST, tags: [tag] });
      // The history tag grows with every model; the event names the model this call added.
      await this.audit.record(runWriteContext(context, run.info.user_id), {
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
    return this.atomic(async () => {
      validateDatasetInputs(datasets);
      if (models.length > MAX_MODEL_LINKS_PER_REQUEST) {
        throw invalidParameter(`A request may log at most ${MAX_MODEL_LINKS_PER_REQUEST} models; got ${models.length}.`);
      }
      for (const [index, model] of models.entries()) {
        if (!MODEL_INPUT_ID.test(model.model_id)) {
          throw invalidParameter(`Invalid value '${model.model_id.slice(0, 100)}' for parameter 'models[${index}].model_id' supplied.`);
        }
      }
      const info = await this.requireActiveRun(runId);
      if (datasets.length === 0 && models.length === 0) return;
      await this.store.logInputs(runId, datasets, models);
      await this.audit.record(runWriteContext(context, info.user_id), {
        action: TrackingAction.RUN_LOG_INPUTS,
        entityType: "run",
        entityId: runId,
        after: { ...inputsSummary(datasets), ...(models.length > 0 ? { models: models.map((model) => model.model_id) } : {}) },
      });
    });
  }

  async searchRuns(request: RunSearchRequest): Promise<Page<Run>> {
    const maxResults = request.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT;
    validateRunsMaxResults(maxResults);
    const filter = request.filter ? searchQueries.parseRunFilter(request.filter) : undefined;
    return this.store.searchRuns({
      experimentIds: request.experimentIds,
      ...(filter ? { filter } : {}),
      orderBy: searchQueries.parseRunOrderBy(request.orderBy),
      viewType: request.viewType ?? "ACTIVE_ONLY",
      maxResults,
      ...(request.pageToken ? { pageToken: request.pageToken } : {}),
    });
  }

  async getMetricHistory(runId: string, metricKey: string, maxResults?: number, pageToken?: string): Promise<Page<Metric>> {
    if (maxResults !== undefined && maxResults < 1) {
      throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
    }
    await this.runInfo(runId);
    return this.store.getMetricHistory(runId, metricKey, {
      // Without max_results MLflow returns the whole history in one answer.
      maxResults: maxResults ?? Number.MAX_SAFE_INTEGER,
      ...(pageToken ? { pageToken } : {}),
    });
  }

  async getMetricHistoryBulkInterval(request: BulkIntervalRequest): Promise<MetricWithRunId[]> {
    for (const runId of request.runIds) validateRunId(runId);
    if (request.range && request.range.startStep > request.range.endStep) {
      throw invalidParameter(
        "end_step must be greater than start_step. " +
          `Found start_step=${request.range.startStep} and end_step=${request.range.endStep}.`,
      );
    }
    // Sampled by the store, in the database: only the sampled rows are read, whatever the histories' length.
    const sampled = await this.store.getSampledMetricHistory({
      runIds: [...new Set(request.runIds)],
      key: request.metricKey,
      maxResults: request.maxResults,
      ...(request.range ? { range: request.range } : {}),
    });
    return orderSampledHistory(request.runIds, sampled);
  }
}

