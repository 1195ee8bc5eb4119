import { lstatSync } from "node:fs";
import { hasObject, missingObjects, readManifestObject, shardsFingerprint, type ShardListings } from "./cache-objects.js";
import type { DirEntry } from "./dir-manifest.js";
import { isDirHash, type HashInfo } from "./hash-info.js";
import { findPointers } from "./pointers.js";
import { quickHash, scanPath, type ScannedFile } from "./scan-path.js";
import type { Workspace } from "./workspace.js";
import { absoluteOf } from "./workspace-path.js";

/**
 * What `cairn status` says of each tracked path, against its pointer file:
 * - unchanged: the workspace holds the pointer's version and the cache has all its objects;
 * - modified: the workspace holds something else (for a directory: which files were added, modified, deleted);
 * - not in cache: the workspace is absent or unchanged but the cache lacks objects of the version (pull or re-add);
 * - missing: the workspace path is absent and the cache can restore it (`cairn checkout`).
 */
export type DataState = "unchanged" | "modified" | "not in cache" | "missing";

export interface DirChanges {
  added: string[];
  modified: string[];
  deleted: string[];
}

export interface OutStatus {
  /** The pointer file (workspace-relative), or the pipeline file for a stage output. */
  pointer: string;
  path: string;
  hash: string;
  state: DataState;
  /** Whether the cache holds every object of the recorded version. */
  inCache: boolean;
  /** The workspace's hash now, when modified. */
  current?: string;
  /** For a modified directory whose recorded manifest is in the cache. */
  changes?: DirChanges;
}

/** Whether anything (a file, a folder, a dangling link) is at the path. */
export const exists = (path: string): boolean => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/** What one status pass shares: the cache's shard listings and its shard fingerprint, each read at most once. */
interface CacheView {
  listings: ShardListings;
  shards?: string;
}

/**
 * Whether every object of a version is in the cache; `fileHashes` are its file hashes when known (saves reading the
 * manifest). A folder version found complete is remembered with the cache's shard fingerprint, so the next status
 * answers from the state db until an object is added or removed.
 */
const versionInCache = async (ws: Workspace, info: HashInfo, path: string, view: CacheView, fileHashes?: Iterable<string>): Promise<boolean> => {
  if (!hasObject(ws, info.hash)) return false;
  if (!isDirHash(info.hash)) return true;
  // Taken before any listing: an object removed while this runs makes the remembered fingerprint stale, not wrong.
  view.shards ??= shardsFingerprint(ws);
  if (ws.state.isComplete(info.hash, view.shards)) return true;
  let hashes = fileHashes;
  if (hashes === undefined) {
    try {
      hashes = (await readManifestObject(ws, info.hash, path)).map((entry) => entry.sha256);
    } catch {
      return false;
    }
  }
  const complete = missingObjects(ws, hashes, view.listings).length === 0;
  if (complete) ws.state.markComplete(info.hash, view.shards);
  return complete;
};

const diffDir = (recorded: readonly DirEntry[], current: readonly ScannedFile[]): DirChanges => {
  const now = new Map(current.map((file) => [file.relpath, file.hash]));
  const before = new Set<string>();
  const changes: DirChanges = { added: [], modified: [], deleted: [] };
  for (const entry of recorded) {
    before.add(entry.relpath);
    const hash = now.get(entry.relpath);
    if (hash === undefined) changes.deleted.push(entry.relpath);
    else if (hash !== entry.sha256) changes.modified.push(entry.relpath);
  }
  for (const file of current) if (!before.has(file.relpath)) changes.added.push(file.relpath);
  changes.added.sort();
  return changes;
};

/** The status of one tracked path against the version `info` recorded for it. */
export const statusOfOut = async (ws: Workspace, pointer: string, path: string, info: HashInfo, view: CacheView = { listings: new Map() }): Promise<OutStatus> => {
  const base = { pointer, path, hash: info.hash };
  if (!exists(absoluteOf(ws.root, path))) {
    const inCache = await versionInCache(ws, info, path, view);
    return { ...base, state: inCache ? "missing" : "not in cache", inCache };
  }
  const quick = await quickHash(ws, path);
  if (quick.info.hash === info.hash) {
    const inCache = await versionInCache(ws, info, path, view, quick.scan?.files.map((file) => file.hash));
    return { ...base, state: inCache ? "unchanged" : "not in cache", inCache };
  }
  const scan = quick.scan ?? (await scanPath(ws, path));
  const inCache = await versionInCache(ws, info, path, view);
  const status: OutStatus = { ...base, state: "modified", inCache, current: scan.info.hash };
  if (isDirHash(info.hash) && inCache) {
    const recorded = await readManifestObject(ws, info.hash, path);
    status.changes = diffDir(recorded, scan.manifest === undefined ? [] : scan.files);
  }
  return status;
};

/** The status of every pointer file's outs in the workspace (sorted by pointer file). */
export const statusOfPointers = async (ws: Workspace): Promise<OutStatus[]> => {
  const statuses: OutStatus[] = [];
  // Nothing is written during a status: the cache's shard folders are listed once for all the tracked folders.
  const view: CacheView = { listings: new Map() };
  for (const found of findPointers(ws)) {
    for (const [index, out] of found.pointer.outs.entries()) {
      statuses.push(await statusOfOut(ws, found.file, found.paths[index] as string, out, view));
    }
  }
  return statuses;
};
