import { systemClock, type Clock } from "../core/clock.js";
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
import { sampleMetricHistory } from "./metric-sampling.js";
import { generateRunName, type RandomSource } from "./run-names.js";
import { parseModelJson, appendModelHistory } from "./logged-model.js";
import { searchQueries } from "./search-queries.js";
import type { Page, RunBatch, TrackingStore } from "./store.js";
import {
  SEARCH_MAX_RESULTS_DEFAULT,
  SEARCH_MAX_RESULTS_THRESHOLD,
  validateArtifactLocation,
  validateBatchLimits,
  validateDatasetInputs,
  validateExperimentId,
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

const NUMERIC_ID = /^\d{1,19}$/;
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
export class TrackingService {
  private readonly clock: Clock;
  private readonly defaultArtifactRoot: string;
  private readonly random: RandomSource;

  constructor(
    private readonly store: TrackingStore,
    options: TrackingServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.defaultArtifactRoot = options.defaultArtifactRoot;
    this.random = options.random ?? Math.random;
  }

  // --- experiments ---

  async createExperiment(request: NewExperimentRequest): Promise<string> {
    validateExperimentName(request.name);
    if (request.artifactLocation) validateArtifactLocation(request.artifactLocation);
    for (const tag of request.tags) validateExperimentTag(tag);
    return this.store.createExperiment({
      name: request.name,
      ...(request.artifactLocation ? { artifactLocation: request.artifactLocation } : {}),
      defaultArtifactLocation: (experimentId) => appendToUri(this.defaultArtifactRoot, experimentId),
      tags: request.tags,
      now: this.clock(),
    });
  }

  /** Any lifecycle stage, as MLflow's get_experiment. */
  async getExperiment(experimentId: string): Promise<Experiment> {
    validateExperimentId(experimentId);
    // Cairn's ids are integers; anything else cannot exist, and must not reach a store that parses ids.
    const experiment = NUMERIC_ID.test(experimentId) ? await this.store.getExperiment(experimentId) : undefined;
    if (!experiment) throw notFound(`No Experiment with id=${experimentId} exists`);
    return experiment;
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

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    validateExperimentName(newName);
    const experiment = await this.getExperiment(experimentId);
    if (experiment.lifecycle_stage !== "active") throw invalidParameter("Cannot rename a non-active experiment.");
    await this.store.renameExperiment(experimentId, newName, this.clock());
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    const experiment = await this.getExperiment(experimentId);
    // MLflow looks the experiment up among active ones only, so a second delete is "does not exist".
    if (experiment.lifecycle_stage !== "active") throw notFound(`No Experiment with id=${experimentId} exists`);
    await this.store.setExperimentLifecycle(experimentId, "deleted", this.clock());
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    const experiment = await this.getExperiment(experimentId);
    if (experiment.lifecycle_stage !== "deleted") {
      throw invalidParameter(
        `The experiment ${experimentId} must be in the 'deleted' state. Current state is ${experiment.lifecycle_stage}.`,
      );
    }
    await this.store.setExperimentLifecycle(experimentId, "active", this.clock());
  }

  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    validateExperimentTag(tag);
    await this.requireActiveExperiment(experimentId);
    await this.store.setExperimentTag(experimentId, tag);
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.requireActiveExperiment(experimentId);
    await this.store.deleteExperimentTag(experimentId, key);
  }

  private async requireActiveExperiment(experimentId: string): Promise<Experiment> {
    const experiment = await this.getExperiment(experimentId);
    if (experiment.lifecycle_stage !== "active") {
      throw invalidParameter(
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
      );
    }
    return experiment;
  }

  // --- runs ---

  async createRun(request: NewRunRequest, declaredUser?: string): Promise<Run> {
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
    return this.store.createRun({
      runId,
      experimentId,
      userId: request.userId || declaredUser || "",
      runName: resolvedName,
      status: "RUNNING",
      startTime: request.startTime ?? this.clock(),
      artifactUri: appendToUri(experiment.artifact_location, runId, "artifacts"),
      tags,
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
    validateRunId(runId);
    const info = await this.store.getRunInfo(runId);
    if (!info) throw notFound(`Run with id=${runId} not found`);
    return info;
  }

  /** The one store read before every write: the run must exist and be active. */
  private async requireActiveRun(runId: string): Promise<RunInfo> {
    const info = await this.runInfo(runId);
    if (info.lifecycle_stage !== "active") {
      throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${info.lifecycle_stage}.`);
    }
    return info;
  }

  async updateRun(runId: string, update: RunUpdateRequest): Promise<RunInfo> {
    if (update.runName !== undefined && update.runName !== "") validateTag({ key: SystemTag.RUN_NAME, value: update.runName });
    await this.requireActiveRun(runId);
    return this.store.updateRun(runId, {
      ...(update.status !== undefined ? { status: update.status } : {}),
      ...(update.endTime !== undefined ? { endTime: update.endTime } : {}),
      // MLflow ignores an empty run_name (it is the proto default), so a rename needs a non-empty name.
      ...(update.runName ? { runName: update.runName } : {}),
    });
  }

  async deleteRun(runId: string): Promise<void> {
    await this.runInfo(runId);
    await this.store.setRunLifecycle(runId, "deleted", this.clock());
  }

  async restoreRun(runId: string): Promise<void> {
    await this.runInfo(runId);
    await this.store.setRunLifecycle(runId, "active", this.clock());
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    validateMetric(metric);
    await this.requireActiveRun(runId);
    await this.store.logBatch(runId, { metrics: [metric], params: EMPTY_BATCH_LIST, tags: EMPTY_BATCH_LIST });
  }

  async logParam(runId: string, param: Param): Promise<void> {
    validateParam(param);
    await this.requireActiveRun(runId);
    await this.store.logBatch(runId, { metrics: EMPTY_BATCH_LIST, params: [param], tags: EMPTY_BATCH_LIST });
  }

  async setTag(runId: string, tag: RunTag): Promise<void> {
    validateTag(tag);
    await this.requireActiveRun(runId);
    await this.store.logBatch(runId, { metrics: EMPTY_BATCH_LIST, params: EMPTY_BATCH_LIST, tags: [tag] });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    validateTagKey(key);
    await this.requireActiveRun(runId);
    await this.store.deleteTag(runId, key);
  }

  /** Entities arrive already parsed; limits on counts were checked before parsing (see checkBatchCounts). */
  async logBatch(runId: string, batch: RunBatch): Promise<void> {
    validateBatchLimits(batch.metrics.length, batch.params.length, batch.tags.length);
    for (const metric of batch.metrics) validateMetric(metric);
    for (const param of batch.params) validateParam(param);
    for (const tag of batch.tags) validateTag(tag);
    validateParamKeysUnique(batch.params);
    await this.requireActiveRun(runId);
    if (batch.metrics.length + batch.params.length + batch.tags.length === 0) return;
    await this.store.logBatch(runId, batch);
  }

  /** Appends the model's summary to the run's mlflow.log-model.history tag, as MLflow's record_logged_model. */
  async logModel(runId: string, modelJson: string): Promise<void> {
    const summary = parseModelJson(modelJson);
    const run = await this.getRun(runId);
    if (run.info.lifecycle_stage !== "active") {
      throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${run.info.lifecycle_stage}.`);
    }
    const previous = run.data.tags.find((tag) => tag.key === SystemTag.LOG_MODEL_HISTORY)?.value;
    const tag: KeyValue = { key: SystemTag.LOG_MODEL_HISTORY, value: appendModelHistory(previous, summary) };
    validateTag(tag);
    await this.store.logBatch(runId, { metrics: EMPTY_BATCH_LIST, params: EMPTY_BATCH_LIST, tags: [tag] });
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    validateDatasetInputs(datasets);
    await this.requireActiveRun(runId);
    if (datasets.length > 0) await this.store.logInputs(runId, datasets);
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
    // Min and max steps of every run count even outside the range, so read the whole history once.
    const history = await this.store.getMetricHistoryForRuns({
      runIds: [...new Set(request.runIds)],
      key: request.metricKey,
      startStep: Number.MIN_SAFE_INTEGER,
      endStep: Number.MAX_SAFE_INTEGER,
    });
    return sampleMetricHistory(request.runIds, history, request.maxResults, request.range);
  }
}

