/** Cairn's public API: the SDK client, its errors and options, and the MLflow wire types it speaks. */
export { CairnClient, type CairnClientOptions, type StartRunOptions } from "./sdk/client.js";
export { ActiveRun, RunLogError, type ActiveRunOptions } from "./sdk/active-run.js";
export { CairnApiError, CairnConnectionError } from "./sdk/errors.js";
export type { RetryOptions } from "./sdk/retry.js";
export { ExperimentsApi, type CreateExperimentRequest, type SearchExperimentsRequest } from "./sdk/experiments-api.js";
export {
  RunsApi,
  type CreateRunRequest,
  type LogBatchRequest,
  type MetricHistoryBulkIntervalRequest,
  type MetricOptions,
  type SearchRunsRequest,
  type UpdateRunRequest,
} from "./sdk/runs-api.js";
export { ArtifactsApi, type ArtifactListing } from "./sdk/artifacts-api.js";
export { BATCH_LIMITS } from "./sdk/log-buffer.js";
export type { Page } from "./sdk/paging.js";
export type {
  Dataset,
  DatasetInput,
  Experiment,
  ExperimentTag,
  FileInfo,
  InputTag,
  KeyValue,
  LifecycleStage,
  Metric,
  MetricWithRunId,
  Param,
  Run,
  RunData,
  RunInfo,
  RunInputs,
  RunStatus,
  RunTag,
  ViewType,
} from "./protocol/mlflow/entities.js";
export { RUN_STATUSES, VIEW_TYPES, SystemTag, DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME } from "./protocol/mlflow/entities.js";
