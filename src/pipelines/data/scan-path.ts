import { lstatSync, readdirSync, realpathSync, statSync, type BigIntStats } from "node:fs";
import { join } from "node:path";
import { PipelineError } from "../errors.js";
import { mapBounded } from "./bounded-map.js";
import { manifestHash, serializeManifest, isSafeRelpath, type DirEntry } from "./dir-manifest.js";
import { hashFile } from "./file-hash.js";
import type { HashInfo } from "./hash-info.js";
import type { FileKey } from "./state-db.js";
import type { Workspace } from "./workspace.js";
import { absoluteOf, isInside, toWorkspaceRelative } from "./workspace-path.js";

/** Files hashed at once: enough to keep the disk and the hash busy, far from the fd limit. */
export const HASH_CONCURRENCY = 16;

/** One regular file found under a tracked path, with what saving and checking it out need. */
export interface ScannedFile {
  /** Inside the scanned directory (POSIX), or "" when the scanned path is the file itself. */
  relpath: string;
  /** The workspace path (may be a symlink into the cache). */
  abs: string;
  /** The bytes' identity: of the symlink's target when the path is a symlink. */
  key: FileKey;
  size: number;
  nlink: number;
  mode: number;
  /** The absolute real path when `abs` is a symlink. */
  symlinkTarget: string | undefined;
  hash: string;
}

export interface Scan {
  rel: string;
  abs: string;
  info: HashInfo;
  files: ScannedFile[];
  /** The directory's manifest bytes (undefined for a file). */
  manifest: Buffer | undefined;
}

export const keyOf = (stats: BigIntStats): FileKey => ({ ino: stats.ino, mtimeNs: stats.mtimeNs, size: Number(stats.size) });

interface Found {
  relpath: string;
  abs: string;
  stats: BigIntStats;
  symlinkTarget: string | undefined;
}

const lstatOrUndefined = (path: string): BigIntStats | undefined => {
  try {
    return lstatSync(path, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw error;
  }
};

/** A symlink is followed only to a regular file inside the workspace (the cache included); anything else is refused. */
const followSymlink = (realRoot: string, abs: string, shown: string): { stats: BigIntStats; target: string } => {
  let target: string;
  try {
    target = realpathSync(abs);
  } catch {
    throw new PipelineError("is a broken symlink", { file: shown });
  }
  if (!isInside(realRoot, target)) throw new PipelineError("is a symlink to outside the workspace", { file: shown });
  const stats = statSync(target, { bigint: true });
  if (!stats.isFile()) throw new PipelineError("is a symlink to something other than a file (symlinked folders are not followed)", { file: shown });
  return { stats, target };
};

/**
 * Every regular file under `absDir`, metadata read synchronously: for a tree of cached inodes, a sync lstat is a
 * fraction of a microsecond's work plus the syscall, where the async one also pays two thread hops.
 */
const walk = (realRoot: string, absDir: string, shownDir: string): Found[] => {
  const found: Found[] = [];
  const stack: string[] = [""];
  while (stack.length > 0) {
    const prefix = stack.pop() as string;
    const dir = prefix === "" ? absDir : join(absDir, prefix);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relpath = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      const abs = join(dir, entry.name);
      const shown = `${shownDir}/${relpath}`;
      if (!isSafeRelpath(relpath)) throw new PipelineError("file name cannot be tracked (backslash or control characters)", { file: shown });
      if (entry.isDirectory()) {
        stack.push(relpath);
      } else if (entry.isFile()) {
        found.push({ relpath, abs, stats: lstatSync(abs, { bigint: true }), symlinkTarget: undefined });
      } else if (entry.isSymbolicLink()) {
        const { stats, target } = followSymlink(realRoot, abs, shown);
        found.push({ relpath, abs, stats, symlinkTarget: target });
      } else {
        throw new PipelineError("is not a regular file, folder or symlink", { file: shown });
      }
    }
  }
  return found;
};

/**
 * Finds and hashes what a workspace path holds now: the state db answers for files whose (inode, mtime, size) it
 * knows, the others are read (bounded concurrency) and recorded. A missing path is a PipelineError naming it.
 */
export const scanPath = async (ws: Workspace, relPath: string): Promise<Scan> => {
  const rel = toWorkspaceRelative(ws.root, relPath);
  const abs = absoluteOf(ws.root, rel);
  const top = lstatOrUndefined(abs);
  if (top === undefined) throw new PipelineError("does not exist", { file: rel });
  const realRoot = realpathSync(ws.root);
  let found: Found[];
  let isDir = false;
  if (top.isDirectory()) {
    found = walk(realRoot, abs, rel);
    isDir = true;
  } else if (top.isFile()) {
    found = [{ relpath: "", abs, stats: top, symlinkTarget: undefined }];
  } else if (top.isSymbolicLink()) {
    const { stats, target } = followSymlink(realRoot, abs, rel);
    found = [{ relpath: "", abs, stats, symlinkTarget: target }];
  } else {
    throw new PipelineError("is not a regular file, folder or symlink", { file: rel });
  }
  const files = await hashFound(ws, found);
  if (!isDir) {
    const file = files[0] as ScannedFile;
    return { rel, abs, info: { hash: file.hash, size: file.size }, files, manifest: undefined };
  }
  const entries: DirEntry[] = files.map((file) => ({ relpath: file.relpath, sha256: file.hash, size: file.size }));
  const manifest = serializeManifest(entries);
  const size = files.reduce((sum, file) => sum + file.size, 0);
  return { rel, abs, info: { hash: manifestHash(manifest), size, nfiles: files.length }, files, manifest };
};

const hashFound = async (ws: Workspace, found: readonly Found[]): Promise<ScannedFile[]> => {
  const keys = found.map((item) => keyOf(item.stats));
  const known = ws.state.hashesOf(keys);
  const fresh: { key: FileKey; hash: string }[] = [];
  const hashes = await mapBounded(found, HASH_CONCURRENCY, async (item, index) => {
    const hit = known[index];
    if (hit !== undefined) return hit;
    const key = keys[index] as FileKey;
    const hash = await hashFile(item.symlinkTarget ?? item.abs, key.size);
    fresh.push({ key, hash });
    return hash;
  });
  ws.state.record(fresh);
  return found.map((item, index) => ({
    relpath: item.relpath,
    abs: item.abs,
    key: keys[index] as FileKey,
    size: Number(item.stats.size),
    nlink: Number(item.stats.nlink),
    mode: Number(item.stats.mode),
    symlinkTarget: item.symlinkTarget,
    hash: hashes[index] as string,
  }));
};
