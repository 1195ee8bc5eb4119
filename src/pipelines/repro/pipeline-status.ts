import type { Workspace } from "../data/workspace.js";
import { findPipelineFile, loadPipeline } from "../definition/load-pipeline.js";
import { loadStageParams } from "../definition/stage-params.js";
import { pipelineStatusOf, type PipelineStatus } from "./pipeline-status-of.js";
import { workspaceIo } from "./workspace-io.js";

export type { PipelineStatus, StageStatus } from "./pipeline-status-of.js";

/**
 * For `cairn status`: each stage of the workspace's pipeline, up to date or changed with the reasons; undefined when
 * the workspace has no pipeline file (a data-only workspace).
 */
export const pipelineStatus = async (ws: Workspace): Promise<PipelineStatus | undefined> => {
  if ((await findPipelineFile(ws.root)) === undefined) return undefined;
  const pipeline = await loadPipeline(ws.root);
  return pipelineStatusOf(pipeline, workspaceIo(ws, (stage, files) => loadStageParams(pipeline, stage, files)));
};
