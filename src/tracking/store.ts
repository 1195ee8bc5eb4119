import type {
  DatasetInput,
  Experiment,
  ExperimentTag,
  LifecycleStage,
  Metric,
  MetricWithRunId,
  Param,
  Run,
  RunInfo,
  RunStatus,
  RunTag,
  ViewType,
} from "../protocol/mlflow/entities.js";
import type { ModelInput, ModelOutput } from "../protocol/mlflow/logged-model-entities.js";
import type { FilterExpression, OrderByClause } from "./search/ast.js";

/**
 * The metadata store of the tracking domain. Every backend (SQLite now, PostgreSQL later) implements it and passes
 * the shared contract suite in store.contract.ts. The service has already validated every input (lengths, names,
 * limits); the store enforces only what needs atomicity: uniqueness and write-once params.
 *
 * Errors are CairnErrors: RESOURCE_DOES_NOT_EXIST for a missing experiment/run, RESOURCE_ALREADY_EXISTS for a
 * duplicate experiment name, INVALID_PARAMETER_VALUE when a param would change value.
 */
export interface TrackingStore {
  close(): Promise<void>;

  // --- experiments ---
  /** Creates an experiment; its artifact_location is `artifactLocation`, or `defaultArtifactLocation(id)`. */
  createExperiment(input: NewExperiment): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment | undefined>;
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(query: ExperimentSearch): Promise<Page<Experiment>>;
  renameExperiment(experimentId: string, newName: string, now: number): Promise<void>;
  /** Deleting an experiment also marks its runs deleted, restoring restores them (MLflow's semantics). */
  setExperimentLifecycle(experimentId: string, stage: LifecycleStage, now: number): Promise<void>;
  setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  // --- runs ---
  createRun(input: NewRun): Promise<Run>;
  getRun(runId: string): Promise<Run | undefined>;
  /** Cheap lookup used before every write. */
  getRunInfo(runId: string): Promise<RunInfo | undefined>;
  updateRun(runId: string, update: RunUpdate): Promise<RunInfo>;
  setRunLifecycle(runId: string, stage: LifecycleStage, now: number): Promise<void>;
  /**
   * Logs metrics, params and tags atomically. Identical metric rows already stored are skipped (so a retried
   * batch is idempotent); the latest value per key is kept up to date (highest step, then timestamp, then value).
   * A param that exists with a different value fails the whole batch with INVALID_PARAMETER_VALUE.
   * Setting the `mlflow.runName` tag also renames the run.
   * A metric with a model_id is also the logged model's metric (latest per key and dataset, by timestamp then
   * step); a model_id that names no active model fails the whole batch with RESOURCE_DOES_NOT_EXIST.
   */
  logBatch(runId: string, batch: RunBatch): Promise<void>;
  /**
   * logBatch as a synchronous call, for a backend whose writes are synchronous (SQLite): so that a log-metric can run
   * in a synchronous audited unit (AuditRecorder.atomicallyNow) without any async context.
   */
  logBatchNow?(runId: string, batch: RunBatch): void;
  deleteTag(runId: string, key: string): Promise<void>;
  /**
   * Datasets are deduplicated per experiment by (name, digest); inputs per run by dataset. `models` (MLflow 3's
   * ModelInput) are linked once per run and model id.
   */
  logInputs(runId: string, inputs: DatasetInput[], models?: readonly ModelInput[]): Promise<void>;
  /** MLflow 3's runs/outputs: links the run to the logged models it produced, once per (model id, step). */
  logOutputs(runId: string, outputs: readonly ModelOutput[]): Promise<void>;
  /** Full history of one metric, ordered by step, then timestamp. */
  getMetricHistory(runId: string, key: string, page: PageRequest): Promise<Page<Metric>>;
  /** Metric values of several runs whose step lies in [startStep, endStep], ordered by run, step, timestamp. */
  getMetricHistoryForRuns(query: MetricHistoryRange): Promise<MetricWithRunId[]>;
  /**
   * metrics/get-history-bulk-interval's sample (MLflow's rule, src/tracking/metric-sampling.ts), computed in the
   * database: the values of the sampled steps of the distinct `runIds`, ordered by run id, step, timestamp, value.
   * Only the sampled rows reach JavaScript, whatever the length of the histories.
   */
  getSampledMetricHistory(query: SampledMetricHistoryQuery): Promise<MetricWithRunId[]>;
  searchRuns(query: RunSearch): Promise<Page<Run>>;
  /**
   * Active runs (of any experiment) that logged the dataset named `name` (with this digest, when given), oldest
   * first; one entry per run and dataset digest, with the context of the use (the mlflow.data.context input tag).
   * For the reverse lineage view of a dataset.
   */
  findRunsByDataset(name: string, digest?: string): Promise<DatasetUsage[]>;
  /**
   * The distinct `source` values of every logged dataset of this source type (any experiment, any run, deleted runs
   * included: they can be restored), sorted by code unit, at most `limit` of them after `after` (keyset paging, so
   * that rows added while a caller pages never make it skip one). For data GC: which data versions runs recorded.
   */
  listDatasetSources(sourceType: string, limit: number, after?: string): Promise<string[]>;
}

export interface DatasetUsage {
  run: RunInfo;
  context?: string;
}

export interface PageRequest {
  maxResults: number;
  /** Opaque token from a previous Page; absent for the first page. */
  pageToken?: string;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export interface NewExperiment {
  name: string;
  artifactLocation?: string;
  defaultArtifactLocation: (experimentId: string) => string;
  tags: ExperimentTag[];
  now: number;
}

export interface ExperimentSearch extends PageRequest {
  viewType: ViewType;
  /** Parsed experiment filter: comparisons on attribute name/creation_time/last_update_time and tags, ANDed. */
  filter: ExperimentFilter[];
  orderBy: ExperimentOrderBy[];
}

export interface ExperimentFilter {
  /** "attribute" keys: name, creation_time, last_update_time. */
  entity: "attribute" | "tag";
  key: string;
  comparator: "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE";
  value: string | number;
}

export interface ExperimentOrderBy {
  /** experiment_id, name, creation_time, last_update_time */
  key: "experiment_id" | "name" | "creation_time" | "last_update_time";
  ascending: boolean;
}

export interface NewRun {
  runId: string;
  experimentId: string;
  userId: string;
  runName: string;
  status: RunStatus;
  startTime: number;
  artifactUri: string;
  tags: RunTag[];
}

export interface RunUpdate {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

export interface RunBatch {
  metrics: Metric[];
  params: Param[];
  tags: RunTag[];
}

export interface SampledMetricHistoryQuery {
  runIds: string[];
  key: string;
  /** Steps to sample (besides each run's first and last step in range). */
  maxResults: number;
  /** Absent: from step 0 to the highest step of any of the runs. */
  range?: { startStep: number; endStep: number };
}

export interface MetricHistoryRange {
  runIds: string[];
  key: string;
  startStep: number;
  endStep: number;
}

export interface RunSearch extends PageRequest {
  experimentIds: string[];
  filter?: FilterExpression;
  orderBy: OrderByClause[];
  viewType: ViewType;
}
