import type { ResolvedPipeline, ResolvedStage } from "../definition/resolved-pipeline.js";
import type { LockStage } from "../lock/lock-file.js";
import type { PathVersion, StageOutcome, StageState } from "./repro-tracker.js";

/**
 * The parent run's `cairn-pipeline.json` (PIPELINE_SUMMARY_ARTIFACT): the DAG and what each stage did in this repro,
 * with the run that holds its details. Written by the tracker, read by the UI's pipeline page. Version 1:
 *
 *   {"version": 1, "pipeline_file": "dvc.yaml", "git_commit": "<sha>" | null,
 *    "stages": [{"name", "cmd", "state", "run_id", "deps": [{path, hash, size, nfiles?}], "outs": [...]}],
 *    "edges": [{"from": "prepare", "to": "train", "paths": ["data/prepared"]}]}
 */
export interface SummaryVersion {
  path: string;
  hash: string;
  size: number;
  nfiles?: number;
}

export interface SummaryStage {
  name: string;
  cmd: string | string[];
  state: StageState;
  run_id: string | null;
  deps: SummaryVersion[];
  outs: SummaryVersion[];
}

export interface SummaryEdge {
  from: string;
  to: string;
  paths: string[];
}

export interface PipelineSummary {
  version: 1;
  pipeline_file: string;
  git_commit: string | null;
  stages: SummaryStage[];
  edges: SummaryEdge[];
}

const version = (entry: PathVersion): SummaryVersion => ({
  path: entry.path,
  hash: entry.hash,
  size: entry.size,
  ...(entry.nfiles === undefined ? {} : { nfiles: entry.nfiles }),
});

/** `a` is `b`, or one of them is a folder holding the other. */
export const pathsOverlap = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/** An edge from -> to for every dependency of `to` that an output of `from` is, contains or sits inside. */
export const pipelineEdges = (stages: readonly ResolvedStage[]): SummaryEdge[] => {
  const edges: SummaryEdge[] = [];
  for (const to of stages) {
    for (const from of stages) {
      if (from === to) continue;
      const paths = to.deps.filter((dep) => from.outs.some((out) => pathsOverlap(out.path, dep)));
      if (paths.length > 0) edges.push({ from: from.name, to: to.name, paths });
    }
  }
  return edges;
};

export interface SummaryInput {
  pipeline: ResolvedPipeline;
  gitCommit: string | null;
  outcomes: readonly StageOutcome[];
  /** The runs this repro made, by stage. */
  runIds: ReadonlyMap<string, string>;
  /** The workspace's last known run per stage (stage-runs.json), for stages this repro skipped. */
  lastRuns: Readonly<Record<string, string>>;
  /** The lock file's entries: the versions of a skipped stage the engine gave no outcome for. */
  lock: Readonly<Record<string, LockStage>>;
}

export const buildPipelineSummary = ({ pipeline, gitCommit, outcomes, runIds, lastRuns, lock }: SummaryInput): PipelineSummary => {
  const byStage = new Map(outcomes.map((outcome) => [outcome.stage.name, outcome]));
  const stages = pipeline.stages.map((stage): SummaryStage => {
    const outcome = byStage.get(stage.name);
    const state = outcome?.state ?? "skipped";
    const locked = lock[stage.name];
    const useLock = outcome === undefined || (state === "skipped" && outcome.deps.length === 0 && outcome.outs.length === 0);
    return {
      name: stage.name,
      cmd: stage.cmd,
      state,
      run_id: runIds.get(stage.name) ?? (state === "skipped" ? (lastRuns[stage.name] ?? null) : null),
      deps: (useLock ? (locked?.deps ?? []) : (outcome?.deps ?? [])).map(version),
      outs: (useLock ? (locked?.outs ?? []) : (outcome?.outs ?? [])).map(version),
    };
  });
  return { version: 1, pipeline_file: pipeline.file, git_commit: gitCommit, stages, edges: pipelineEdges(pipeline.stages) };
};
