import { existsSync } from "node:fs";
import { PipelineError } from "../../../pipelines/errors.js";
import type { HashInfo } from "../../../pipelines/data/hash-info.js";
import { POINTER_SUFFIX } from "../../../pipelines/data/pointer-file.js";
import { findPointers, readPointer } from "../../../pipelines/data/pointers.js";
import type { Workspace } from "../../../pipelines/data/workspace.js";
import { absoluteOf, toWorkspaceRelative } from "../../../pipelines/data/workspace-path.js";

/** One tracked path and the version its pointer file records. */
export interface TrackedOut {
  pointer: string;
  path: string;
  info: HashInfo;
}

export const MAX_TARGETS = 10_000;

/**
 * The outs named by command-line targets (a pointer file, or the data path it tracks), or every pointer's outs when
 * none is named. A target that nothing tracks is an error naming it.
 */
export const resolveTargets = (ws: Workspace, cwd: string, targets: readonly string[]): TrackedOut[] => {
  if (targets.length > MAX_TARGETS) throw new PipelineError(`at most ${MAX_TARGETS} targets per command`);
  const pointers =
    targets.length === 0
      ? findPointers(ws)
      : targets.map((target) => {
          const rel = toWorkspaceRelative(ws.root, target, cwd);
          const file = rel.endsWith(POINTER_SUFFIX) ? rel : `${rel}${POINTER_SUFFIX}`;
          if (!existsSync(absoluteOf(ws.root, file))) throw new PipelineError(`is not tracked (no ${file})`, { file: target });
          return readPointer(ws, file);
        });
  const seen = new Set<string>();
  const outs: TrackedOut[] = [];
  for (const found of pointers) {
    for (const [index, out] of found.pointer.outs.entries()) {
      const path = found.paths[index] as string;
      if (seen.has(path)) continue;
      seen.add(path);
      outs.push({ pointer: found.file, path, info: { hash: out.hash, size: out.size, ...(out.nfiles === undefined ? {} : { nfiles: out.nfiles }) } });
    }
  }
  return outs;
};
