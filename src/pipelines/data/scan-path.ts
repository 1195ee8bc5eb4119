import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from "node:fs";
import { PipelineError } from "../errors.js";
import { mapBounded } from "./bounded-map.js";
import { manifestHash, serializeManifest, type DirEntry } from "./dir-manifest.js";
import { hashFile } from "./file-hash.js";
import type { HashInfo } from "./hash-info.js";
import { keyOfStats, type FileKey } from "./file-key.js";
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

interface Found {
  relpath: string;
  abs: string;
  stats: Stats;
  key: FileKey;
  symlinkTarget: string | undefined;
}

const lstatOrUndefined = (path: string): Stats | undefined => lstatSync(path, { throwIfNoEntry: false });

/** A symlink is followed only to a regular file inside the workspace (the cache included); anything else is refused. */
const followSymlink = (realRoot: string, abs: string, shown: string): { stats: Stats; target: string } => {
  let target: string;
  try {
    target = realpathSync(abs);
  } catch {
    throw new PipelineError("is a broken symlink", { file: shown });
  }
  if (!isInside(realRoot, target)) throw new PipelineError("is a symlink to outside the workspace", { file: shown });
  const stats = statSync(target);
  if (!stats.isFile()) throw new PipelineError("is a symlink to something other than a file (symlinked folders are not followed)", { file: shown });
  return { stats, target };
};

/** A name readdir returned that a manifest can hold: no backslash (a separator elsewhere) and no control character. */
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME = /[\\\x00-\x1f]/;

/**
 * Every regular file under `absDir`, metadata read synchronously: for a tree of cached inodes a sync lstat is the
 * syscall and little else, where the async one also pays two thread hops. Paths are built by concatenation (this
 * loop runs once per file of a 100,000-file folder).
 */
const walk = (realRoot: string, absDir: string, shownDir: string): Found[] => {
  const found: Found[] = [];
  const stack: string[] = [""];
  while (stack.length > 0) {
    const prefix = stack.pop() as string;
    const dir = prefix === "" ? absDir : `${absDir}/${prefix}`;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const name = entry.name;
      const relpath = prefix === "" ? name : `${prefix}/${name}`;
      const abs = `${dir}/${name}`;
      if (UNSAFE_NAME.test(name)) throw new PipelineError("file name cannot be tracked (backslash or control characters)", { file: `${shownDir}/${relpath}` });
      if (entry.isDirectory()) {
        stack.push(relpath);
      } else if (entry.isFile()) {
        const stats = lstatSync(abs);
        found.push({ relpath, abs, stats, key: keyOfStats(stats, abs, false), symlinkTarget: undefined });
      } else if (entry.isSymbolicLink()) {
        const { stats, target } = followSymlink(realRoot, abs, `${shownDir}/${relpath}`);
        found.push({ relpath, abs, stats, key: keyOfStats(stats, target, true), symlinkTarget: target });
      } else {
        throw new PipelineError("is not a regular file, folder or symlink", { file: `${shownDir}/${relpath}` });
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
    found = [{ relpath: "", abs, stats: top, key: keyOfStats(top, abs, false), symlinkTarget: undefined }];
  } else if (top.isSymbolicLink()) {
    const { stats, target } = followSymlink(realRoot, abs, rel);
    found = [{ relpath: "", abs, stats, key: keyOfStats(stats, target, true), symlinkTarget: target }];
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
  const keys = found.map((item) => item.key);
  const hashes = ws.state.hashesOf(keys);
  // Only the files the state db does not know go through the (promise-per-file) hashing pool.
  const unknown: number[] = [];
  for (let index = 0; index < hashes.length; index += 1) if (hashes[index] === undefined) unknown.push(index);
  if (unknown.length > 0) {
    const fresh = await mapBounded(unknown, HASH_CONCURRENCY, async (index) => {
      const item = found[index] as Found;
      const hash = await hashFile(item.symlinkTarget ?? item.abs, item.key.size);
      hashes[index] = hash;
      return { key: item.key, hash };
    });
    ws.state.record(fresh);
  }
  return found.map((item, index) => ({
    relpath: item.relpath,
    abs: item.abs,
    key: item.key,
    size: item.stats.size,
    nlink: item.stats.nlink,
    mode: item.stats.mode,
    symlinkTarget: item.symlinkTarget,
    hash: hashes[index] as string,
  }));
};
