import { readFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { SystemTag, type Metric, type Param, type RunTag } from "../../protocol/mlflow/entities.js";
import type { CairnClient } from "../../sdk/client.js";
import { CairnApiError } from "../../sdk/errors.js";
import { currentUser } from "../../sdk/run-context.js";
import type { ResolvedPipeline, ResolvedStage } from "../definition/resolved-pipeline.js";
import { LOCK_FILE, parseLockFile, type LockStage } from "../lock/lock-file.js";
import { MAX_INPUTS_PER_CALL, stageDataInputs } from "./data-inputs.js";
import { gitHeadCommit } from "./git-commit.js";
import { readMetricsFile } from "./metrics-file.js";
import { bounded, MAX_TAG_VALUE_LENGTH, mlflowKey } from "./mlflow-keys.js";
import { buildPipelineSummary } from "./pipeline-summary.js";
import { PIPELINE_SUMMARY_ARTIFACT, PIPELINE_TAGS, type ReproTracker, type StageOutcome } from "./repro-tracker.js";
import { stageArtifactFiles } from "./stage-artifacts.js";
import { mlflowParams } from "./stage-params.js";
import { readStageRuns, recordStageRuns } from "./stage-runs-file.js";
import { getOrCreateExperiment, trackingExperimentName } from "./tracking-experiment.js";

export interface MlflowReproTrackerOptions {
  /** Default: MLFLOW_EXPERIMENT_NAME, else the workspace folder's name. */
  experimentName?: string;
  /** Absolute workspace root. */
  root: string;
  /** Workspace-relative pipeline file ("dvc.yaml"); default: the file of the pipeline begin() gets. */
  pipelineFile?: string;
  /** The commit the runs are recorded against; undefined: asked from git in `root`; null: none. */
  gitCommit?: string | null;
  /** Where MLFLOW_EXPERIMENT_NAME is read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The parent run's name (default `repro <ISO time>`). */
  runName?: string;
  /** More tags on the parent run (`cairn exp run` adds cairn.experiment). */
  parentTags?: Record<string, string>;
  /** Params on the parent run (`cairn exp run` logs the params it set, for the compare view). */
  parentParams?: Param[];
  /**
   * true: at a successful end, the parent run also gets the pipeline's metrics as its metrics files hold them then
   * (whichever stage wrote them, ran, restored or skipped), so that experiments line up in the compare view.
   */
  parentMetrics?: boolean;
  /** Folders besides the workspace that an output's symlink may point into (the data cache when it lives elsewhere). */
  linkRoots?: string[];
  /** Recorded as mlflow.user; default the OS user. */
  user?: string;
  now?: () => number;
}

export interface MlflowReproTracker extends ReproTracker {
  /** Set once begin() created the parent run. */
  readonly parentRunId: string | undefined;
  readonly experimentId: string | undefined;
}

const PARAMS_PER_BATCH = 100;
const METRICS_PER_BATCH = 1000;
const MAX_NOTES = 50;

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const cmdText = (cmd: string | string[]): string => (Array.isArray(cmd) ? cmd.join("\n") : cmd);

/**
 * The ReproTracker that records a repro as MLflow runs through the SDK: one parent run per repro, one child run per
 * stage that ran, was restored from the run cache, or failed. A stage run holds the stage's params, the metrics its
 * metrics files hold, its data versions as dataset inputs, its plots and uncached outs as artifacts; the parent
 * holds the pipeline's DAG and states (cairn-pipeline.json) and none of the stages' metrics.
 */
export const createMlflowReproTracker = (client: CairnClient, options: MlflowReproTrackerOptions): MlflowReproTracker => {
  const now = options.now ?? Date.now;
  const env = options.env ?? process.env;
  const user = options.user ?? currentUser();
  const runIds = new Map<string, string>();
  let experimentId: string | undefined;
  let parentRunId: string | undefined;
  let pipeline: ResolvedPipeline | undefined;
  let gitCommit: string | null = null;
  let pipelineFile = options.pipelineFile ?? "";
  // stage-runs.json is rewritten after each stage; stages may end concurrently (-j N), so writes go one at a time.
  let stageRunsWrite: Promise<void> = Promise.resolve();

  const contextTags = (sourceName: string): RunTag[] => [
    ...(user ? [{ key: SystemTag.USER, value: user }] : []),
    { key: SystemTag.SOURCE_NAME, value: sourceName },
    { key: SystemTag.SOURCE_TYPE, value: "LOCAL" },
    ...(gitCommit === null ? [] : [{ key: SystemTag.SOURCE_GIT_COMMIT, value: gitCommit }]),
  ];

  const requireParent = (): { experimentId: string; parentRunId: string } => {
    if (experimentId === undefined || parentRunId === undefined) throw new Error("ReproTracker: begin() must be called before a stage is tracked");
    return { experimentId, parentRunId };
  };

  const createStageRun = async (stage: ResolvedStage, startTime: number): Promise<string> => {
    const parent = requireParent();
    const run = await client.runs.create({
      experimentId: parent.experimentId,
      runName: stage.name,
      startTime,
      ...(user ? { userId: user } : {}),
      tags: [
        ...contextTags(`${pipelineFile}:${stage.name}`),
        { key: SystemTag.PARENT_RUN_ID, value: parent.parentRunId },
        { key: PIPELINE_TAGS.stage, value: stage.name },
        { key: PIPELINE_TAGS.stageCmd, value: bounded(cmdText(stage.cmd), MAX_TAG_VALUE_LENGTH) },
      ],
    });
    runIds.set(stage.name, run.info.run_id);
    return run.info.run_id;
  };

  /** Params in batches; a batch the server refuses (a value the stage's own MLflow code logged differently) goes one by one. */
  const logParams = async (runId: string, params: Param[], notes: string[]): Promise<void> => {
    for (const batch of chunks(params, PARAMS_PER_BATCH)) {
      try {
        await client.runs.logBatch(runId, { params: batch });
      } catch (error) {
        if (!(error instanceof CairnApiError) || error.status >= 500) throw error;
        for (const param of batch) {
          await client.runs.logParam(runId, param.key, param.value).catch((single: unknown) => {
            if (!(single instanceof CairnApiError) || single.status >= 500) throw single;
            notes.push(`param '${param.key}': refused by the server (${single.message.slice(0, 200)})`);
          });
        }
      }
    }
  };

  const stageMetrics = async (outcome: Pick<StageOutcome, "stage">, timestamp: number, notes: string[]): Promise<Metric[]> => {
    const metrics = new Map<string, number>();
    for (const out of outcome.stage.outs.filter((entry) => entry.kind === "metric")) {
      const read = await readMetricsFile(path.join(options.root, ...out.path.split("/")), out.path);
      if (read.note !== undefined) notes.push(read.note);
      for (const [rawKey, value] of read.metrics) {
        // Two metrics files of one stage with the same key: the later one is logged under its file's path.
        const key = mlflowKey(metrics.has(mlflowKey(rawKey) ?? "") ? `${out.path}/${rawKey}` : rawKey);
        if (key === undefined) notes.push(`metric '${rawKey.slice(0, 100)}' of ${out.path}: not a usable MLflow key, not logged`);
        else metrics.set(key, value);
      }
    }
    return [...metrics].map(([key, value]) => ({ key, value, timestamp, step: 0 }));
  };

  const uploadArtifacts = async (runId: string, stage: ResolvedStage, notes: string[]): Promise<void> => {
    const { files, notes: left } = await stageArtifactFiles(options.root, stage, options.linkRoots ?? []);
    notes.push(...left);
    for (const file of files) {
      try {
        await client.artifacts.uploadFile(runId, file.local, file.artifactPath);
      } catch (error) {
        if (!(error instanceof CairnApiError) || error.status >= 500) throw error;
        notes.push(`artifact ${file.artifactPath}: refused by the server (${error.message.slice(0, 200)})`);
      }
    }
  };

  const readLock = async (): Promise<Record<string, LockStage>> => {
    const file = path.posix.join(path.posix.dirname(pipelineFile), LOCK_FILE);
    try {
      return parseLockFile(await readFile(path.join(options.root, ...file.split("/")), "utf8"), file).stages;
    } catch {
      return {}; // no lock yet, or a malformed one the engine reports itself: the summary just lacks versions
    }
  };

  /**
   * Local bookkeeping only: a failed write (a read-only .cairn/tmp) costs the next summaries their skipped stages'
   * run ids, never this repro's record.
   */
  const rememberRun = (stage: string, runId: string): Promise<void> => {
    stageRunsWrite = stageRunsWrite.then(() => recordStageRuns(options.root, { [stage]: runId })).catch(() => undefined);
    return stageRunsWrite;
  };

  return {
    get parentRunId() {
      return parentRunId;
    },
    get experimentId() {
      return experimentId;
    },

    async begin(resolved) {
      pipeline = resolved;
      pipelineFile = options.pipelineFile ?? resolved.file;
      gitCommit = options.gitCommit === undefined ? await gitHeadCommit(options.root) : options.gitCommit;
      experimentId = await getOrCreateExperiment(client, trackingExperimentName(options.root, options.experimentName, env));
      const started = now();
      const run = await client.runs.create({
        experimentId,
        runName: options.runName ?? `repro ${new Date(started).toISOString()}`,
        startTime: started,
        ...(user ? { userId: user } : {}),
        tags: [
          ...contextTags(pipelineFile),
          { key: PIPELINE_TAGS.pipelineParent, value: "true" },
          { key: PIPELINE_TAGS.pipelineFile, value: pipelineFile },
          ...Object.entries(options.parentTags ?? {}).map(([key, value]) => ({ key, value })),
        ],
      });
      parentRunId = run.info.run_id;
      if (options.parentParams !== undefined && options.parentParams.length > 0) await logParams(parentRunId, options.parentParams, []);
    },

    async stageStarting(stage) {
      const runId = await createStageRun(stage, now());
      return {
        MLFLOW_TRACKING_URI: client.trackingUri,
        MLFLOW_RUN_ID: runId,
        MLFLOW_EXPERIMENT_ID: requireParent().experimentId,
        CAIRN_STAGE: stage.name,
      };
    },

    async stageEnded(outcome) {
      const { stage } = outcome;
      const runId = runIds.get(stage.name) ?? (await createStageRun(stage, outcome.startedAtMs));
      const notes: string[] = [];
      const { params, notes: paramNotes } = mlflowParams(outcome.params);
      notes.push(...paramNotes);
      await logParams(runId, params, notes);
      if (outcome.state !== "failed") {
        for (const batch of chunks(await stageMetrics(outcome, outcome.endedAtMs, notes), METRICS_PER_BATCH)) {
          await client.runs.logBatch(runId, { metrics: batch });
        }
      }
      const { inputs, notes: inputNotes } = stageDataInputs(outcome.deps, outcome.state === "failed" ? [] : outcome.outs);
      notes.push(...inputNotes);
      for (const batch of chunks(inputs, MAX_INPUTS_PER_CALL)) await client.runs.logInputs(runId, batch);
      if (outcome.state !== "failed") await uploadArtifacts(runId, stage, notes);
      const tags: RunTag[] = [{ key: PIPELINE_TAGS.stageState, value: outcome.state }];
      if (outcome.state === "cached" && outcome.restoredFromRunId !== undefined) {
        tags.push({ key: PIPELINE_TAGS.restoredFrom, value: outcome.restoredFromRunId });
      }
      if (outcome.state === "failed") tags.push({ key: PIPELINE_TAGS.stageError, value: bounded(outcome.error ?? "failed", MAX_TAG_VALUE_LENGTH) });
      if (notes.length > 0) {
        const shown = notes.length > MAX_NOTES ? [...notes.slice(0, MAX_NOTES), `... and ${notes.length - MAX_NOTES} more`] : notes;
        tags.push({ key: PIPELINE_TAGS.stageNotes, value: bounded(shown.join("\n"), MAX_TAG_VALUE_LENGTH) });
      }
      await client.runs.logBatch(runId, { tags });
      await client.runs.update(runId, { status: outcome.state === "failed" ? "FAILED" : "FINISHED", endTime: outcome.endedAtMs });
      await rememberRun(stage.name, runId);
      return { runId };
    },

    async end(status, outcomes) {
      const parent = requireParent();
      if (pipeline === undefined) throw new Error("ReproTracker: begin() must be called before end()");
      await stageRunsWrite;
      const summary = buildPipelineSummary({
        pipeline,
        gitCommit,
        outcomes,
        runIds,
        lastRuns: await readStageRuns(options.root),
        lock: await readLock(),
      });
      const bytes = Buffer.from(`${JSON.stringify(summary, null, 2)}\n`);
      await client.artifacts.uploadStream(parent.parentRunId, PIPELINE_SUMMARY_ARTIFACT, Readable.from([bytes]));
      if (options.parentMetrics === true && status === "FINISHED") {
        const timestamp = now();
        const metrics = new Map<string, Metric>();
        for (const stage of pipeline.stages) {
          for (const metric of await stageMetrics({ stage }, timestamp, [])) metrics.set(metric.key, metric);
        }
        for (const batch of chunks([...metrics.values()], METRICS_PER_BATCH)) await client.runs.logBatch(parent.parentRunId, { metrics: batch });
      }
      await client.runs.update(parent.parentRunId, { status, endTime: now() });
    },
  };
};
