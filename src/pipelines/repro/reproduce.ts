import { openWorkspace, type Workspace } from "../data/workspace.js";
import { loadPipeline } from "../definition/load-pipeline.js";
import { loadStageParams } from "../definition/stage-params.js";
import { reproducePipeline, type ReproOptions, type ReproResult } from "./reproduce-pipeline.js";
import { workspaceIo } from "./workspace-io.js";

export type { ReproOptions, ReproResult, StageReport, StageReportState } from "./reproduce-pipeline.js";
export type { ReproEvent } from "./repro-events.js";
export { describeReproEvent } from "./repro-events.js";

/**
 * `cairn repro`: the workspace's pipeline (cairn.yaml, else dvc.yaml) brought up to date. Give an open workspace, or
 * the folder to find one from (default: the current directory). See reproducePipeline for the rules.
 */
export const reproduce = async (options: ReproOptions & { ws?: Workspace; cwd?: string } = {}): Promise<ReproResult> => {
  const { ws: given, cwd, ...rest } = options;
  const ws = given ?? (await openWorkspace(cwd ?? process.cwd()));
  try {
    const pipeline = await loadPipeline(ws.root);
    return await reproducePipeline(pipeline, workspaceIo(ws, (stage, files) => loadStageParams(pipeline, stage, files)), rest);
  } finally {
    if (given === undefined) ws.close();
  }
};
