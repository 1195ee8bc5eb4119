/**
 * MLflow model-registry entities as they travel on the wire (model_registry.proto field names). Versions are strings
 * on the wire ("1", "2", ...); timestamps are milliseconds since the epoch.
 */
export type ModelVersionStatus = "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";

/** Stages are deprecated since MLflow 2.9 in favour of aliases, but clients still call transition-stage. */
export type ModelStage = "None" | "Staging" | "Production" | "Archived";
export const MODEL_STAGES: readonly ModelStage[] = ["None", "Staging", "Production", "Archived"];

export interface RegisteredModelTag {
  key: string;
  value: string;
}
export type ModelVersionTag = RegisteredModelTag;

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: ModelStage;
  description?: string;
  source: string;
  run_id?: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags: ModelVersionTag[];
  run_link?: string;
  aliases: string[];
  /**
   * MLflow 3: the logged model this version registers (model_registry.proto ModelVersion.model_id). The 3.x fields
   * model_params, model_metrics and deployment_job_state are not served.
   */
  model_id?: string;
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  description?: string;
  /** The latest version per stage, as MLflow returns it. */
  latest_versions: ModelVersion[];
  tags: RegisteredModelTag[];
  aliases: RegisteredModelAlias[];
}
