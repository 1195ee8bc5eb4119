import { CairnError, ErrorCode } from "../../core/errors.js";
import type { LifecycleStage } from "../../protocol/mlflow/entities.js";

/**
 * What `cairn gc` reads and removes in the metadata database: deleted runs and experiments, and the references that
 * keep them (registered versions, deployments, monitors, lineage). One portable implementation over SQL
 * (src/stores/sql/gc-store-sql.ts) serves both backends. Writes run in the caller's transaction
 * (AuditRecorder.atomically), so a purge and its audit event commit together.
 */
export interface GcRun {
  runKey: number;
  runId: string;
  experimentId: string;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
  deletedTime?: number;
  /** An earlier gc marked it (then was interrupted): it is finished first, whatever the flags. */
  pending: boolean;
}

export interface GcExperiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  lastUpdateTime: number;
  pending: boolean;
}

export interface GcRunSelection {
  afterRunKey: number;
  limit: number;
  /** Deleted runs (deleted at or before `before` when given; only `runIds` when given). Absent: none by this rule. */
  deletedRuns?: { before?: number; runIds?: readonly string[] };
  /** Every run of these experiments. */
  experimentIds: readonly string[];
}

export interface ModelVersionReference {
  versionKey: number;
  name: string;
  version: string;
  runId?: string;
  source: string;
  modelId?: string;
}

export interface DeploymentReference {
  name: string;
  modelUri: string;
  modelName: string;
  policy: string;
  followedVersion?: string;
}

export interface MonitorReference {
  name: string;
  spec: string;
}

export interface LoggedModelReference {
  modelKey: number;
  modelId: string;
  experimentId: string;
  sourceRunId?: string;
}

export interface GcStore {
  getRuns(runIds: readonly string[]): Promise<GcRun[]>;
  getExperiments(experimentIds: readonly string[]): Promise<GcExperiment[]>;
  /** Deleted experiments (last updated at or before `updatedBefore` when given) and every pending one, by id. */
  listDeletedExperiments(updatedBefore: number | undefined, limit: number): Promise<GcExperiment[]>;
  /** Runs the selection names, plus every pending run, in run_key order after `afterRunKey`. */
  pageRuns(selection: GcRunSelection): Promise<GcRun[]>;
  /**
   * Marks the runs still deleted (their rows locked until the transaction ends, so a restore waits or goes first) and
   * answers the keys it marked: a run restored since it was selected is left alone, artifacts included.
   */
  markRunsPending(runKeys: readonly number[], now: number): Promise<number[]>;
  unmarkRun(runKey: number): Promise<void>;
  /** As markRunsPending for one experiment: false when it was restored since it was selected. */
  markExperimentPending(experimentId: string, now: number): Promise<boolean>;
  /** Removes a run still deleted and every row of it (metrics, params, tags, inputs, model links); false if it is not. */
  purgeRun(runKey: number): Promise<boolean>;
  /** Removes an experiment still deleted and holding no runs, with its traces, logged models, datasets and tags. */
  purgeExperiment(experimentId: string): Promise<boolean>;
  pageModelVersions(afterVersionKey: number, limit: number): Promise<ModelVersionReference[]>;
  listDeployments(limit: number): Promise<DeploymentReference[]>;
  listMonitors(limit: number): Promise<MonitorReference[]>;
  /** Logged models not deleted (their source runs are lineage). */
  pageActiveLoggedModels(afterModelKey: number, limit: number): Promise<LoggedModelReference[]>;
  /** Logged model ids of an experiment (every stage). */
  loggedModelIdsOf(experimentId: string, limit: number): Promise<string[]>;
  /** Deleted runs that produced a data version (cairn-data dataset input with context cairn.output) an active run also recorded. */
  lineageProducerRuns(limit: number): Promise<string[]>;
}

/** The run tag that marks a run gc has started to remove (artifacts first, then rows). */
export const GC_PENDING_TAG = "cairn.gc.pending";

/**
 * A restore of what gc has started to remove is refused: its artifacts may be gone already, and restoring it would
 * leave an active run without them. The stores check the mark after locking the row gc's mark locks.
 */
export const removalPending = (what: string): CairnError =>
  new CairnError(
    ErrorCode.INVALID_STATE,
    `${what} is being permanently removed by cairn gc (tag ${GC_PENDING_TAG}); it can no longer be restored.`,
  );
