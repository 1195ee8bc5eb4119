import { randomBytes } from "node:crypto";
import { lstatSync, readdirSync } from "node:fs";
import { chmod, copyFile, constants, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PipelineError } from "../errors.js";
import { objectPath } from "./cache-layout.js";
import { parseManifest, type DirEntry } from "./dir-manifest.js";
import { hashBytes, hashFile } from "./file-hash.js";
import { hexOf } from "./hash-info.js";
import { keyOfPath, keyOfStats } from "./file-key.js";
import type { Workspace } from "./workspace.js";

/**
 * The local cache's objects: written to `.cairn/tmp/` first and renamed into place read-only (0444), so an
 * interrupted write never leaves a partial object under a real name; checked against their name before anything is
 * linked or copied out of them (the check remembered in the state db per (inode, mtime, size)).
 */
export const OBJECT_MODE = 0o444;

/** Unique per process (pid + a random tag + a counter): no random bytes drawn per file. */
const TMP_TAG = `${process.pid}-${randomBytes(6).toString("hex")}`;
let tmpCounter = 0;
export const tmpPathIn = (ws: Workspace): string => {
  tmpCounter += 1;
  return join(ws.tmpDir, `${TMP_TAG}-${tmpCounter}`);
};

/**
 * Folders this process made or found (the tmp folder, cache shards, workspace folders): `mkdir -p` once each rather
 * than once per file of a 100,000-file add. A folder removed since (a checkout pruning empty folders) is made again
 * by renameInto's retry.
 */
const madeDirs = new Set<string>();
export const ensureDir = async (dir: string): Promise<void> => {
  if (madeDirs.has(dir)) return;
  await mkdir(dir, { recursive: true });
  madeDirs.add(dir);
};

/** rename(from, to), making `to`'s folder when it is missing (also when this process had made it before). */
export const renameInto = async (from: string, to: string): Promise<void> => {
  const dir = dirname(to);
  await ensureDir(dir);
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    madeDirs.delete(dir);
    await ensureDir(dir);
    await rename(from, to);
  }
};

export const hasObject = (ws: Workspace, hash: string): boolean => {
  try {
    return lstatSync(objectPath(ws.cacheDir, hash)).isFile();
  } catch {
    return false;
  }
};

/** Renames a finished temporary file into its object path (0444, parent folder created). */
const place = async (ws: Workspace, tmp: string, hash: string): Promise<string> => {
  const target = objectPath(ws.cacheDir, hash);
  await chmod(tmp, OBJECT_MODE);
  await renameInto(tmp, target);
  return target;
};

/** Stores bytes (a directory manifest) as the object `hash`, unless it is there already. */
export const storeBytes = async (ws: Workspace, hash: string, bytes: Buffer): Promise<void> => {
  if (hasObject(ws, hash)) return;
  await ensureDir(ws.tmpDir);
  const tmp = tmpPathIn(ws);
  await writeFile(tmp, bytes, { mode: 0o600 });
  await place(ws, tmp, hash);
};

/**
 * Moves a workspace file into the cache as `hash` (a rename: no bytes copied). The caller hashed it and knows it is
 * not shared with anything else (one link, not a symlink). The state db learns the object is verified.
 */
export const moveIntoCache = async (ws: Workspace, source: string, hash: string): Promise<void> => {
  // Made read-only where it is, then renamed straight to its name: the object appears whole and 0444 in one step.
  const target = objectPath(ws.cacheDir, hash);
  await chmod(source, OBJECT_MODE);
  try {
    await renameInto(source, target);
  } catch (error) {
    // A workspace folder on another filesystem (a mount point inside the workspace): copied instead.
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await copyIntoCache(ws, source, hash, source);
    return;
  }
  ws.state.markVerified([{ hash, key: keyOfPath(target) }]);
};

/**
 * Copies a file into the cache as `hash`, hashing the copy: used when the source shares its bytes with something
 * else (a hardlink, a symlink - maybe to a cache object edited through a link), so the new object never shares an
 * inode with a file that can still change, and is never stored under a name its bytes do not have.
 */
