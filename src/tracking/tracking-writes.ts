import type { WriteContext } from "../core/actor.js";
import type { Clock } from "../core/clock.js";
import { notFound } from "../core/errors.js";
import { atomically, type AuditRecorder } from "../audit/recorder.js";
import type { Experiment, Run, RunInfo } from "../protocol/mlflow/entities.js";
import { findActiveExperiment, findActiveRunInfo, findExperiment, findRunInfo } from "./active-entities.js";
import type { TrackingStore } from "./store.js";
import { validateRunId } from "./validation.js";

/**
 * What every part of the tracking domain (experiments, runs, run data, metric history) writes and reads through: the
 * store, the lookups that answer MLflow's not-found and not-active errors, the clock and the audit trail. `atomic`
 * commits a write and its audit event together.
 */
export class TrackingWrites {
  constructor(
    readonly store: TrackingStore,
    readonly audit: AuditRecorder,
    readonly clock: Clock,
  ) {}

  /** A write and its audit event commit together: see AuditRecorder.atomically. */
  atomic<T>(work: () => Promise<T>): Promise<T> {
    return atomically(this.audit, work);
  }

  /** Any lifecycle stage, as MLflow's get_experiment. */
  experiment(experimentId: string): Promise<Experiment> {
    return findExperiment(this.store, experimentId);
  }

  requireActiveExperiment(experimentId: string): Promise<Experiment> {
    return findActiveExperiment(this.store, experimentId);
  }

  /** The whole run (info, data, inputs) in any lifecycle stage. */
  async run(runId: string): Promise<Run> {
    validateRunId(runId);
    const run = await this.store.getRun(runId);
    if (!run) throw notFound(`Run with id=${runId} not found`);
    return run;
  }

  /** The run's info in any lifecycle stage. */
  runInfo(runId: string): Promise<RunInfo> {
    return findRunInfo(this.store, runId);
  }

  /** The one store read before every write: the run must exist and be active. */
  requireActiveRun(runId: string): Promise<RunInfo> {
    return findActiveRunInfo(this.store, runId);
  }

  /** An experiment's or a run's delete or restore, one event shape for both. */
  async recordLifecycle(
    context: WriteContext,
    action: string,
    entityType: "experiment" | "run",
    entityId: string,
    from: string,
    to: string,
  ): Promise<void> {
    await this.audit.record(context, {
      action,
      entityType,
      entityId,
      before: { lifecycle_stage: from },
      after: { lifecycle_stage: to },
    });
  }
}
