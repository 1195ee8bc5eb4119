import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { hasObject } from "../data/cache-objects.js";
import { unprotectFile } from "../data/links.js";
import { absoluteOf } from "../data/workspace-path.js";
import { checkoutPath, hashPath, objectsOf, removePath, saveToCache, type Workspace } from "../data/workspace.js";
import type { ParamsData } from "../definition/params-file.js";
import type { ResolvedStage } from "../definition/resolved-pipeline.js";
import type { HashInfo } from "../data/hash-info.js";
import type { ReproIo } from "./repro-io.js";
import type { ParamValues } from "./stage-changes.js";

/** Every file under a folder (or the file itself), for unprotecting a persisted out. */
const filesUnder = async (abs: string): Promise<string[]> => {
  const stats = await lstat(abs).catch(() => undefined);
  if (stats === undefined) return [];
  if (!stats.isDirectory()) return [abs];
  const entries = await readdir(abs, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => !entry.isDirectory()).map((entry) => path.join(entry.parentPath, entry.name));
};

/** Reads a stage's params; `files` holds the params files already read (shared within one pass). */
export type ParamsLoader = (stage: ResolvedStage, files: Map<string, ParamsData | undefined>) => Promise<ParamValues>;

/** The repro engine's view of a real workspace: the data API, with the stage params read by the definition module. */
export const workspaceIo = (ws: Workspace, loadParams: ParamsLoader, memo?: { hashes: Map<string, Promise<HashInfo>>; files: Map<string, ParamsData | undefined>; params: Promise<unknown> }): ReproIo => ({
  root: ws.root,
  cacheDir: ws.cacheDir,
  tmpDir: ws.tmpDir,
  hashPath: (relPath) => {
    if (memo === undefined) return hashPath(ws, relPath);
    let known = memo.hashes.get(relPath);
    if (known === undefined) {
      known = hashPath(ws, relPath);
      memo.hashes.set(relPath, known);
    }
    return known;
  },
  saveToCache: (relPath) => saveToCache(ws, relPath),
  checkoutPath: (relPath, info) => checkoutPath(ws, relPath, info),
  hasObjects: async (info) => {
    if (!hasObject(ws, info.hash)) return false;
    try {
      return (await objectsOf(ws, info)).every((hash) => hasObject(ws, hash));
    } catch {
      // A damaged manifest: the entry is unusable, the stage runs.
      return false;
    }
  },
  removePath: (relPath) => removePath(ws, relPath),
  unprotectPath: async (relPath) => {
    // A persisted out stays while its command runs and may be appended to: a hardlink or symlink into the cache
    // must become a writable copy first, or the command would write into the cache's bytes.
    for (const file of await filesUnder(absoluteOf(ws.root, relPath))) await unprotectFile(ws, file);
  },
  loadParams: (stage) => {
    if (memo === undefined) return loadParams(stage, new Map());
    // One at a time: the shared map is filled by the first reader of a file, and concurrent stages would all find
    // it empty and each parse the file again.
    const next = memo.params.then(() => loadParams(stage, memo.files));
    memo.params = next.catch(() => undefined);
    return next;
  },
  cachedReads: () => workspaceIo(ws, loadParams, { hashes: new Map(), files: new Map(), params: Promise.resolve() }),
  withLock: (work) => ws.withLock(work),
});
