import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import type { Param } from "../../protocol/mlflow/entities.js";
import type { CairnClient } from "../../sdk/client.js";
import { TMP_DIR, WORKSPACE_DIR } from "../data/cache-layout.js";
import { checkoutPath, openWorkspace, type Workspace } from "../data/workspace.js";
import { acquireWorkspaceLock, releaseWorkspaceLock } from "../data/workspace-lock.js";
import { parsePointerFile, POINTER_SUFFIX } from "../data/pointer-file.js";
import { loadPipeline } from "../definition/load-pipeline.js";
import { PipelineError } from "../errors.js";
import { reproduce, type ReproEvent, type StageReport } from "../repro/reproduce.js";
import { createMlflowReproTracker } from "../tracking/mlflow-repro-tracker.js";
import { bounded, MAX_PARAM_VALUE_LENGTH, mlflowKey, paramText } from "../tracking/mlflow-keys.js";
import { PIPELINE_TAGS, type ReproTracker } from "../tracking/repro-tracker.js";
import { paramKeyOf } from "../tracking/stage-params.js";
import { dequeue, listQueue, markFailed, type QueuedExperiment } from "./exp-queue.js";
import { applyParamOverrides, parseParamOverride, type ParamOverride } from "./param-overrides.js";
import { createWorkspaceCopy } from "./workspace-copy.js";

/**
 * Running experiments: a repro of the workspace's pipeline with some params set, tracked as one parent run tagged
 * `cairn.experiment=<name>` that also carries the params set (so MLflow's compare view lines experiments up). In the
 * workspace itself (`cairn exp run`), or for queued ones in a copy each (`--run-all`), N at a time.
 */
export interface ExperimentContext {
  /** The workspace the user is in: the queue's home and the source of the copies. */
  root: string;
  /** The tracking experiment the runs go to (the workspace's, not a copy's folder name). */
  trackingExperiment: string;
  gitCommit: string | null;
  makeClient: () => Promise<CairnClient>;
  /** Stages of one experiment run at once (repro's -j); default 1. */
  stageJobs?: number;
  /** Progress lines (stage decisions, warnings), already prefixed with the experiment's name. */
  onLine?: (line: string) => void;
  /** Where commands' output goes (prefixed "[stage] " by the engine); default this process's stderr. */
  commandOutput?: { stdout: Writable; stderr: Writable };
  describe?: (event: ReproEvent) => string;
}

export interface ExperimentResult {
  name: string;
  ok: boolean;
  params: string[];
  parentRunId?: string;
  error?: string;
  stages: StageReport[];
}

/** The params an experiment set, as MLflow params keyed like the stages' own (train.lr, other.yaml/seed). */
export const experimentParams = (overrides: readonly ParamOverride[]): Param[] =>
  overrides.flatMap((override) => {
    const key = mlflowKey(paramKeyOf(override.file, override.key));
    return key === undefined ? [] : [{ key, value: bounded(paramText(override.value), MAX_PARAM_VALUE_LENGTH) }];
  });

/** Data tracked by pointer files is not in git: a copy gets it from the shared cache before its pipeline runs. */
const checkoutPointers = async (ws: Workspace, files: readonly string[]): Promise<void> => {
  for (const file of files.filter((name) => name.endsWith(POINTER_SUFFIX))) {
    const pointer = parsePointerFile(await readFile(path.join(ws.root, ...file.split("/")), "utf8"), file);
    const folder = path.posix.dirname(file);
    for (const out of pointer.outs) {
      const relPath = folder === "." ? out.path : `${folder}/${out.path}`;
      await checkoutPath(ws, relPath, { hash: out.hash, size: out.size, ...(out.nfiles === undefined ? {} : { nfiles: out.nfiles }) });
    }
  }
};

/**
 * Records what the tracker failed at. The engine keeps a repro going when tracking fails (a warning), but an
 * experiment exists to be compared: one whose record failed is reported as failed.
 */
const watchTracker = (tracker: ReproTracker): { tracker: ReproTracker; failure: () => unknown } => {
  let failure: unknown;
  const watch = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      failure ??= error;
      throw error;
    }
  };
  return {
    tracker: {
      begin: (pipeline, plan) => watch(() => tracker.begin(pipeline, plan)),
      stageStarting: (stage) => watch(() => tracker.stageStarting(stage)),
      stageEnded: (outcome) => watch(() => tracker.stageEnded(outcome)),
      end: (status, outcomes) => watch(() => tracker.end(status, outcomes)),
    },
    failure: () => failure,
  };
};

/**
 * A stream that writes each line to `target` with the experiment's name in front: with -j N the commands of several
 * experiments print at once, and "[train] epoch 3" alone would not say whose. The engine writes whole lines.
 */
export const linePrefixer = (prefix: string, target: Writable): Writable =>
  new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const text = chunk.toString();
      const body = text.endsWith("\n") ? text.slice(0, -1) : text;
      target.write(`${body.split("\n").map((line) => `${prefix}${line}`).join("\n")}\n`, () => callback());
    },
  });

