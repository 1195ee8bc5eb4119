import { lstatSync, realpathSync } from "node:fs";
import { chmod, copyFile, constants, link, rename, symlink, unlink } from "node:fs/promises";
import { resolve } from "node:path";
import { PipelineError } from "../errors.js";
import { ensureDir, renameInto, tmpPathIn } from "./cache-objects.js";
import type { LinkType } from "./workspace-config.js";
import type { Workspace } from "./workspace.js";

/**
 * Puts a cache object's bytes at a workspace path with the first link type of the configured chain that this
 * filesystem supports, as DVC does:
 * - reflink: a copy-on-write clone (copyFile with COPYFILE_FICLONE_FORCE), writable, independent of the cache;
 * - hardlink: the object's own inode, read-only (0444) so an editor cannot write through it into the cache;
 * - symlink: to the object's absolute path, read-only through the object's mode;
 * - copy: a plain writable copy.
 * `cairn unprotect` turns a hardlink or symlink into a writable copy. The link is made under `.cairn/tmp/` and
 * renamed over the destination, so the workspace path never holds a half-written file.
 */
const UNSUPPORTED = new Set(["ENOTSUP", "EOPNOTSUPP", "EXDEV", "EPERM", "EINVAL", "ENOSYS", "EMLINK"]);
const WRITABLE_FILE_MODE = 0o644;

/** Link types that failed in this workspace: not tried again for every one of 100,000 files. */
const failedTypes = new WeakMap<Workspace, Set<LinkType>>();

const makeLink = async (type: LinkType, object: string, tmp: string): Promise<void> => {
  switch (type) {
    case "reflink":
      await copyFile(object, tmp, constants.COPYFILE_FICLONE_FORCE);
      await chmod(tmp, WRITABLE_FILE_MODE);
      return;
    case "hardlink":
      await link(object, tmp);
      return;
    case "symlink":
      await symlink(object, tmp);
      return;
    case "copy":
      await copyFile(object, tmp);
      await chmod(tmp, WRITABLE_FILE_MODE);
      return;
  }
};

export const linkFromCache = async (ws: Workspace, object: string, dest: string, types: readonly LinkType[] = ws.config.cache.type): Promise<LinkType> => {
  const failed = failedTypes.get(ws) ?? new Set<LinkType>();
  failedTypes.set(ws, failed);
  await ensureDir(ws.tmpDir);
  const absoluteObject = resolve(object);
  for (const type of types) {
    if (failed.has(type)) continue;
    const tmp = tmpPathIn(ws);
    try {
      await makeLink(type, absoluteObject, tmp);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      if (UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? "")) {
        failed.add(type);
        continue;
      }
      throw error;
    }
    try {
      await renameInto(tmp, dest);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
    return type;
  }
  throw new PipelineError(`none of the link types ${types.join(",")} works here (set cache.type in .cairn/config.yaml, e.g. "reflink,copy")`, { file: dest });
};

/** The link type a workspace file has now, as far as it can be told. */
export const isProtectedLink = (path: string): boolean => {
  const stats = lstatSync(path);
  return stats.isSymbolicLink() || (stats.isFile() && (stats.nlink > 1 || (stats.mode & 0o200) === 0));
};

/**
 * Replaces a hardlinked, symlinked or read-only workspace file by a writable copy of its bytes, so that editing it
 * cannot reach the cache. Returns whether anything changed.
 */
export const unprotectFile = async (ws: Workspace, path: string): Promise<boolean> => {
  if (!isProtectedLink(path)) return false;
  const source = realpathSync(path);
  await ensureDir(ws.tmpDir);
  const tmp = tmpPathIn(ws);
  try {
    await copyFile(source, tmp);
    await chmod(tmp, WRITABLE_FILE_MODE);
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  return true;
};
