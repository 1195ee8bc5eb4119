import type { WriteContext } from "../core/actor.js";
import { systemClock, type Clock } from "../core/clock.js";
import { noAudit, type AuditRecorder } from "../audit/recorder.js";
import type {
  DatasetInput,
  Experiment,
  ExperimentTag,
  Metric,
  MetricWithRunId,
  Param,
  Run,
  RunInfo,
  RunTag,
  ViewType,
} from "../protocol/mlflow/entities.js";
import type { ModelInput } from "../protocol/mlflow/logged-model-entities.js";
import { Experiments, type ExperimentSearchRequest, type NewExperimentRequest } from "./experiments.js";
import { MetricHistory, type BulkIntervalRequest } from "./metric-history.js";
import { RunData } from "./run-data.js";
import type { RandomSource } from "./run-names.js";
import { Runs, type NewRunRequest, type RunSearchRequest, type RunUpdateRequest } from "./runs.js";
import type { Page, RunBatch, TrackingStore } from "./store.js";
import { TrackingWrites } from "./tracking-writes.js";

export interface TrackingServiceOptions {
  clock?: Clock;
  /** Root under which experiments without an explicit artifact_location live, e.g. "mlflow-artifacts:". */
  defaultArtifactRoot: string;
  /** Random source for generated run names. */
  random?: RandomSource;
  /** Where every successful write is reported (default: nowhere). */
  audit?: AuditRecorder;
}

/**
 * The tracking domain as routes, compose, other services and tests see it: MLflow's tracking rules (validation with
 * its limits and messages, lifecycle checks, run naming, artifact locations) as one object over its parts, each one
 * concept (experiments.ts, runs.ts, run-data.ts, metric-history.ts), which share the store, the lookups, the clock
 * and the audit trail through TrackingWrites. The store below only persists; routes above only translate HTTP.
 */
export class TrackingService {
  private readonly experiments: Experiments;
  private readonly runs: Runs;
  private readonly runData: RunData;
  private readonly metricHistory: MetricHistory;

  constructor(store: TrackingStore, options: TrackingServiceOptions) {
    const writes = new TrackingWrites(store, options.audit ?? noAudit, options.clock ?? systemClock);
    this.experiments = new Experiments(writes, options.defaultArtifactRoot);
    this.runs = new Runs(writes, options.random ?? Math.random);
    this.runData = new RunData(writes);
    this.metricHistory = new MetricHistory(writes);
  }

  // --- experiments ---

  createExperiment(request: NewExperimentRequest, context: WriteContext): Promise<string> {
    return this.experiments.create(request, context);
  }

  /** Any lifecycle stage, as MLflow's get_experiment. */
  getExperiment(experimentId: string): Promise<Experiment> {
    return this.experiments.get(experimentId);
  }

  getExperimentByName(name: string): Promise<Experiment> {
    return this.experiments.getByName(name);
  }

  searchExperiments(request: ExperimentSearchRequest): Promise<Page<Experiment>> {
    return this.experiments.search(request);
  }

  /** experiments/list, removed in MLflow 2.0 but still called by old clients: all experiments unless paged. */
  listExperiments(viewType: ViewType | undefined, maxResults: number | undefined, pageToken: string | undefined): Promise<Page<Experiment>> {
    return this.experiments.list(viewType, maxResults, pageToken);
  }

  renameExperiment(experimentId: string, newName: string, context: WriteContext): Promise<void> {
    return this.experiments.rename(experimentId, newName, context);
  }

  deleteExperiment(experimentId: string, context: WriteContext): Promise<void> {
    return this.experiments.delete(experimentId, context);
  }

  restoreExperiment(experimentId: string, context: WriteContext): Promise<void> {
    return this.experiments.restore(experimentId, context);
  }

  setExperimentTag(experimentId: string, tag: ExperimentTag, context: WriteContext): Promise<void> {
    return this.experiments.setTag(experimentId, tag, context);
  }

  deleteExperimentTag(experimentId: string, key: string, context: WriteContext): Promise<void> {
    return this.experiments.deleteTag(experimentId, key, context);
  }

  // --- runs ---

  /** `request.userId` is the client's user_id, or the user it declared otherwise (the route resolves it). */
  createRun(request: NewRunRequest, context: WriteContext): Promise<Run> {
    return this.runs.create(request, context);
  }

  getRun(runId: string): Promise<Run> {
    return this.runs.get(runId);
  }

  getRunArtifactUri(runId: string): Promise<string> {
    return this.runs.artifactUri(runId);
  }

  updateRun(runId: string, update: RunUpdateRequest, context: WriteContext): Promise<RunInfo> {
    return this.runs.update(runId, update, context);
  }

  deleteRun(runId: string, context: WriteContext): Promise<void> {
    return this.runs.delete(runId, context);
  }

  restoreRun(runId: string, context: WriteContext): Promise<void> {
    return this.runs.restore(runId, context);
  }

  searchRuns(request: RunSearchRequest): Promise<Page<Run>> {
    return this.runs.search(request);
  }

  // --- what is logged into a run ---

  logMetric(runId: string, metric: Metric, context: WriteContext): Promise<void> {
    return this.runData.logMetric(runId, metric, context);
  }

  logParam(runId: string, param: Param, context: WriteContext): Promise<void> {
    return this.runData.logParam(runId, param, context);
  }

  setTag(runId: string, tag: RunTag, context: WriteContext): Promise<void> {
    return this.runData.setTag(runId, tag, context);
  }

  deleteTag(runId: string, key: string, context: WriteContext): Promise<void> {
    return this.runData.deleteTag(runId, key, context);
  }

  /** Entities arrive already parsed; the route checked their counts before parsing them (run-routes.ts, validateBatchLimits). */
  logBatch(runId: string, batch: RunBatch, context: WriteContext): Promise<void> {
    return this.runData.logBatch(runId, batch, context);
  }

  /** Appends the model's summary to the run's mlflow.log-model.history tag, as MLflow's record_logged_model. */
  logModel(runId: string, modelJson: string, context: WriteContext): Promise<void> {
    return this.runData.logModel(runId, modelJson, context);
  }

  logInputs(runId: string, datasets: DatasetInput[], context: WriteContext, models: readonly ModelInput[] = []): Promise<void> {
    return this.runData.logInputs(runId, datasets, context, models);
  }

  // --- metric history ---

  getMetricHistory(runId: string, metricKey: string, maxResults?: number, pageToken?: string): Promise<Page<Metric>> {
    return this.metricHistory.ofRun(runId, metricKey, maxResults, pageToken);
  }

  getMetricHistoryBulkInterval(request: BulkIntervalRequest): Promise<MetricWithRunId[]> {
    return this.metricHistory.bulkInterval(request);
  }
}
