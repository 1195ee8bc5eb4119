import { lstat } from "node:fs/promises";
import { resolve } from "node:path";
import { OutputIndex, stageInputs } from "./graph.js";
import type { ResolvedPipeline, ResolvedStage } from "./resolved-pipeline.js";

/**
 * A stage's inputs (deps and params files) that no stage produces and that are not on disk: what `repro` reports
 * as "missing dependency" before running the stage. Checked at repro time, not at load, because the data may come
 * from `cairn pull` or `cairn checkout` between the two.
 */
export const missingDeps = async (pipeline: ResolvedPipeline, stage: ResolvedStage | string, index = new OutputIndex(pipeline)): Promise<string[]> => {
  const resolved = typeof stage === "string" ? pipeline.stages.find((candidate) => candidate.name === stage) : stage;
  if (resolved === undefined) return [];
  const missing: string[] = [];
  for (const path of stageInputs(resolved)) {
    if (index.overlapping(path).length > 0) continue;
    try {
      await lstat(resolve(pipeline.root, path));
    } catch {
      missing.push(path);
    }
  }
  return missing;
};
