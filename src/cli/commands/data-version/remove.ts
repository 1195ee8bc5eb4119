import { existsSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { PipelineError } from "../../../pipelines/errors.js";
import { unprotectFile } from "../../../pipelines/data/links.js";
import { POINTER_SUFFIX } from "../../../pipelines/data/pointer-file.js";
import { readPointer, removeFromGitignore } from "../../../pipelines/data/pointers.js";
import { scanPath } from "../../../pipelines/data/scan-path.js";
import { absoluteOf, toWorkspaceRelative } from "../../../pipelines/data/workspace-path.js";
import type { CommandResult } from "../../output.js";
import { inWorkspace } from "./open.js";

const MAX_PATHS = 10_000;

/**
 * `cairn remove PATH.cairn...`: stops tracking. The pointer file and the data's .gitignore line go; the data stays in
 * the workspace as plain writable files (links to the cache are replaced by copies, so a later gc cannot break them)
 * and its objects stay in the cache.
 */
export const removeCommand = async (cwd: string, pointers: readonly string[]): Promise<CommandResult> => {
  if (pointers.length === 0) throw new PipelineError("name at least one pointer file (PATH.cairn)");
  if (pointers.length > MAX_PATHS) throw new PipelineError(`at most ${MAX_PATHS} paths per command`);
  return inWorkspace(cwd, async (ws) =>
    ws.withLock(async () => {
      const files = pointers.map((pointer) => {
        const rel = toWorkspaceRelative(ws.root, pointer, cwd);
        if (!rel.endsWith(POINTER_SUFFIX)) throw new PipelineError(`is not a pointer file (expected a name ending in ${POINTER_SUFFIX})`, { file: pointer });
        if (!existsSync(absoluteOf(ws.root, rel))) throw new PipelineError("does not exist", { file: pointer });
        return readPointer(ws, rel);
      });
      const removed: string[] = [];
      for (const found of files) {
        for (const path of found.paths) {
          if (existsSync(absoluteOf(ws.root, path))) {
            for (const file of (await scanPath(ws, path)).files) await unprotectFile(ws, file.abs);
          }
          await removeFromGitignore(ws, path);
        }
        await unlink(absoluteOf(ws.root, found.file));
        removed.push(found.file);
      }
      return { data: { removed }, human: { kind: "message", text: `Stopped tracking: ${removed.join(", ")} (the data stays in the workspace).` } };
    }),
  );
};
