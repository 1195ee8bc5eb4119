import { statusOfPointers, type OutStatus } from "../../../pipelines/data/pointer-status.js";
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

/**
 * `cairn status [--json]`: each tracked path against its pointer file. The JSON is {outs: [{pointer, path, hash,
 * state, in_cache, current?, changes?}]}; the human output lists what changed, or says all is up to date.
 */
export const statusCommand = async (cwd: string): Promise<CommandResult> =>
  inWorkspace(cwd, async (ws) => {
    const statuses = await statusOfPointers(ws);
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
    };
    const text =
      statuses.length === 0
        ? "Nothing is tracked (no pointer files)."
        : changed.length === 0
          ? `Data and pointer files are up to date (${statuses.length} tracked ${statuses.length === 1 ? "path" : "paths"}).`
          : changed.flatMap(describe).join("\n");
    return { data, human: { kind: "message", text } };
  });
