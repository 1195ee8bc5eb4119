/**
 * MLflow tracking entities exactly as they travel on the wire (service.proto field names, snake_case).
 * The domain uses these shapes too, so a stored row turns into a response without a mapping layer.
 * int64 fields are JS numbers (safe up to 2^53, far beyond any millisecond timestamp or step in practice).
 * Metric values may be NaN or +-Infinity in memory; the JSON codec writes them as MLflow does ("NaN", "Infinity").
 */

import type { ModelInput, ModelOutput } from "./logged-model-entities.js";

export type LifecycleStage = "active" | "deleted";
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
export const RUN_STATUSES: readonly RunStatus[] = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];

export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
export const VIEW_TYPES: readonly ViewType[] = ["ACTIVE_ONLY", "DELETED_ONLY", "ALL"];

export interface KeyValue {
  key: string;
  value: string;
}
export type ExperimentTag = KeyValue;
export type RunTag = KeyValue;
export type Param = KeyValue;
export type InputTag = KeyValue;

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  last_update_time: number;
  creation_time: number;
  tags: ExperimentTag[];
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  /**
   * MLflow 3: the logged model and the dataset a metric is about (LogMetric, LogBatch). Kept on the metric rows of
   * the model (LoggedModel.data.metrics); the run's own metric answers (runs/get, get-history) leave them out, as
   * MLflow 3.6's server does.
   */
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

export interface MetricWithRunId extends Metric {
  run_id: string;
}

export interface RunInfo {
  run_id: string;
  /** Deprecated alias of run_id that MLflow still returns and old clients still read. */
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  /** Absent while the run has not ended. */
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

export interface RunData {
  metrics: Metric[];
  params: Param[];
  tags: RunTag[];
}

export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  tags: InputTag[];
  dataset: Dataset;
}

export interface RunInputs {
  dataset_inputs: DatasetInput[];
  /** MLflow 3: logged models the run used (runs/log-inputs `models`); absent when there are none. */
  model_inputs?: ModelInput[];
}

/** MLflow 3: the logged models a run produced (runs/outputs). */
export interface RunOutputs {
  model_outputs: ModelOutput[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: RunInputs;
  /** Absent when the run has no model outputs: MLflow leaves the message out then, and 2.x answers stay as they were. */
  outputs?: RunOutputs;
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  /** Absent for directories. */
  file_size?: number;
}

/** System tags that MLflow clients and servers set. */
export const SystemTag = {
  RUN_NAME: "mlflow.runName",
  USER: "mlflow.user",
  SOURCE_NAME: "mlflow.source.name",
  SOURCE_TYPE: "mlflow.source.type",
  SOURCE_GIT_COMMIT: "mlflow.source.git.commit",
  PARENT_RUN_ID: "mlflow.parentRunId",
  LOG_MODEL_HISTORY: "mlflow.log-model.history",
  DATASET_CONTEXT: "mlflow.data.context",
} as const;

export const DEFAULT_EXPERIMENT_ID = "0";
export const DEFAULT_EXPERIMENT_NAME = "Default";
