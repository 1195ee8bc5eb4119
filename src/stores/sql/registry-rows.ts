import { type CairnError, notFound } from "../../core/errors.js";
import type { ModelStage, ModelVersion, ModelVersionStatus } from "../../protocol/mlflow/registry-entities.js";

/** Registry row shapes, their wire mapping and MLflow's not-found errors, shared by the SQL backends' registry stores. */

export interface ModelVersionRow {
  version_key: number;
  model_key: number;
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  current_stage: ModelStage;
  source: string;
  run_id: string | null;
  run_link: string | null;
  status: ModelVersionStatus;
  status_message: string | null;
  model_id: string | null;
}

export interface RegisteredModelRow {
  model_key: number;
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
}

export const MODEL_VERSION_COLUMNS =
  "v.version_key, v.model_key, v.name, v.version, v.creation_time, v.last_updated_time, v.description, v.user_id, " +
  "v.current_stage, v.source, v.run_id, v.run_link, v.status, v.status_message, v.model_id";

export const REGISTERED_MODEL_COLUMNS = "m.model_key, m.name, m.creation_time, m.last_updated_time, m.description, m.user_id";

/** Optional wire fields are absent, not null, when the column is NULL (as MLflow's proto serialisation leaves them). */
export const toModelVersion = (row: ModelVersionRow, tags: ModelVersion["tags"], aliases: string[]): ModelVersion => {
  const version: ModelVersion = {
    name: row.name,
    version: String(row.version),
    creation_timestamp: row.creation_time,
    last_updated_timestamp: row.last_updated_time,
    current_stage: row.current_stage,
    source: row.source,
    status: row.status,
    tags,
    aliases,
  };
  if (row.user_id !== null) version.user_id = row.user_id;
  if (row.description !== null) version.description = row.description;
  if (row.run_id !== null) version.run_id = row.run_id;
  if (row.status_message !== null) version.status_message = row.status_message;
  if (row.run_link !== null) version.run_link = row.run_link;
  if (row.model_id !== null) version.model_id = row.model_id;
  return version;
};

export const modelNotFound = (name: string): CairnError => notFound(`Registered Model with name=${name} not found`);

export const versionNotFound = (name: string, version: string): CairnError =>
  notFound(`Model Version (name=${name}, version=${version}) not found`);

/**
 * The integer a wire version stands for; undefined when it is not a plain non-negative integer (such a version
 * cannot exist, so callers report it as not found; the service has already refused it with MLflow's message).
 */
export const parseVersionNumber = (version: string): number | undefined => {
  if (!/^\d{1,15}$/.test(version)) return undefined;
  return Number(version);
};
