import path from "node:path";
import type { Writable } from "node:stream";
import type { HashInfo } from "../data/hash-info.js";
import type { ResolvedOut, ResolvedPipeline, ResolvedStage } from "../definition/resolved-pipeline.js";
import { PipelineError } from "../errors.js";
import type { LockEntry, LockStage } from "../lock/lock-file.js";
import { lockFileOf, readLock, writeLockStage } from "../lock/lock-store.js";
import { runCacheKey } from "../run-cache/run-cache-key.js";
import { readRunCacheEntry, writeRunCacheEntry } from "../run-cache/run-cache-store.js";
import type { PathVersion, ReproTracker, StageOutcome, StageState } from "../tracking/repro-tracker.js";
import { runDag } from "./dag-scheduler.js";
import type { ReproEvent } from "./repro-events.js";
import type { ReproIo } from "./repro-io.js";
import { SafeTracker } from "./safe-tracker.js";
import { stageChanges, type StageSnapshot } from "./stage-changes.js";
import { RunningCommands, runStageCommand } from "./stage-command.js";
import { existsInWorkspace, snapshotOf } from "./stage-snapshot.js";
import { reproGraph } from "./stage-upstream.js";
import { missingDeps } from "../definition/missing-deps.js";
import { OutputIndex } from "../definition/graph.js";

export interface ReproOptions {
  /** Stage names to reproduce, with everything upstream of them (default: every stage). */
  targets?: readonly string[];
  /** Run every selected stage (except frozen ones) even when nothing changed; the run cache is not consulted. */
  force?: boolean;
  /** Say what would run, change nothing. */
  dryRun?: boolean;
  /** Independent stages run at the same time, at most this many (default 1). */
  jobs?: number;
  /** Consult the run cache before running a changed stage (default true). */
  useRunCache?: boolean;
  tracker?: ReproTracker;
  onEvent?: (event: ReproEvent) => void;
  /**
   * Where the commands' output goes, each line prefixed with "[stage] ". Default: inherited (one stage at a time),
   * or prefixed to this process's stdout and stderr with -j > 1.
   */
  commandOutput?: { stdout: Writable; stderr: Writable };
}

export type StageReportState = StageState | "would-run" | "not-run";

export interface StageReport {
  stage: string;
  state: StageReportState;
  /** Why it ran, was restored or would run (empty when skipped). */
  reasons: string[];
  runId?: string;
}

export interface ReproResult {
  pipelineFile: string;
  stages: StageReport[];
}

const KIND_ORDER: Record<ResolvedOut["kind"], number> = { out: 0, metric: 1, plot: 2 };
/** A lock entry lists outs, then metrics, then plots (each in the pipeline file's order). */
const orderedOuts = (stage: ResolvedStage): ResolvedOut[] => [...stage.outs].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);

/** As DVC: a stage with an uncached out, always_changed, or no outs never gets a run-cache entry. */
const runCacheable = (stage: ResolvedStage): boolean => stage.outs.length > 0 && !stage.alwaysChanged && stage.outs.every((out) => out.cache);

const flatParams = (params: Record<string, Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(params).flatMap(([file, values]) => Object.entries(values).map(([key, value]) => [`${file}:${key}`, value])));

/** Serializes writes of one process (two stages ending together with -j N) before they take the workspace lock. */
class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

interface Checked {
  snapshot: StageSnapshot;
  reasons: string[];
}

/**
 * `cairn repro` on a loaded pipeline. Every selected stage is checked against its lock entry (hashes from the state
 * db: nothing is re-read when nothing changed, and a repro with nothing to do contacts no server); changed stages are
 * restored from the run cache or run, in dependency order, independent ones in parallel. A stage downstream of one
 * that ran is checked again once its upstream ended, since its dependencies' hashes changed. A failed or killed
 * command stops the repro: its outputs are not cached, the lock file and the run cache keep what they had.
 */