/** Runs one experiment in `root` (the workspace, or a copy): params applied, pipeline reproduced and tracked. */
const runIn = async (
  context: ExperimentContext,
  root: string,
  name: string,
  overrides: readonly ParamOverride[],
  copiedFiles: readonly string[] | undefined,
): Promise<ExperimentResult> => {
  const params = overrides.map((override) => `${override.file}:${override.key}=${override.text}`);
  const line = (text: string): void => context.onLine?.(`[${name}] ${text}`);
  let parentRunId: string | undefined;
  let stages: StageReport[] = [];
  try {
    await applyParamOverrides(root, overrides);
    const ws = await openWorkspace(root);
    try {
      if (copiedFiles !== undefined) await checkoutPointers(ws, copiedFiles);
      const mlflow = createMlflowReproTracker(await context.makeClient(), {
        root: ws.root,
        experimentName: context.trackingExperiment,
        gitCommit: context.gitCommit,
        runName: name,
        parentTags: { [PIPELINE_TAGS.experiment]: name },
        parentParams: experimentParams(overrides),
        parentMetrics: true,
      });
      const watched = watchTracker(mlflow);
      let failure: unknown;
      try {
        stages = (
          await reproduce({
            ws,
            tracker: watched.tracker,
            jobs: context.stageJobs ?? 1,
            onEvent: (event) => line(context.describe?.(event) ?? event.kind),
            commandOutput: context.commandOutput ?? { stdout: linePrefixer(`[${name}] `, process.stderr), stderr: linePrefixer(`[${name}] `, process.stderr) },
          })
        ).stages;
      } catch (error) {
        failure = error;
      }
      if (watched.failure() !== undefined) throw new PipelineError(`tracking failed: ${(watched.failure() as Error).message}`);
      if (failure === undefined && mlflow.parentRunId === undefined) {
        // Nothing had to run (the params set are the ones the outputs were made with): the experiment is still
        // recorded, pointing at the stage runs that made its outputs.
        const pipeline = await loadPipeline(ws.root);
        await mlflow.begin(pipeline, pipeline.stages.map((stage) => ({ stage: stage.name, state: "skipped" as const })));
        await mlflow.end("FINISHED", []);
      }
      parentRunId = mlflow.parentRunId;
      if (failure !== undefined) throw failure;
    } finally {
      ws.close();
    }
    return { name, ok: true, params, ...(parentRunId === undefined ? {} : { parentRunId }), stages };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { name, ok: false, params, ...(parentRunId === undefined ? {} : { parentRunId }), error: message, stages };
  }
};

/** `cairn exp run` without --queue: in the workspace itself (its params files keep the values set, as DVC's). */
export const runExperimentInWorkspace = (context: ExperimentContext, name: string, overrides: readonly ParamOverride[]): Promise<ExperimentResult> =>
  runIn(context, context.root, name, overrides, undefined);

/** One queued experiment, in its own copy of the workspace; the copy is removed afterwards whatever happened. */
const runQueued = async (context: ExperimentContext, entry: QueuedExperiment): Promise<ExperimentResult> => {
  let result: ExperimentResult;
  try {
    const overrides = entry.params.map(parseParamOverride);
    const copy = await createWorkspaceCopy(context.root, entry.name);
    try {
      result = await runIn(context, copy.root, entry.name, overrides, copy.files);
    } finally {
      await copy.dispose();
    }
  } catch (error) {
    result = { name: entry.name, ok: false, params: entry.params, error: error instanceof Error ? error.message : String(error), stages: [] };
  }
  if (result.ok) await dequeue(context.root, entry.name);
  else await markFailed(context.root, entry, result.error ?? "failed");
  return result;
};

/** Held while --run-all runs the queue: a second --run-all would run the same experiments again. */
export const RUN_ALL_LOCK = "exp-run-all.lock";

/** `cairn exp run --run-all -j N`: every queued experiment, N at a time, in queue order; results in that order. */
export const runAllQueued = async (context: ExperimentContext, jobs: number): Promise<ExperimentResult[]> => {
  const lockFile = path.join(context.root, WORKSPACE_DIR, TMP_DIR, RUN_ALL_LOCK);
  await mkdir(path.dirname(lockFile), { recursive: true });
  try {
    await acquireWorkspaceLock(lockFile, { timeoutMs: 0 });
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    throw new PipelineError("another `cairn exp run --run-all` is running this workspace's queue; wait for it to end");
  }
  try {
    return await runQueue(context, jobs);
  } finally {
    await releaseWorkspaceLock(lockFile);
  }
};

const runQueue = async (context: ExperimentContext, jobs: number): Promise<ExperimentResult[]> => {
  const queue = await listQueue(context.root);
  const results: ExperimentResult[] = new Array<ExperimentResult>(queue.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      const index = next;
      next += 1;
      results[index] = await runQueued(context, queue[index] as QueuedExperiment);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, queue.length)) }, worker));
  return results;
};
