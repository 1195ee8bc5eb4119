import { invalidParameter, notFound } from "../core/errors.js";
import type { Experiment, RunInfo } from "../protocol/mlflow/entities.js";
import type { TrackingStore } from "./store.js";
import { validateExperimentId, validateRunId } from "./validation.js";

/**
 * The reads every write into an experiment or a run starts with, with MLflow's messages. Tracking, logged models
 * and traces all write under experiments and runs: one definition keeps their answers the same.
 */

/** Cairn's experiment ids are integers: anything else cannot exist, and must not reach a store that parses ids. */
const NUMERIC_ID = /^\d{1,19}$/;

/** The experiment in any lifecycle stage (MLflow's get_experiment); RESOURCE_DOES_NOT_EXIST when there is none. */
export const findExperiment = async (store: Pick<TrackingStore, "getExperiment">, experimentId: string): Promise<Experiment> => {
  validateExperimentId(experimentId);
  const experiment = NUMERIC_ID.test(experimentId) ? await store.getExperiment(experimentId) : undefined;
  if (!experiment) throw notFound(`No Experiment with id=${experimentId} exists`);
  return experiment;
};

/** The run's info in any lifecycle stage; RESOURCE_DOES_NOT_EXIST when there is none. */
export const findRunInfo = async (store: Pick<TrackingStore, "getRunInfo">, runId: string): Promise<RunInfo> => {
  validateRunId(runId);
  const info = await store.getRunInfo(runId);
  if (!info) throw notFound(`Run with id=${runId} not found`);
  return info;
};

/** Writes go only into active experiments and runs; a deleted one answers MLflow's INVALID_PARAMETER_VALUE. */
export const requireActive = (entity: "experiment" | "run", id: string, lifecycleStage: string): void => {
  if (lifecycleStage !== "active") {
    throw invalidParameter(`The ${entity} ${id} must be in the 'active' state. Current state is ${lifecycleStage}.`);
  }
};

/** The experiment a write goes into: it exists and is active. */
export const findActiveExperiment = async (store: Pick<TrackingStore, "getExperiment">, experimentId: string): Promise<Experiment> => {
  const experiment = await findExperiment(store, experimentId);
  requireActive("experiment", experimentId, experiment.lifecycle_stage);
  return experiment;
};

/** The run a write goes into: it exists and is active. */
export const findActiveRunInfo = async (store: Pick<TrackingStore, "getRunInfo">, runId: string): Promise<RunInfo> => {
  const info = await findRunInfo(store, runId);
  requireActive("run", runId, info.lifecycle_stage);
  return info;
};
