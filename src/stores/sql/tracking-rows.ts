import type {
  Experiment,
  ExperimentTag,
  LifecycleStage,
  Metric,
  RunInfo,
  RunStatus,
  ViewType,
} from "../../protocol/mlflow/entities.js";
import { type CairnError, notFound } from "../../core/errors.js";

/** Row shapes as both backends return them, and their mapping to the wire entities. */
export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
}

export interface RunRow {
  run_key: number;
  run_uuid: string;
  experiment_id: number;
  name: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time: number | null;
  lifecycle_stage: LifecycleStage;
  artifact_uri: string;
}

export interface MetricRow {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}

export const RUN_COLUMNS =
  "run_key, run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri";

export const EXPERIMENT_COLUMNS =
  "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time";

export const toExperiment = (row: ExperimentRow, tags: ExperimentTag[]): Experiment => ({
  experiment_id: String(row.experiment_id),
  name: row.name,
  artifact_location: row.artifact_location,
  lifecycle_stage: row.lifecycle_stage,
  last_update_time: row.last_update_time,
  creation_time: row.creation_time,
  tags,
});

export const toRunInfo = (row: RunRow): RunInfo => {
  const info: RunInfo = {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name,
    experiment_id: String(row.experiment_id),
    user_id: row.user_id,
    status: row.status,
    start_time: row.start_time,
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage,
  };
  if (row.end_time !== null) info.end_time = row.end_time;
  return info;
};

/** SQLite stores NaN as NULL, so NaN is kept as is_nan=1 with value 0 (MLflow's encoding). */
export const toMetric = (row: MetricRow): Metric => ({
  key: row.key,
  value: row.is_nan === 1 ? Number.NaN : row.value,
  timestamp: row.timestamp,
  step: row.step,
});

/** Experiment ids are integers in the database; any other text names no experiment. */
export const parseExperimentId = (experimentId: string): number | undefined =>
  /^\d{1,15}$/.test(experimentId) ? Number(experimentId) : undefined;

/** The lifecycle stages a view type selects (undefined: all). */
export const stagesOf = (viewType: ViewType): LifecycleStage[] | undefined =>
  viewType === "ALL" ? undefined : viewType === "DELETED_ONLY" ? ["deleted"] : ["active"];

export const runNotFound = (runId: string): CairnError => notFound(`Run with id=${runId} not found`);
