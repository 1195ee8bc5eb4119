import type { HashInfo } from "../data/hash-info.js";
import type { ResolvedPipeline, ResolvedStage } from "../definition/resolved-pipeline.js";

/**
 * How `cairn repro` reports to the tracking server. The engine calls it; the MLflow-run implementation lives in
 * tracking/ (one parent run per repro, one child run per stage that runs or is restored from the run cache). A
 * repro that runs nothing makes no call at all, so "nothing changed" never waits on the network.
 */
export type StageState = "ran" | "cached" | "skipped" | "failed";

export interface PathVersion extends HashInfo {
  path: string;
}

export interface StageOutcome {
  stage: ResolvedStage;
  state: StageState;
  deps: PathVersion[];
  /** Outs, metrics and plots as hashed after the run (empty when the stage failed). */
  outs: PathVersion[];
  /** "file:key" -> value, the params the stage used. */
  params: Record<string, unknown>;
  startedAtMs: number;
  endedAtMs: number;
  /** For state "cached": the run (if known) whose outputs were restored. */
  restoredFromRunId?: string;
  /** For state "failed": why (exit code, signal, spawn error). */
  error?: string;
}

export interface ReproTracker {
  /** Before the first stage that will run: creates the parent run. */
  begin(pipeline: ResolvedPipeline, plan: { stage: string; state: "will-run" | "skipped" }[]): Promise<void>;
  /**
   * Right before a stage's command starts: creates its run and returns the environment the command gets
   * (MLFLOW_TRACKING_URI, MLFLOW_RUN_ID, MLFLOW_EXPERIMENT_ID, CAIRN_STAGE) so that an MLflow client in the command logs
   * into the stage's run.
   */
  stageStarting(stage: ResolvedStage): Promise<Record<string, string>>;
  /** After the stage ended (ran, failed) or was restored from the run cache (cached; stageStarting not called). */
  stageEnded(outcome: StageOutcome): Promise<{ runId: string }>;
  /** After the last stage: ends the parent run FINISHED or FAILED and records the pipeline's DAG and states. */
  end(status: "FINISHED" | "FAILED", outcomes: StageOutcome[]): Promise<void>;
}

/** Tags written on runs, read by the server's lineage and the UI's pipeline page. */
export const PIPELINE_TAGS = {
  /** On the parent run: the workspace-relative pipeline file ("dvc.yaml"). */
  pipelineFile: "cairn.pipeline.file",
  /** On the parent run: "true". */
  pipelineParent: "cairn.pipeline",
  /** On a stage run: the stage name. */
  stage: "cairn.stage",
  /** On a stage run: ran | cached | failed. */
  stageState: "cairn.stage.state",
  /** On a stage run: the command. */
  stageCmd: "cairn.stage.cmd",
  /** On a cached stage run: the run whose outputs were restored. */
  restoredFrom: "cairn.stage.restored_from",
  /** On a failed stage run: why it failed (exit code, signal, spawn error). */
  stageError: "cairn.stage.error",
  /** On a stage run: what tracking left out or changed (an oversize artifact, an unreadable metrics file), one per line. */
  stageNotes: "cairn.stage.notes",
  /** On the parent run of `cairn exp run`: the experiment's name. */
  experiment: "cairn.experiment",
} as const;

/** The artifact on the parent run holding the DAG and each stage's state and run id (pipeline-summary.ts's shape). */
export const PIPELINE_SUMMARY_ARTIFACT = "cairn-pipeline.json";

/** How a data version appears in MLflow's dataset inputs: source_type and the source's URI scheme. */
export const DATA_VERSION_SOURCE_TYPE = "cairn-data";
export const dataVersionUri = (hash: string): string => `cairn-data://sha256/${hash}`;
/** The dataset input tag `mlflow.data.context`: "cairn.output" for a stage's outputs, "cairn.input" for its deps. */
export const DATA_CONTEXT_INPUT = "cairn.input";
export const DATA_CONTEXT_OUTPUT = "cairn.output";