export const copyIntoCache = async (ws: Workspace, source: string, hash: string, shown: string): Promise<void> => {
  await ensureDir(ws.tmpDir);
  const tmp = tmpPathIn(ws);
  try {
    await copyFile(source, tmp, constants.COPYFILE_FICLONE);
    const actual = await hashFile(tmp);
    if (actual !== hash) throw new PipelineError("changed while it was being added; run the command again", { file: shown });
    const target = await place(ws, tmp, hash);
    ws.state.markVerified([{ hash, key: keyOfPath(target) }]);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
};

/**
 * Checks that the object `hash` is present and its bytes hash to its name; `forPath` is the workspace path it is
 * needed for (named in the errors). Returns the object's path.
 */
export const verifyObject = async (ws: Workspace, hash: string, forPath: string): Promise<string> => {
  const path = objectPath(ws.cacheDir, hash);
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (stats === undefined) throw new PipelineError(`cache object ${hash} is missing (run \`cairn pull\` or \`cairn fetch\`)`, { file: forPath });
  if (!stats.isFile()) throw new PipelineError(`cache object ${hash} is not a regular file; not used`, { file: forPath });
  const key = keyOfStats(stats, path, false);
  if (ws.state.isVerified(hash, key)) return path;
  const actual = await hashFile(path, key.size);
  if (actual !== hexOf(hash)) {
    throw new PipelineError(`cache object ${hash} is corrupted (its bytes hash to ${actual}); it was not linked into the workspace`, { file: forPath });
  }
  ws.state.markVerified([{ hash, key }]);
  return path;
};

/** A directory's manifest from the cache, verified and parsed. */
export const readManifestObject = async (ws: Workspace, hash: string, forPath: string): Promise<DirEntry[]> => {
  const path = await verifyObject(ws, hash, forPath);
  const bytes = await readFile(path);
  // Verified by (inode, mtime, size) a moment ago; the bytes just read are checked too, as they are what is used.
  if (hashBytes(bytes) !== hexOf(hash)) throw new PipelineError(`cache object ${hash} is corrupted; it was not used`, { file: forPath });
  return parseManifest(bytes, forPath);
};

/**
 * Adds a file received from elsewhere (a download from a remote, written under `ws.tmpDir`) to the cache as the
 * object `hash`: its bytes are hashed and must match the name (else a PipelineError naming the hash, and the file is
 * deleted); then it is renamed into place read-only. A present object is kept and the file deleted. For pull/fetch.
 */
export const importObject = async (ws: Workspace, file: string, hash: string): Promise<void> => {
  try {
    const actual = await hashFile(file);
    if (actual !== hexOf(hash)) throw new PipelineError(`received bytes hash to ${actual}, not to the object's name; not stored`, { file: hash });
    if (hasObject(ws, hash)) {
      await unlink(file);
      return;
    }
    const target = await place(ws, file, hash);
    ws.state.markVerified([{ hash, key: keyOfPath(target) }]);
  } catch (error) {
    await unlink(file).catch(() => undefined);
    throw error;
  }
};

/** Names in each cache shard folder, as listed once; shared by the calls of one read-only pass (a status). */
export type ShardListings = Map<string, Set<string>>;

/** From this many hashes, listing the cache's shard folders is cheaper than one lstat per object. */
const LIST_FROM = 512;

/**
 * The hashes among `hashes` that have no object in the cache. Many (a tracked folder of 100,000 files): the shard
 * folders they fall in are listed, one readdir each (at most 256), instead of 100,000 lstats.
 */
export const missingObjects = (ws: Workspace, hashes: Iterable<string>, listings: ShardListings = new Map()): string[] => {
  const unique = [...new Set(hashes)];
  if (unique.length < LIST_FROM) return unique.filter((hash) => !hasObject(ws, hash));
  const present = (hash: string): boolean => {
    if (hash.length !== 64) return hasObject(ws, hash);
    // objectKey's layout, inlined: this runs once per file of a big folder.
    const shard = hash.slice(0, 2);
    let names = listings.get(shard);
    if (names === undefined) {
      try {
        names = new Set(readdirSync(join(ws.cacheDir, "files", "sha256", shard)));
      } catch {
        names = new Set();
      }
      listings.set(shard, names);
    }
    return names.has(hash.slice(2));
  };
  return unique.filter((hash) => !present(hash));
};

/**
 * The metadata of the cache's object folders (`files/sha256` and its 256 shard folders: inode and mtime) in one
 * sha256. Adding or removing an object changes its shard folder's mtime, so while this is unchanged the set of
 * objects is too: what lets a status remember that a 100,000-file version was complete instead of listing the cache
 * again (256 lstats instead).
 */
export const shardsFingerprint = (ws: Workspace): string => {
  const base = join(ws.cacheDir, "files", "sha256");
  const parts: string[] = [];
  for (const name of ["", ...Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))]) {
    const stats = lstatSync(name === "" ? base : join(base, name), { throwIfNoEntry: false });
    parts.push(stats === undefined ? "-" : `${stats.ino}:${stats.mtimeMs}`);
  }
  return hashBytes(Buffer.from(parts.join(","), "utf8"));
};
