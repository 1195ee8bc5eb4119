import type { KeyValue } from "./entities.js";

/**
 * MLflow 3's LoggedModel (service.proto): a model as a first-class tracking entity owned by an experiment, created
 * by every `log_model` of the 3.x client, independent of runs. Shapes as they travel on the wire (snake_case,
 * int64 timestamps as numbers). The files live at `artifact_uri` = `<experiment artifact root>/models/<id>/artifacts`.
 */
export type LoggedModelStatus = "LOGGED_MODEL_PENDING" | "LOGGED_MODEL_READY" | "LOGGED_MODEL_UPLOAD_FAILED";
export const LOGGED_MODEL_STATUSES: readonly LoggedModelStatus[] = ["LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"];

export type LoggedModelTag = KeyValue;
export type LoggedModelParameter = KeyValue;

/** A model version registered from this logged model (name, version). */
export interface LoggedModelRegistrationInfo {
  name: string;
  version: string;
}

export interface LoggedModelInfo {
  /** `m-` followed by 32 lowercase hex characters. */
  model_id: string;
  experiment_id: string;
  name: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  artifact_uri: string;
  status: LoggedModelStatus;
  model_type?: string;
  source_run_id?: string;
  status_message?: string;
  tags: LoggedModelTag[];
  registrations: LoggedModelRegistrationInfo[];
}

/** A metric linked to a logged model: the Metric rows logged with this model_id (MLflow 3 Metric fields). */
export interface LoggedModelMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  run_id?: string;
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

export interface LoggedModelData {
  params: LoggedModelParameter[];
  metrics: LoggedModelMetric[];
}

export interface LoggedModel {
  info: LoggedModelInfo;
  data: LoggedModelData;
}

/** A run's output model (runs/outputs) and input model (runs/log-inputs `models`). */
export interface ModelOutput {
  model_id: string;
  step: number;
}
export interface ModelInput {
  model_id: string;
}

/** MLflow's id pattern for logged models. */
export const LOGGED_MODEL_ID = /^m-[0-9a-f]{32}$/;
