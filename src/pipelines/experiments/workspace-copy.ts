import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { copyFile, lstat, mkdir, readlink, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { CACHE_DIR, TMP_DIR, WORKSPACE_DIR } from "../data/cache-layout.js";
import { PipelineError } from "../errors.js";

/**
 * Where a queued experiment runs: a copy of the workspace's git-tracked (and untracked, not ignored) files as they are
 * on disk, so the experiment sees the pipeline and params the user queued it with, while the workspace itself is
 * never touched. The copy lives in the workspace's `.cairn/tmp/exp-runs/` (git-ignored, and on the same file system
 * as the cache, so objects are renamed into it, never copied across devices), and its `.cairn/cache` is a link to the
 * workspace's cache: outputs land in the shared cache and the run cache restores what another experiment computed.
 * Data tracked by pointer files is not in git; the caller checks it out of the shared cache.
 */
export const EXP_RUNS_DIR = "exp-runs";
/** Most files copied: a repository bigger than this belongs in a git worktree, not a copy per experiment. */
export const MAX_COPIED_FILES = 200_000;

export interface WorkspaceCopy {
  /** Absolute root of the copy (it holds its own `.cairn/`). */
  root: string;
  /** Workspace-relative paths copied. */
  files: string[];
  dispose(): Promise<void>;
}

const gitFiles = (root: string): Promise<string[]> =>
  new Promise((resolve, reject) => {
    execFile(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      { cwd: root, maxBuffer: 256 * 1024 * 1024, windowsHide: true },
      (error, stdout) => {
        if (error !== null) {
          reject(new PipelineError("`cairn exp run --run-all` runs each experiment in a copy of the git-tracked files: the workspace must be in a git repository"));
          return;
        }
        resolve(stdout.split("\0").filter((file) => file !== ""));
      },
    );
  });

/** Whether a workspace-relative path is inside `.cairn/` but not one of the files a copy takes from there. */
const isCairnState = (file: string): boolean => file.startsWith(`${WORKSPACE_DIR}/`) && file !== `${WORKSPACE_DIR}/config.yaml` && file !== `${WORKSPACE_DIR}/.gitignore`;

export const createWorkspaceCopy = async (root: string, name: string): Promise<WorkspaceCopy> => {
  const listed = (await gitFiles(root)).filter((file) => !isCairnState(file));
  if (listed.length > MAX_COPIED_FILES) throw new PipelineError(`the workspace has more than ${MAX_COPIED_FILES} files in git: too many to copy per experiment`);
  const copyRoot = path.join(root, WORKSPACE_DIR, TMP_DIR, EXP_RUNS_DIR, `${name}-${randomBytes(4).toString("hex")}`);
  const dispose = (): Promise<void> => rm(copyRoot, { recursive: true, force: true });
  try {
    await mkdir(path.join(copyRoot, WORKSPACE_DIR, TMP_DIR), { recursive: true });
    const sharedCache = path.join(root, WORKSPACE_DIR, CACHE_DIR);
    await mkdir(sharedCache, { recursive: true });
    await symlink(sharedCache, path.join(copyRoot, WORKSPACE_DIR, CACHE_DIR), "dir");
    const files: string[] = [];
    const made = new Set<string>();
    for (const file of listed) {
      const source = path.join(root, ...file.split("/"));
      const info = await lstat(source).catch(() => undefined);
      if (info === undefined) continue; // deleted in the workspace but not yet in git: the experiment sees it deleted
      const target = path.join(copyRoot, ...file.split("/"));
      const dir = path.dirname(target);
      if (!made.has(dir)) {
        await mkdir(dir, { recursive: true });
        made.add(dir);
      }
      if (info.isSymbolicLink()) await symlink(await readlink(source), target);
      else if (info.isFile()) await copyFile(source, target, constants.COPYFILE_FICLONE);
      else continue;
      files.push(file);
    }
    return { root: copyRoot, files, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
};
