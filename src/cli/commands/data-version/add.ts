import { lstat } from "node:fs/promises";
import { PipelineError } from "../../../pipelines/errors.js";
import { isDirHash } from "../../../pipelines/data/hash-info.js";
import { POINTER_SUFFIX } from "../../../pipelines/data/pointer-file.js";
import { addToGitignore, findPointers, writePointer } from "../../../pipelines/data/pointers.js";
import { saveToCache } from "../../../pipelines/data/workspace.js";
import { absoluteOf, toWorkspaceRelative } from "../../../pipelines/data/workspace-path.js";
import type { CommandResult } from "../../output.js";
import { inWorkspace } from "./open.js";

/** Paths one `cairn add` takes: a shell glob can expand to many, each its own pointer file. */
const MAX_PATHS = 10_000;

interface Added {
  path: string;
  pointer: string;
  hash: string;
  size: number;
  nfiles?: number;
}

/**
 * `cairn add PATH...`: each file or folder is saved to the cache and linked back, `PATH.cairn` is written beside it
 * (for git) and `/PATH` added to the .gitignore in its folder, as DVC does. All paths are checked before any is saved.
 */
export const addCommand = async (cwd: string, paths: readonly string[]): Promise<CommandResult> => {
  if (paths.length === 0) throw new PipelineError("name at least one file or folder to add");
  if (paths.length > MAX_PATHS) throw new PipelineError(`at most ${MAX_PATHS} paths per command`);
  return inWorkspace(cwd, async (ws) => {
    const rels = paths.map((path) => toWorkspaceRelative(ws.root, path, cwd));
    for (const [index, rel] of rels.entries()) {
      if (rel.endsWith(POINTER_SUFFIX)) throw new PipelineError("is a pointer file; add the data it tracks instead", { file: rel });
      await lstat(absoluteOf(ws.root, rel)).catch(() => {
        throw new PipelineError("does not exist", { file: paths[index] });
      });
    }
    // As DVC: a path inside a tracked folder, or a folder holding a tracked path, would be versioned twice.
    const tracked = findPointers(ws).flatMap((found) => found.paths.map((path) => ({ path, pointer: found.file })));
    for (const rel of rels) {
      const overlap = tracked.find((item) => item.path !== rel && (rel.startsWith(`${item.path}/`) || item.path.startsWith(`${rel}/`)));
      if (overlap !== undefined) throw new PipelineError(`overlaps ${overlap.path}, tracked by ${overlap.pointer}`, { file: rel });
    }
    const added: Added[] = await ws.withLock(async () => {
      const done: Added[] = [];
      for (const rel of new Set(rels)) {
        const info = await saveToCache(ws, rel);
        const pointer = `${rel}${POINTER_SUFFIX}`;
        const name = rel.slice(rel.lastIndexOf("/") + 1);
        await writePointer(ws, pointer, { outs: [{ path: name, ...info }] });
        await addToGitignore(ws, rel);
        done.push({ path: rel, pointer, hash: info.hash, size: info.size, ...(isDirHash(info.hash) ? { nfiles: info.nfiles ?? 0 } : {}) });
      }
      return done;
    });
    const lines = added.map((item) => `Added ${item.path}${item.nfiles === undefined ? "" : ` (${item.nfiles} files)`} -> ${item.pointer}`);
    const toGit = added.flatMap((item) => [item.pointer, `${item.path.includes("/") ? item.path.slice(0, item.path.lastIndexOf("/") + 1) : ""}.gitignore`]);
    lines.push(`To track the changes with git, run:\n  git add ${[...new Set(toGit)].join(" ")}`);
    return { data: { added }, human: { kind: "message", text: lines.join("\n") } };
  });
};
