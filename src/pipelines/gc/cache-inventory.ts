import { readdir } from "node:fs/promises";
import path from "node:path";
import { RUNS_DIR } from "../data/cache-layout.js";

/**
 * What the local cache holds: every object (by hash, from its path `files/sha256/ab/<62 hex>[.dir]`) and every
 * run-cache entry (`runs/ab/<62 hex>.yaml`). Anything else there (a temporary file of an interrupted write) is not
 * an object and is left alone.
 */
const OBJECT_NAME = /^[0-9a-f]{62}(\.dir)?$/;
const ENTRY_NAME = /^[0-9a-f]{62}\.yaml$/;
const PREFIX = /^[0-9a-f]{2}$/;

const listDir = async (dir: string): Promise<string[]> => {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
};

export const cachedObjects = async (cacheDir: string): Promise<string[]> => {
  const root = path.join(cacheDir, "files", "sha256");
  const hashes: string[] = [];
  for (const prefix of (await listDir(root)).sort()) {
    if (!PREFIX.test(prefix)) continue;
    for (const name of (await listDir(path.join(root, prefix))).sort()) if (OBJECT_NAME.test(name)) hashes.push(`${prefix}${name}`);
  }
  return hashes;
};

/** Run-cache entries as [key, file]. */
export const runCacheEntries = async (cacheDir: string): Promise<Array<{ key: string; file: string }>> => {
  const root = path.join(cacheDir, RUNS_DIR);
  const entries: Array<{ key: string; file: string }> = [];
  for (const prefix of (await listDir(root)).sort()) {
    if (!PREFIX.test(prefix)) continue;
    for (const name of (await listDir(path.join(root, prefix))).sort()) {
      if (ENTRY_NAME.test(name)) entries.push({ key: `${prefix}${name.slice(0, 62)}`, file: path.join(root, prefix, name) });
    }
  }
  return entries;
};

/** A temporary file of a receive that was killed before its rename (`<object name>.<random>.tmp`). */
const TEMP_NAME = /^[0-9a-f]{62}(\.dir)?\.[0-9a-f]{12}\.tmp$/;

/**
 * Leftovers of interrupted receives beside the objects. Every writer of the cache holds the workspace lock, so under
 * the lock (where gc runs) none of them is being written.
 */
export const leftoverTempFiles = async (cacheDir: string): Promise<string[]> => {
  const root = path.join(cacheDir, "files", "sha256");
  const files: string[] = [];
  for (const prefix of (await listDir(root)).sort()) {
    if (!PREFIX.test(prefix)) continue;
    for (const name of (await listDir(path.join(root, prefix))).sort()) if (TEMP_NAME.test(name)) files.push(path.join(root, prefix, name));
  }
  return files;
};
