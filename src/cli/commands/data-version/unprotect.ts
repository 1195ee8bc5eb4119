import { lstatSync } from "node:fs";
import { PipelineError } from "../../../pipelines/errors.js";
import { unprotectFile } from "../../../pipelines/data/links.js";
import { scanPath } from "../../../pipelines/data/scan-path.js";
import { absoluteOf, toWorkspaceRelative } from "../../../pipelines/data/workspace-path.js";
import type { CommandResult } from "../../output.js";
import { inWorkspace } from "./open.js";

const MAX_PATHS = 10_000;

/**
 * `cairn unprotect PATH...`: replaces hardlinked or symlinked (read-only) workspace files by writable copies, so they
 * can be edited without reaching the cache. A folder: every file in it.
 */
export const unprotectCommand = async (cwd: string, paths: readonly string[]): Promise<CommandResult> => {
  if (paths.length === 0) throw new PipelineError("name at least one file or folder to unprotect");
  if (paths.length > MAX_PATHS) throw new PipelineError(`at most ${MAX_PATHS} paths per command`);
  return inWorkspace(cwd, async (ws) =>
    ws.withLock(async () => {
      const changed: string[] = [];
      for (const path of paths) {
        const rel = toWorkspaceRelative(ws.root, path, cwd);
        try {
          lstatSync(absoluteOf(ws.root, rel));
        } catch {
          throw new PipelineError("does not exist", { file: path });
        }
        const scan = await scanPath(ws, rel);
        for (const file of scan.files) {
          if (await unprotectFile(ws, file.abs)) changed.push(file.relpath === "" ? rel : `${rel}/${file.relpath}`);
        }
      }
      const text = changed.length === 0 ? "Nothing to unprotect: the files are already writable copies." : `Unprotected ${changed.length} file(s): they are writable copies now.`;
      return { data: { unprotected: changed }, human: { kind: "message", text } };
    }),
  );
};
