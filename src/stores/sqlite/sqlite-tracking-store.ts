import type { Database } from "better-sqlite3";
import type {
  DatasetInput,
  Experiment,
  ExperimentTag,
  LifecycleStage,
  Metric,
  MetricWithRunId,
  Run,
  RunInfo,
} from "../../protocol/mlflow/entities.js";
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
import { findRunsByDataset, listDatasetSources } from "./dataset-usage.js";
import * as experiments from "./experiments.js";
import { logBatch } from "./log-batch.js";
import { getSampledMetricHistory } from "./metric-sampling.js";
import * as queries from "./run-queries.js";
import * as runs from "./runs.js";
import { SqliteConnection } from "./statement-cache.js";

/**
 * The TrackingStore over one better-sqlite3 connection. better-sqlite3 is synchronous: each call runs to completion
 * on the event loop, which serialises writers within the process for free; other processes wait on busy_timeout.
 */
export class SqliteTrackingStore implements TrackingStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db);
  }

  /** The raw connection, for SQLite-only tests and tools. */
  get database(): Database {
    return this.conn.db;
  }

  ensureDefaultExperiment(artifactLocation: string, now: number): void {
    experiments.ensureDefaultExperiment(this.conn, artifactLocation, now);
  }

  async close(): Promise<void> {
    if (!this.conn.db.open) return;
    this.conn.db.pragma("optimize");
    this.conn.db.close();
  }

  async createExperiment(input: NewExperiment): Promise<string> {
    return experiments.createExperiment(this.conn, input);
  }

  async getExperiment(experimentId: string): Promise<Experiment | undefined> {
    return experiments.getExperiment(this.conn, experimentId);
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    return experiments.getExperimentByName(this.conn, name);
  }

  async searchExperiments(query: ExperimentSearch): Promise<Page<Experiment>> {
    return experiments.searchExperiments(this.conn, query);
  }

  async renameExperiment(experimentId: string, newName: string, now: number): Promise<void> {
    experiments.renameExperiment(this.conn, experimentId, newName, now);
  }

  async setExperimentLifecycle(experimentId: string, stage: LifecycleStage, now: number): Promise<void> {
    experiments.setExperimentLifecycle(this.conn, experimentId, stage, now);
  }

  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    experiments.setExperimentTag(this.conn, experimentId, tag);
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    experiments.deleteExperimentTag(this.conn, experimentId, key);
  }

  async createRun(input: NewRun): Promise<Run> {
    return runs.createRun(this.conn, input);
  }

  async getRun(runId: string): Promise<Run | undefined> {
    return runs.getRun(this.conn, runId);
  }

  async getRunInfo(runId: string): Promise<RunInfo | undefined> {
    return runs.getRunInfo(this.conn, runId);
  }

  async updateRun(runId: string, update: RunUpdate): Promise<RunInfo> {
    return runs.updateRun(this.conn, runId, update);
  }

  async setRunLifecycle(runId: string, stage: LifecycleStage, now: number): Promise<void> {
    runs.setRunLifecycle(this.conn, runId, stage, now);
  }

  async logBatch(runId: string, batch: RunBatch): Promise<void> {
    logBatch(this.conn, runId, batch);
  }

  logBatchNow(runId: string, batch: RunBatch): void {
    logBatch(this.conn, runId, batch);
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    runs.deleteTag(this.conn, runId, key);
  }

  async logInputs(runId: string, inputs: DatasetInput[], models: readonly ModelInput[] = []): Promise<void> {
    runs.logInputs(this.conn, runId, inputs, models);
  }

  async logOutputs(runId: string, outputs: readonly ModelOutput[]): Promise<void> {
    runs.logOutputs(this.conn, runId, outputs);
  }

  async getMetricHistory(runId: string, key: string, page: PageRequest): Promise<Page<Metric>> {
    return queries.getMetricHistory(this.conn, runId, key, page);
  }

  async getMetricHistoryForRuns(query: MetricHistoryRange): Promise<MetricWithRunId[]> {
    return queries.getMetricHistoryForRuns(this.conn, query);
  }

  async getSampledMetricHistory(query: SampledMetricHistoryQuery): Promise<MetricWithRunId[]> {
    return getSampledMetricHistory(this.conn, query);
  }

  async searchRuns(query: RunSearch): Promise<Page<Run>> {
    return queries.searchRuns(this.conn, query);
  }

  async findRunsByDataset(name: string, digest?: string): Promise<DatasetUsage[]> {
    return findRunsByDataset(this.conn, name, digest);
  }

  async listDatasetSources(sourceType: string, limit: number, after?: string): Promise<string[]> {
    return listDatasetSources(this.conn, sourceType, limit, after);
  }
}
