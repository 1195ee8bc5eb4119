import type { ResolvedPipeline } from "../definition/resolved-pipeline.js";
import { readLock } from "../lock/lock-store.js";
import type { ReproIo } from "./repro-io.js";
import { stageChanges } from "./stage-changes.js";
import { snapshotOf } from "./stage-snapshot.js";

export interface StageStatus {
  stage: string;
  /** "frozen": never run by repro, whatever changed (its reasons are still listed). */
  state: "up to date" | "changed" | "frozen";
  /** e.g. "cmd changed", "dep data/x modified", "param train.lr changed", "out model.onnx missing". */
  reasons: string[];
}

export interface PipelineStatus {
  pipelineFile: string;
  stages: StageStatus[];
}

/**
 * Each stage against its lock entry, as `cairn status` shows it: only the stage's own changes (a stage downstream of
 * a changed one is listed as up to date until its inputs actually change). Reads and hashes (through the state db),
 * writes nothing, contacts no server.
 */
export const pipelineStatusOf = async (pipeline: ResolvedPipeline, io: ReproIo): Promise<PipelineStatus> => {
  const lock = await readLock(io.root, pipeline.file, io.tmpDir);
  const reads = io.cachedReads();
  const stages = await Promise.all(
    pipeline.stages.map(async (stage): Promise<StageStatus> => {
      const reasons = stageChanges(stage, lock.stages[stage.name], await snapshotOf(reads, stage));
      return { stage: stage.name, state: stage.frozen ? "frozen" : reasons.length === 0 ? "up to date" : "changed", reasons };
    }),
  );
  return { pipelineFile: pipeline.file, stages };
};
