import type { WriteContext } from "../core/actor.js";
import { invalidParameter } from "../core/errors.js";
import { newRunId } from "../core/ids.js";
import { DEFAULT_EXPERIMENT_ID, SystemTag, type Run, type RunInfo, type RunStatus, type RunTag, type ViewType } from "../protocol/mlflow/entities.js";
import { appendToUri } from "./artifact-uri.js";
import { generateRunName, type RandomSource } from "./run-names.js";
import { searchQueries } from "./search-queries.js";
import type { Page } from "./store.js";
import type { TrackingWrites } from "./tracking-writes.js";
import { SEARCH_MAX_RESULTS_DEFAULT, validateRunsMaxResults, validateTag } from "./validation.js";
import { TrackingAction, runWriteContext, tagsObject } from "./write-audit.js";

export interface NewRunRequest {
  experimentId?: string;
  userId?: string;
  runName?: string;
  startTime?: number;
  tags: RunTag[];
}

export interface RunUpdateRequest {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

export interface RunSearchRequest {
  experimentIds: string[];
  filter?: string;
  orderBy: string[];
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
}

/** Statuses that end a run: its pending data digest is appended then. */
const TERMINAL_RUN_STATUSES: ReadonlySet<string> = new Set(["FINISHED", "FAILED", "KILLED"]);

/**
 * Runs as entities: creation in an active experiment (MLflow's run naming, the artifact URI under the experiment's
 * location), status and name updates, the lifecycle (delete, restore), reads and search, each change audited. A run's
 * end or deletion closes its data digest before the event that records it. What is logged into a run is run-data.ts.
 */
export class Runs {
  constructor(
    private readonly writes: TrackingWrites,
    /** Random source for generated run names. */
    private readonly random: RandomSource,
  ) {}

  /** `request.userId` is the client's user_id, or the user it declared otherwise (the route resolves it). */
  async create(request: NewRunRequest, context: WriteContext): Promise<Run> {
    return this.writes.atomic(async () => {
      const experimentId = request.experimentId || DEFAULT_EXPERIMENT_ID;
      for (const tag of request.tags) validateTag(tag);
      const experiment = await this.writes.requireActiveExperiment(experimentId);
      const runNameTag = request.tags.find((tag) => tag.key === SystemTag.RUN_NAME)?.value;
      const runName = request.runName;
      if (runName && runNameTag && runName !== runNameTag) {
        throw invalidParameter(
          "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values " +
            `(run_name='${runName}', mlflow.runName='${runNameTag}').`,
        );
      }
      const resolvedName = runName || runNameTag || generateRunName(this.random);
      const tags = runNameTag ? request.tags : [...request.tags, { key: SystemTag.RUN_NAME, value: resolvedName }];
      const runId = newRunId();
      const run = await this.writes.store.createRun({
        runId,
        experimentId,
        userId: request.userId || "",
        runName: resolvedName,
        status: "RUNNING",
        startTime: request.startTime ?? this.writes.clock(),
        artifactUri: appendToUri(experiment.artifact_location, runId, "artifacts"),
        tags,
      });
      await this.writes.audit.record(runWriteContext(context, run.info.user_id), {
        action: TrackingAction.RUN_CREATE,
        entityType: "run",
        entityId: runId,
        after: {
          experiment_id: experimentId,
          run_name: run.info.run_name,
          user_id: run.info.user_id,
          status: run.info.status,
          start_time: run.info.start_time,
          tags: tagsObject(tags),
        },
      });
      return run;
    });
  }

  get(runId: string): Promise<Run> {
    return this.writes.run(runId);
  }

  async artifactUri(runId: string): Promise<string> {
    return (await this.writes.runInfo(runId)).artifact_uri;
  }

  async update(runId: string, update: RunUpdateRequest, context: WriteContext): Promise<RunInfo> {
    return this.writes.atomic(async () => {
      if (update.runName !== undefined && update.runName !== "") validateTag({ key: SystemTag.RUN_NAME, value: update.runName });
      const before = await this.writes.requireActiveRun(runId);
      const after = await this.writes.store.updateRun(runId, {
        ...(update.status !== undefined ? { status: update.status } : {}),
        ...(update.endTime !== undefined ? { endTime: update.endTime } : {}),
        // MLflow ignores an empty run_name (it is the proto default), so a rename needs a non-empty name.
        ...(update.runName ? { runName: update.runName } : {}),
      });
      const state = (info: RunInfo) => ({ status: info.status, end_time: info.end_time ?? null, run_name: info.run_name });
      // The run's final digest precedes the event that ends it.
      if (TERMINAL_RUN_STATUSES.has(after.status)) await this.writes.audit.closeRunData?.(runId, "run_end");
      await this.writes.audit.record(runWriteContext(context, before.user_id), {
        action: TrackingAction.RUN_UPDATE,
        entityType: "run",
        entityId: runId,
        before: state(before),
        after: state(after),
      });
      return after;
    });
  }

  async delete(runId: string, context: WriteContext): Promise<void> {
    return this.writes.atomic(async () => {
      const info = await this.writes.runInfo(runId);
      await this.writes.store.setRunLifecycle(runId, "deleted", this.writes.clock());
      await this.writes.audit.closeRunData?.(runId, "run_delete");
      const actor = runWriteContext(context, info.user_id);
      await this.writes.recordLifecycle(actor, TrackingAction.RUN_DELETE, "run", runId, info.lifecycle_stage, "deleted");
    });
  }

  async restore(runId: string, context: WriteContext): Promise<void> {
    return this.writes.atomic(async () => {
      const info = await this.writes.runInfo(runId);
      await this.writes.store.setRunLifecycle(runId, "active", this.writes.clock());
      const actor = runWriteContext(context, info.user_id);
      await this.writes.recordLifecycle(actor, TrackingAction.RUN_RESTORE, "run", runId, info.lifecycle_stage, "active");
    });
  }

  async search(request: RunSearchRequest): Promise<Page<Run>> {
    const maxResults = request.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT;
    validateRunsMaxResults(maxResults);
    const filter = request.filter ? searchQueries.parseRunFilter(request.filter) : undefined;
    return this.writes.store.searchRuns({
      experimentIds: request.experimentIds,
      ...(filter ? { filter } : {}),
      orderBy: searchQueries.parseRunOrderBy(request.orderBy),
      viewType: request.viewType ?? "ACTIVE_ONLY",
      maxResults,
      ...(request.pageToken ? { pageToken: request.pageToken } : {}),
    });
  }
}
