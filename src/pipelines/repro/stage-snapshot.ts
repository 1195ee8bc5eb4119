import { lstat } from "node:fs/promises";
import path from "node:path";
import type { ResolvedStage } from "../definition/resolved-pipeline.js";
import type { ReproIo } from "./repro-io.js";
import type { CurrentVersion, StageSnapshot } from "./stage-changes.js";

/** Whether a workspace-relative path exists (a dangling symlink counts: hashing it then says what is wrong). */
export const existsInWorkspace = async (root: string, relPath: string): Promise<boolean> => {
  try {
    await lstat(path.join(root, ...relPath.split("/")));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return false;
    throw error;
  }
};

const versionOf = async (io: ReproIo, relPath: string): Promise<CurrentVersion> =>
  (await existsInWorkspace(io.root, relPath)) ? io.hashPath(relPath) : "missing";

/**
 * A stage's deps, outs and params as they are in the workspace now. Hashing goes through the data API's state db,
 * so a file whose (inode, mtime, size) did not change is not read again: this is what keeps "nothing changed" fast.
 */
export const snapshotOf = async (io: ReproIo, stage: ResolvedStage): Promise<StageSnapshot> => {
  const [deps, outs, params] = await Promise.all([
    Promise.all(stage.deps.map(async (dep) => [dep, await versionOf(io, dep)] as const)),
    Promise.all(stage.outs.map(async (out) => [out.path, await versionOf(io, out.path)] as const)),
    io.loadParams(stage),
  ]);
  return { deps: new Map(deps), outs: new Map(outs), params };
};
