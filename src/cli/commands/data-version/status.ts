import { statusOfPointers, type OutStatus } from "../../../pipelines/data/pointer-status.js";
import type { PipelineStatus, StageStatus } from "../../../pipelines/repro/pipeline-status.js";
import type { CommandResult } from "../../output.js";
import { inWorkspace } from "./open.js";

/** Files listed per kind of change in the human output (--json lists all). */
const MAX_LISTED = 20;

const describe = (status: OutStatus): string[] => {
  const lines = [`${status.path}: ${status.state}${status.state === "modified" && !status.inCache ? " (recorded version not in cache)" : ""}`];
  const changes = status.changes;
  if (changes !== undefined) {
    for (const kind of ["added", "modified", "deleted"] as const) {
      const files = changes[kind];
      for (const file of files.slice(0, MAX_LISTED)) lines.push(`    ${kind}: ${file}`);
      if (files.length > MAX_LISTED) lines.push(`    ... ${files.length - MAX_LISTED} more ${kind}`);
    }
  }
  return lines;
};

const describeStage = (status: StageStatus): string[] => [`${status.stage}: ${status.state}`, ...status.reasons.map((reason) => `    ${reason}`)];

const stagesText = (pipeline: PipelineStatus): string => {
  const changed = pipeline.stages.filter((stage) => stage.state !== "up to date");
  const count = `${pipeline.stages.length} ${pipeline.stages.length === 1 ? "stage" : "stages"}`;
  return changed.length === 0 ? `Pipeline ${pipeline.pipelineFile}: ${count} up to date.` : changed.flatMap(describeStage).join("\n");
};

/**
 * `cairn status [--json]`: each tracked path against its pointer file, then (when the workspace has a pipeline file)
 * each stage against the lock file, as `dvc status` covers both. The JSON is {outs: [{pointer, path, hash, state,
 * in_cache, current?, changes?}], pipeline?: {file, stages: [{stage, state, reasons}]}}; the human output lists what
 * changed, or says all is up to date. The pipeline module is loaded only when a pipeline file exists.
 */
export const statusCommand = async (cwd: string): Promise<CommandResult> =>
  inWorkspace(cwd, async (ws) => {
    const statuses = await statusOfPointers(ws);
    const pipeline = await (await import("../../../pipelines/repro/pipeline-status.js")).pipelineStatus(ws);
    const changed = statuses.filter((status) => status.state !== "unchanged");
    const data = {
      outs: statuses.map((status) => ({
        pointer: status.pointer,
        path: status.path,
        hash: status.hash,
        state: status.state,
        in_cache: status.inCache,
        ...(status.current === undefined ? {} : { current: status.current }),
        ...(status.changes === undefined ? {} : { changes: status.changes }),
      })),
      ...(pipeline === undefined ? {} : { pipeline: { file: pipeline.pipelineFile, stages: pipeline.stages } }),
    };
    const dataText =
      statuses.length === 0
        ? pipeline === undefined
          ? "Nothing is tracked (no pointer files, no pipeline file)."
          : undefined
        : changed.length === 0
          ? `Data and pointer files are up to date (${statuses.length} tracked ${statuses.length === 1 ? "path" : "paths"}).`
          : changed.flatMap(describe).join("\n");
    const text = [dataText, pipeline === undefined ? undefined : stagesText(pipeline)].filter((part) => part !== undefined).join("\n");
    return { data, human: { kind: "message", text } };
  });
