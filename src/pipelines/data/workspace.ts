import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PipelineError } from "../errors.js";
import { CACHE_DIR, CONFIG_FILE, STATE_DB, TMP_DIR, WORKSPACE_DIR } from "./cache-layout.js";
import { StateDb } from "./state-db.js";
import { parseWorkspaceConfig, type WorkspaceConfig } from "./workspace-config.js";
import { withWorkspaceLock } from "./workspace-lock.js";

/**
 * An open Cairn workspace: the folder holding `.cairn/`, its parsed config, and (opened on first use) its state db.
 * Every data and pipeline command starts with openWorkspace(cwd) and ends with close().
 */
export interface Workspace {
  /** Absolute path of the folder holding `.cairn/`. */
  readonly root: string;
  readonly cairnDir: string;
  readonly cacheDir: string;
  readonly tmpDir: string;
  readonly config: WorkspaceConfig;
  /** The state db, opened on first use (commands that only read pointer files never open it). */
  readonly state: StateDb;
  /** Runs `fn` holding the workspace lock (re-entrant in this process). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  close(): void;
}

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** The nearest folder at or above `cwd` holding `.cairn/`, or undefined. */
export const findWorkspaceRoot = (cwd: string): string | undefined => {
  let current = resolve(cwd);
  for (;;) {
    if (isDirectory(join(current, WORKSPACE_DIR))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
};

export const readWorkspaceConfig = (cairnDir: string): WorkspaceConfig => {
  const file = join(cairnDir, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return parseWorkspaceConfig("", file);
    throw new PipelineError(`cannot read the config: ${(error as Error).message}`, { file });
  }
  return parseWorkspaceConfig(text, file);
};

export const openWorkspace = async (cwd: string): Promise<Workspace> => {
  const root = findWorkspaceRoot(cwd);
  if (root === undefined) throw new PipelineError("not a Cairn workspace (run `cairn init`)", { file: resolve(cwd) });
  const cairnDir = join(root, WORKSPACE_DIR);
  const config = readWorkspaceConfig(cairnDir);
  const tmpDir = join(cairnDir, TMP_DIR);
  const lockFile = join(tmpDir, "lock");
  let state: StateDb | undefined;
  let closed = false;
  return {
    root,
    cairnDir,
    cacheDir: join(cairnDir, CACHE_DIR),
    tmpDir,
    config,
    get state(): StateDb {
      if (closed) throw new Error("the workspace is closed");
      state ??= new StateDb(join(cairnDir, STATE_DB));
      return state;
    },
    withLock: async <T>(fn: () => Promise<T>): Promise<T> => {
      const { mkdir } = await import("node:fs/promises");
      await mkdir(tmpDir, { recursive: true });
      return withWorkspaceLock(lockFile, fn);
    },
    close: () => {
      closed = true;
      state?.close();
      state = undefined;
    },
  };
};

export { hashPath } from "./hash-path.js";
export { saveToCache } from "./save-to-cache.js";
export { checkoutPath } from "./checkout-path.js";
export { objectsOf } from "./objects-of.js";
export { removePath } from "./remove-path.js";
