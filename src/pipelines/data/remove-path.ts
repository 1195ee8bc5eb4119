import { lstat, rm, unlink } from "node:fs/promises";
import type { Workspace } from "./workspace.js";
import { absoluteOf, toWorkspaceRelative } from "./workspace-path.js";

/**
 * Deletes a workspace output (file, symlink or directory) before a stage runs or a checkout: links are unlinked,
 * never followed, so the cache's bytes are never touched. A path that does not exist is fine. Refuses paths outside
 * the workspace and `.cairn/`.
 */
export const removePath = async (ws: Workspace, relPath: string): Promise<void> => {
  const rel = toWorkspaceRelative(ws.root, relPath);
  const abs = absoluteOf(ws.root, rel);
  await ws.withLock(async () => {
    let stats;
    try {
      stats = await lstat(abs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    if (stats.isDirectory()) await rm(abs, { recursive: true, force: true });
    else await unlink(abs);
  });
};
