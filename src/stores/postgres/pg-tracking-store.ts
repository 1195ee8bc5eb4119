import type { DatasetInput, Experiment, ExperimentTag, LifecycleStage, Metric, MetricWithRunId, Run, RunInfo } from "../../protocol/mlflow/entities.js";
import type { ModelInput, ModelOutput } from "../../protocol/mlflow/logged-model-entities.js";
import type {
  DatasetUsage,
  ExperimentSearch,
  MetricHistoryRange,
  NewExperiment,
  NewRun,
  Page,
  PageRequest,
  RunBatch,
  RunSearch,
  RunUpdate,
  SampledMetricHistoryQuery,
  TrackingStore,
} from "../../tracking/store.js";
import { findPgRunsByDataset, listPgDatasetSources } from "./pg-dataset-usage.js";
import type { PgDatabase } from "./pg-database.js";
import * as experiments from "./pg-experiments.js";
import { logPgBatch } from "./pg-log-batch.js";
import { getPgSampledMetricHistory } from "./pg-metric-sampling.js";
import * as queries from "./pg-run-queries.js";
import * as runs from "./pg-runs.js";

/**
 * The TrackingStore on PostgreSQL, over the process's shared PgDatabase. Several server processes may share the
 * database: every read-modify-write is one transaction that either locks what it read (FOR UPDATE / FOR SHARE) or is
 * a single INSERT ... ON CONFLICT, so the rules SQLite's single writer enforced hold across processes.
 * The database is closed by the factory's close() (one pool shared by every store), not here.
 */
export class PgTrackingStore implements TrackingStore {
  constructor(private readonly db: PgDatabase) {}

  ensureDefaultExperiment(artifactLocation: string, now: number): Promise<void> {
    return experiments.ensurePgDefaultExperiment(this.db, artifactLocation, now);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  createExperiment(input: NewExperiment): Promise<string> {
    return experiments.createPgExperiment(this.db, input);
  }

  getExperiment(experimentId: string): Promise<Experiment | undefined> {
    return experiments.getPgExperiment(this.db, experimentId);
  }

  getExperimentByName(name: string): Promise<Experiment | undefined> {
    return experiments.getPgExperimentByName(this.db, name);
  }

  searchExperiments(query: ExperimentSearch): Promise<Page<Experiment>> {
    return experiments.searchPgExperiments(this.db, query);
  }

  renameExperiment(experimentId: string, newName: string, now: number): Promise<void> {
    return experiments.renamePgExperiment(this.db, experimentId, newName, now);
  }

  setExperimentLifecycle(experimentId: string, stage: LifecycleStage, now: number): Promise<void> {
    return experiments.setPgExperimentLifecycle(this.db, experimentId, stage, now);
  }

  setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    return experiments.setPgExperimentTag(this.db, experimentId, tag);
  }

  deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return experiments.deletePgExperimentTag(this.db, experimentId, key);
  }

  createRun(input: NewRun): Promise<Run> {
    return runs.createPgRun(this.db, input);
  }

  getRun(runId: string): Promise<Run | undefined> {
    return runs.getPgRun(this.db, runId);
  }

  getRunInfo(runId: string): Promise<RunInfo | undefined> {
    return runs.getPgRunInfo(this.db, runId);
  }

  updateRun(runId: string, update: RunUpdate): Promise<RunInfo> {
    return runs.updatePgRun(this.db, runId, update);
  }

  setRunLifecycle(runId: string, stage: LifecycleStage, now: number): Promise<void> {
    return runs.setPgRunLifecycle(this.db, runId, stage, now);
  }

  logBatch(runId: string, batch: RunBatch): Promise<void> {
    return logPgBatch(this.db, runId, batch);
  }

  deleteTag(runId: string, key: string): Promise<void> {
    return runs.deletePgTag(this.db, runId, key);
  }

  logInputs(runId: string, inputs: DatasetInput[], models: readonly ModelInput[] = []): Promise<void> {
    return runs.logPgInputs(this.db, runId, inputs, models);
  }

  logOutputs(runId: string, outputs: readonly ModelOutput[]): Promise<void> {
    return runs.logPgOutputs(this.db, runId, outputs);
  }

  getMetricHistory(runId: string, key: string, page: PageRequest): Promise<Page<Metric>> {
    return queries.getPgMetricHistory(this.db, runId, key, page);
  }

  getMetricHistoryForRuns(query: MetricHistoryRange): Promise<MetricWithRunId[]> {
    return queries.getPgMetricHistoryForRuns(this.db, query);
  }

  getSampledMetricHistory(query: SampledMetricHistoryQuery): Promise<MetricWithRunId[]> {
    return getPgSampledMetricHistory(this.db, query);
  }

  searchRuns(query: RunSearch): Promise<Page<Run>> {
    return queries.searchPgRuns(this.db, query);
  }

  findRunsByDataset(name: string, digest?: string): Promise<DatasetUsage[]> {
    return findPgRunsByDataset(this.db, name, digest);
  }

  listDatasetSources(sourceType: string, limit: number, after?: string): Promise<string[]> {
    return listPgDatasetSources(this.db, sourceType, limit, after);
  }
}