export const reproducePipeline = async (pipeline: ResolvedPipeline, io: ReproIo, options: ReproOptions = {}): Promise<ReproResult> => {
  const emit = (event: ReproEvent): void => options.onEvent?.(event);
  const where = (stage: string) => ({ stage, file: pipeline.file });
  const graph = reproGraph(pipeline);
  const upstream = graph.upstream;
  const selected = graph.select(options.targets);
  const byName = new Map(selected.map((stage) => [stage.name, stage]));
  const pipelineOrder = pipeline.stages.map((stage) => stage.name);
  const force = options.force === true;
  const useRunCache = options.useRunCache !== false && !force;

  const outputs = new OutputIndex(pipeline);
  for (const stage of selected) {
    if (stage.frozen) continue;
    const [missing] = await missingDeps(pipeline, stage, outputs);
    if (missing !== undefined) throw new PipelineError(`dependency '${missing}' does not exist and no stage produces it`, where(stage.name));
  }

  const lock = await readLock(io.root, pipeline.file, io.tmpDir);
  const check = async (stage: ResolvedStage, reads: ReproIo = io): Promise<Checked> => {
    const snapshot = await snapshotOf(reads, stage);
    if (stage.frozen) {
      const missing = stage.outs.find((out) => snapshot.outs.get(out.path) === "missing");
      if (missing !== undefined) throw new PipelineError(`the stage is frozen and its out '${missing.path}' is missing`, where(stage.name));
      return { snapshot, reasons: [] };
    }
    const reasons = stageChanges(stage, lock.stages[stage.name], snapshot);
    return { snapshot, reasons: reasons.length === 0 && force ? ["forced"] : reasons };
  };
  const initial = new Map<string, Checked>();
  // One pass before anything runs: stages sharing an input hash it (and parse a params file) once.
  const firstReads = io.cachedReads();
  await Promise.all(selected.map(async (stage) => initial.set(stage.name, await check(stage, firstReads))));

  // What would run as things stand: changed stages and everything downstream of them (frozen ones never).
  const willRun = new Map<string, boolean>();
  const wouldRun = (name: string): boolean => {
    const known = willRun.get(name);
    if (known !== undefined) return known;
    willRun.set(name, false);
    const stage = byName.get(name);
    const result =
      stage !== undefined && !stage.frozen && ((initial.get(name)?.reasons.length ?? 0) > 0 || (upstream.get(name) ?? []).some((up) => byName.has(up) && wouldRun(up)));
    willRun.set(name, result);
    return result;
  };
  const plan = selected.map((stage) => ({ stage: stage.name, state: wouldRun(stage.name) ? ("will-run" as const) : ("skipped" as const) }));

  if (options.dryRun === true) {
    return {
      pipelineFile: pipeline.file,
      stages: selected.map((stage) => {
        const reasons = initial.get(stage.name)?.reasons ?? [];
        if (!wouldRun(stage.name)) {
          emit({ kind: "skipped", stage: stage.name, frozen: stage.frozen });
          return { stage: stage.name, state: "skipped", reasons: [] };
        }
        const shown = reasons.length > 0 ? reasons : ["upstream stage will run"];
        emit({ kind: "would-run", stage: stage.name, reasons: shown });
        return { stage: stage.name, state: "would-run", reasons: shown };
      }),
    };
  }

  const reports = new Map<string, StageReport>();
  const outcomes = new Map<string, StageOutcome>();
  const changedInRun = new Set<string>();
  const running = new RunningCommands();
  const writes = new WriteQueue();
  const tracker = new SafeTracker(options.tracker, pipeline, () => plan, (message) => emit({ kind: "warning", message }));
  let stop = false;
  let interrupted: NodeJS.Signals | undefined;
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));

  const versions = (entries: readonly LockEntry[]): PathVersion[] => entries.map((entry) => ({ ...entry }));
  const depEntries = (stage: ResolvedStage, snapshot: StageSnapshot): LockEntry[] =>
    stage.deps.map((dep) => {
      const version = snapshot.deps.get(dep);
      if (version === undefined || version === "missing") throw new PipelineError(`dependency '${dep}' is missing`, where(stage.name));
      return { path: dep, ...version };
    });
  const recordLock = (name: string, entry: LockStage): Promise<void> =>
    writes.run(() => io.withLock(() => writeLockStage(io.root, pipeline.file, pipelineOrder, name, entry, io.tmpDir)));

  const skip = (stage: ResolvedStage, snapshot: StageSnapshot): void => {
    const locked = lock.stages[stage.name];
    const known = (map: Map<string, HashInfo | "missing">): PathVersion[] =>
      [...map].flatMap(([relPath, version]) => (version === "missing" ? [] : [{ path: relPath, ...version }]));
    reports.set(stage.name, { stage: stage.name, state: "skipped", reasons: [] });
    outcomes.set(stage.name, {
      stage,
      state: "skipped",
      deps: locked === undefined ? known(snapshot.deps) : versions(locked.deps),
      outs: locked === undefined ? known(snapshot.outs) : versions(locked.outs),
      params: flatParams(snapshot.params),
      startedAtMs: Date.now(),
      endedAtMs: Date.now(),
    });
    emit({ kind: "skipped", stage: stage.name, frozen: stage.frozen });
  };

  const restore = async (stage: ResolvedStage, key: string, base: Omit<LockStage, "outs">, reasons: string[]): Promise<boolean> => {
    const entry = await readRunCacheEntry(io.cacheDir, key, stage.name);
    if (entry === undefined) return false;
    const declared = orderedOuts(stage);
    const saved = new Map(entry.stage.outs.map((out) => [out.path, out]));
    if (saved.size !== declared.length || !declared.every((out) => saved.has(out.path))) return false;
    const outs = declared.map((out) => saved.get(out.path) as LockEntry);
    for (const out of outs) if (!(await io.hasObjects(out))) return false;
    const startedAtMs = Date.now();
    try {
      for (const out of outs) await io.checkoutPath(out.path, { hash: out.hash, size: out.size, ...(out.nfiles === undefined ? {} : { nfiles: out.nfiles }) });
    } catch (error) {
      if (!(error instanceof PipelineError)) throw error;
      emit({ kind: "warning", message: `stage '${stage.name}': the run cache's outputs could not be restored (${error.message}); running the command` });
      return false;
    }
    const lockEntry: LockStage = { ...base, outs };
    await recordLock(stage.name, lockEntry);
    changedInRun.add(stage.name);
    emit({ kind: "cached", stage: stage.name, reasons });
    const outcome: StageOutcome = {
      stage,
      state: "cached",
      deps: versions(base.deps),
      outs: versions(outs),
      params: flatParams(base.params),
      startedAtMs,
      endedAtMs: Date.now(),
      ...(entry.runId === undefined ? {} : { restoredFromRunId: entry.runId }),
    };
    outcomes.set(stage.name, outcome);
    const runId = await tracker.stageEnded(outcome);
    reports.set(stage.name, { stage: stage.name, state: "cached", reasons, ...(runId === undefined ? {} : { runId }) });
    return true;
  };

  /** A stage that started and did not succeed: recorded (and tracked) as failed; no new stage starts. */
  const recordFailure = async (stage: ResolvedStage, base: Omit<LockStage, "outs">, startedAtMs: number, why: string): Promise<void> => {
    stop = true;
    const outcome: StageOutcome = { stage, state: "failed", deps: versions(base.deps), outs: [], params: flatParams(base.params), startedAtMs, endedAtMs: Date.now(), error: why };
    outcomes.set(stage.name, outcome);
    emit({ kind: "failed", stage: stage.name, why });
    const runId = await tracker.stageEnded(outcome);
    reports.set(stage.name, { stage: stage.name, state: "failed", reasons: [why], ...(runId === undefined ? {} : { runId }) });
  };

  const fail = async (stage: ResolvedStage, base: Omit<LockStage, "outs">, startedAtMs: number, why: string): Promise<never> => {
    await recordFailure(stage, base, startedAtMs, why);
    throw new PipelineError(`command failed (${why}); its outputs were not cached and ${lockFileOf(pipeline.file)} was not updated`, where(stage.name));
  };

  const output = (stage: ResolvedStage) => {
    const prefix = `[${stage.name}] `;
    if (options.commandOutput !== undefined) return { prefix, ...options.commandOutput };
    return jobs > 1 ? { prefix, stdout: process.stdout, stderr: process.stderr } : ("inherit" as const);
  };

  const execute = async (stage: ResolvedStage, key: string, base: Omit<LockStage, "outs">, reasons: string[]): Promise<void> => {
    // Another stage failed (or a signal came) while this one was being checked: it does not start (reported not-run).
    if (stop) return;
    emit({ kind: "running", stage: stage.name, reasons, cmd: stage.cmd });
    const env = await tracker.stageStarting(stage);
    for (const out of stage.outs) await (out.persist ? io.unprotectPath(out.path) : io.removePath(out.path));
    const startedAtMs = Date.now();
    const end = await runStageCommand({
      cmd: stage.cmd,
      cwd: path.join(io.root, ...stage.wdir.split("/").filter((part) => part !== "")),
      env: { ...process.env, ...env },
      running,
      output: output(stage),
      stopped: () => stop,
    });
    // Stopped between its outs' removal and its command's start by a failure elsewhere: nothing of it ran, so it is
    // not a failure of its own; the lock keeps its old entry and the next repro restores or runs it.
    if (!end.ok && end.started === false && interrupted === undefined) return;
    if (!end.ok) return fail(stage, base, startedAtMs, end.why);
    for (const out of stage.outs) {
      if (!(await existsInWorkspace(io.root, out.path))) return fail(stage, base, startedAtMs, `it did not create its out '${out.path}'`);
    }
    const outs: LockEntry[] = [];
    const lockEntry: LockStage = { ...base, outs };
    try {
      for (const out of orderedOuts(stage)) outs.push({ path: out.path, ...(out.cache ? await io.saveToCache(out.path) : await io.hashPath(out.path)) });
      await recordLock(stage.name, lockEntry);
    } catch (error) {
      // An output that cannot be saved (a link leading out of the workspace, a full disk): the stage did not succeed.
      await recordFailure(stage, base, startedAtMs, `its outputs could not be saved: ${(error as Error).message}`);
      throw error;
    }
    changedInRun.add(stage.name);
    const endedAtMs = Date.now();
    emit({ kind: "ran", stage: stage.name, ms: endedAtMs - startedAtMs });
    const outcome: StageOutcome = { stage, state: "ran", deps: versions(base.deps), outs: versions(outs), params: flatParams(base.params), startedAtMs, endedAtMs };
    outcomes.set(stage.name, outcome);
    const runId = await tracker.stageEnded(outcome);
    reports.set(stage.name, { stage: stage.name, state: "ran", reasons, ...(runId === undefined ? {} : { runId }) });
    if (runCacheable(stage)) {
      await writes.run(() => io.withLock(() => writeRunCacheEntry(io.cacheDir, io.tmpDir, key, { stage: lockEntry, ...(runId === undefined ? {} : { runId }) })));
    }
  };

  const task = async (name: string): Promise<void> => {
    const stage = byName.get(name) as ResolvedStage;
    const upstreamChanged = (upstream.get(name) ?? []).some((up) => changedInRun.has(up));
    const { snapshot, reasons } = upstreamChanged ? await check(stage) : (initial.get(name) as Checked);
    if (stage.frozen || reasons.length === 0) {
      skip(stage, snapshot);
      return;
    }
    const base = { cmd: stage.cmd, deps: depEntries(stage, snapshot), params: snapshot.params };
    const key = runCacheKey(base);
    if (useRunCache && runCacheable(stage) && (await restore(stage, key, base, reasons))) return;
    await execute(stage, key, base, reasons);
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted ??= signal;
    stop = true;
    running.signal(signal);
  };
  const anyWillRun = plan.some((entry) => entry.state === "will-run");
  if (anyWillRun) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  let failure: unknown;
  try {
    await runDag({
      order: selected.map((stage) => stage.name),
      upstream,
      jobs,
      stopped: () => stop,
      task: async (name) => {
        try {
          await task(name);
        } catch (error) {
          stop = true;
          throw error;
        }
      },
    });
    if (interrupted !== undefined) throw new PipelineError(`interrupted by ${interrupted}`, { file: pipeline.file });
  } catch (error) {
    failure = error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const ordered = selected.flatMap((stage) => {
    const outcome = outcomes.get(stage.name);
    return outcome === undefined ? [] : [outcome];
  });
  await tracker.end(failure === undefined ? "FINISHED" : "FAILED", ordered);
  if (failure !== undefined) throw failure;
  return {
    pipelineFile: pipeline.file,
    stages: selected.map((stage) => reports.get(stage.name) ?? { stage: stage.name, state: "not-run", reasons: [] }),
  };
};
