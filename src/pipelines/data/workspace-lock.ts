import { open, readFile, unlink } from "node:fs/promises";
import { PipelineError } from "../errors.js";

/**
 * The workspace lock `.cairn/tmp/lock`: an exclusively created file holding the owner's pid, so two commands never
 * interleave their writes to the cache, the state db, the lock and pointer files. A lock whose pid is dead is stale
 * and taken over. Re-entrant inside one process (the repro engine holds it while calling saveToCache, which takes it
 * too): a count per lock file.
 */
const held = new Map<string, number>();

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

const tryCreate = async (lockFile: string): Promise<boolean> => {
  try {
    const handle = await open(lockFile, "wx", 0o644);
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
};

const ownerOf = async (lockFile: string): Promise<number | undefined> => {
  try {
    const pid = Number.parseInt((await readFile(lockFile, "utf8")).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface LockOptions {
  /** How long to wait for another live command to finish (default 10 s, as a person waits at the prompt). */
  timeoutMs?: number;
}

export const acquireWorkspaceLock = async (lockFile: string, options: LockOptions = {}): Promise<void> => {
  const count = held.get(lockFile);
  if (count !== undefined) {
    held.set(lockFile, count + 1);
    return;
  }
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    if (await tryCreate(lockFile)) break;
    const pid = await ownerOf(lockFile);
    // No readable pid: a lock being written right now (or garbage); only garbage older than the wait is taken over.
    if (pid !== undefined && pid !== process.pid && !isAlive(pid)) {
      await unlink(lockFile).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new PipelineError(
        `the workspace is locked by ${pid === undefined ? "another command" : `process ${pid}`}; wait for it to end (a lock of a dead process is taken over)`,
        { file: lockFile },
      );
    }
    await sleep(50);
  }
  held.set(lockFile, 1);
};

export const releaseWorkspaceLock = async (lockFile: string): Promise<void> => {
  const count = held.get(lockFile);
  if (count === undefined) return;
  if (count > 1) {
    held.set(lockFile, count - 1);
    return;
  }
  held.delete(lockFile);
  await unlink(lockFile).catch(() => undefined);
};

export const withWorkspaceLock = async <T>(lockFile: string, run: () => Promise<T>, options: LockOptions = {}): Promise<T> => {
  await acquireWorkspaceLock(lockFile, options);
  try {
    return await run();
  } finally {
    await releaseWorkspaceLock(lockFile);
  }
};
