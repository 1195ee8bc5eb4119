import { createHash } from "node:crypto";
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
  /** Only the numbers kept: a retained Stats object (with its four Dates on Node 20) per file would survive into the
   * old generation and double the collector's work on a 100,000-file folder. */
  key: FileKey;
  nlink: number;
  mode: number;
  symlinkTarget: string | undefined;
}

const lstatOrUndefined = (path: string): Stats | undefined => lstatSync(path, { throwIfNoEntry: false });

const foundOf = (relpath: string, abs: string, stats: Stats, symlinkTarget: string | undefined): Found => ({
  relpath,
  abs,
  key: keyOfStats(stats, symlinkTarget ?? abs, symlinkTarget !== undefined),
  nlink: stats.nlink,
  mode: stats.mode,
  symlinkTarget,
});

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
        found.push(foundOf(relpath, abs, lstatSync(abs), undefined));
      } else if (entry.isSymbolicLink()) {
        const { stats, target } = followSymlink(realRoot, abs, `${shownDir}/${relpath}`);
        found.push(foundOf(relpath, abs, stats, target));
      } else {
        throw new PipelineError("is not a regular file, folder or symlink", { file: `${shownDir}/${relpath}` });
      }
    }
  }
  return found;
};

interface Walked {
  rel: string;
  abs: string;
  isDir: boolean;
  found: Found[];
}

const walkPath = (ws: Workspace, relPath: string): Walked => {
  const rel = toWorkspaceRelative(ws.root, relPath);
  const abs = absoluteOf(ws.root, rel);
  const top = lstatOrUndefined(abs);
  if (top === undefined) throw new PipelineError("does not exist", { file: rel });
  const realRoot = realpathSync(ws.root);
  if (top.isDirectory()) return { rel, abs, isDir: true, found: walk(realRoot, abs, rel) };
  if (top.isFile()) return { rel, abs, isDir: false, found: [foundOf("", abs, top, undefined)] };
  if (top.isSymbolicLink()) {
    const { stats, target } = followSymlink(realRoot, abs, rel);
    return { rel, abs, isDir: false, found: [foundOf("", abs, stats, target)] };
  }
  throw new PipelineError("is not a regular file, folder or symlink", { file: rel });
};

/**
 * A folder's metadata in one sha256: every file's relative path, (inode, mtime, size) and symlink target, in walk
 * order. When it equals the one recorded with the folder's hash, no file changed (each would have changed its row),
 * so the folder's hash is known without a lookup per file or a manifest to build.
 */
const fingerprintOf = (found: readonly Found[]): string => {
  const hash = createHash("sha256");
  let chunk = "";
  for (const item of found) {
    chunk += `${item.relpath}\0${String(item.key.ino)}\0${item.key.mtimeUs}\0${item.key.size}\0${item.symlinkTarget ?? ""}\n`;
    if (chunk.length > 65536) {
      hash.update(chunk);
      chunk = "";
    }
  }
  return hash.update(chunk).digest("hex");
};

const finishScan = async (ws: Workspace, walked: Walked, fingerprint: string | undefined): Promise<Scan> => {
  const { rel, abs, found } = walked;
  const files = await hashFound(ws, found);
  if (!walked.isDir) {
    const file = files[0] as ScannedFile;
    return { rel, abs, info: { hash: file.hash, size: file.size }, files, manifest: undefined };
  }
  const entries: DirEntry[] = files.map((file) => ({ relpath: file.relpath, sha256: file.hash, size: file.size }));
  const manifest = serializeManifest(entries);
  const size = files.reduce((sum, file) => sum + file.size, 0);
  const hash = manifestHash(manifest);
  ws.state.recordDir(rel, fingerprint ?? fingerprintOf(found), hash);
  return { rel, abs, info: { hash, size, nfiles: files.length }, files, manifest };
};

/**
 * Finds and hashes what a workspace path holds now: the state db answers for files whose (inode, mtime, size) it
 * knows, the others are read (bounded concurrency) and recorded. A missing path is a PipelineError naming it.
 */
export const scanPath = async (ws: Workspace, relPath: string): Promise<Scan> => finishScan(ws, walkPath(ws, relPath), undefined);

/**
 * The HashInfo of a path, and the full scan only when it had to be made: a folder whose metadata fingerprint is the
 * one recorded with its hash is answered from that record (what `cairn status` of an unchanged folder costs: the
 * walk and one query).
 */
export const quickHash = async (ws: Workspace, relPath: string): Promise<{ info: HashInfo; scan: Scan | undefined }> => {
  const walked = walkPath(ws, relPath);
  if (!walked.isDir) {
    const scan = await finishScan(ws, walked, undefined);
    return { info: scan.info, scan };
  }
  const fingerprint = fingerprintOf(walked.found);
  const known = ws.state.dirHashOf(walked.rel, fingerprint);
  if (known !== undefined) {
    const size = walked.found.reduce((sum, item) => sum + item.key.size, 0);
    return { info: { hash: known, size, nfiles: walked.found.length }, scan: undefined };
  }
  const scan = await finishScan(ws, walked, fingerprint);
  return { info: scan.info, scan };
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
    size: item.key.size,
    nlink: item.nlink,
    mode: item.mode,
    symlinkTarget: item.symlinkTarget,
    hash: hashes[index] as string,
  }));
};
