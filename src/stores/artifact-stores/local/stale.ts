import { randomBytes } from "node:crypto";
import { readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/**
 * Leftovers of a crash (a temporary file whose upload never finished) or of clients that never completed nor
 * aborted a multipart upload. Only entries older than a cut-off go: several servers may share one root, and a
 * fresh entry may belong to an upload that another server is receiving right now. A temporary file's mtime moves with
 * every chunk written, so one untouched for an hour belongs to no live upload (a request idle that long is long gone);
 * a multipart upload's parts may legitimately arrive days apart.
 */
export const TEMP_FILE_MAX_AGE_MS = 60 * 60 * 1000;
export const MULTIPART_UPLOAD_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export const removeEntriesOlderThan = async (dir: string, maxAgeMs: number, now: number = Date.now()): Promise<number> => {
  let removed = 0;
  for (const name of await readdir(dir)) {
    const entry = path.join(dir, name);
    const info = await stat(entry).catch(() => undefined);
    if (info && now - info.mtimeMs > maxAgeMs) {
      await rm(entry, { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
};

const HOST = os.hostname().replace(/[^A-Za-z0-9-]/g, "_").slice(0, 64) || "host";
const INSTANCE = randomBytes(4).toString("hex");
// '~' delimits the tag on both sides (a host name never holds one), wherever the tag sits in a name.
const OWNER = /~([A-Za-z0-9_-]+)~(\d+)~([0-9a-f]{8})~/;

/**
 * A tag for the names of this process's staging entries (host, pid, a per-process instance id). Start-up reads it
 * back to remove at once what a process of this host that no longer runs left behind (kill -9, a crash, a power
 * cut), instead of waiting for the age cut-off; entries of other hosts sharing the root still go by age only. The
 * instance id tells this process from an earlier one that had the same pid (pid 1 in a container, every time).
 */
export const stagingOwnerTag = (): string => `~${HOST}~${process.pid}~${INSTANCE}~`;

const processIsGone = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
};

/** A staging entry no live process owns: older than the cut-off, or tagged by a process of this host that is gone. */
export const isOrphanedStaging = (name: string, mtimeMs: number, maxAgeMs: number, now: number = Date.now()): boolean => {
  if (now - mtimeMs > maxAgeMs) return true;
  const owner = OWNER.exec(name);
  if (owner === null || owner[1] !== HOST) return false;
  const pid = Number(owner[2]);
  if (pid === process.pid) return owner[3] !== INSTANCE;
  return processIsGone(pid);
};

/** Removes the entries of `dir` (those `select` picks) that no live process owns; returns how many went. */
export const removeOrphanedEntries = async (
  dir: string,
  maxAgeMs: number,
  select: (name: string) => boolean = () => true,
  now: number = Date.now(),
): Promise<number> => {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!select(name)) continue;
    const entry = path.join(dir, name);
    const info = await stat(entry).catch(() => undefined);
    if (info && isOrphanedStaging(name, info.mtimeMs, maxAgeMs, now)) {
      await rm(entry, { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
};
