import { realpathSync } from "node:fs";
import { objectPath } from "./cache-layout.js";
import { mapBounded } from "./bounded-map.js";
import { copyIntoCache, hasObject, moveIntoCache, storeBytes, verifyObject } from "./cache-objects.js";
import type { HashInfo } from "./hash-info.js";
import { linkFromCache } from "./links.js";
import { HASH_CONCURRENCY, scanPath, type ScannedFile } from "./scan-path.js";
import { keyOfPath } from "./file-key.js";
import type { FileKey } from "./file-key.js";
import type { Workspace } from "./workspace.js";

/**
 * Hashes a workspace file or directory, stores its objects in the cache (and a directory's manifest), then replaces
 * each workspace file by a link of the configured type, so the workspace and the cache share the bytes safely.
 * Runs under the workspace lock.
 */
export const saveToCache = async (ws: Workspace, relPath: string): Promise<HashInfo> =>
  ws.withLock(async () => {
    const scan = await scanPath(ws, relPath);
    // Files with the same bytes store their object one after the other (the second finds it there): two workers
    // moving two files onto one object name at once could leave one of them linking an object being replaced.
    const storing = new Map<string, Promise<unknown>>();
    const storeOnce = (hash: string, store: () => Promise<boolean>): Promise<boolean> => {
      const mine = (storing.get(hash) ?? Promise.resolve()).then(store);
      storing.set(hash, mine.catch(() => undefined));
      return mine;
    };
    const linked = await mapBounded(scan.files, HASH_CONCURRENCY, (file) =>
      saveFile(ws, file, file.relpath === "" ? scan.rel : `${scan.rel}/${file.relpath}`, storeOnce),
    );
    // The new workspace files (copies have new inodes) are known by their hash: the next status reads none of them.
    ws.state.record(linked.filter((entry) => entry !== undefined));
    if (scan.manifest !== undefined) await storeBytes(ws, scan.info.hash, scan.manifest);
    return scan.info;
  });

const isLinkTo = (file: ScannedFile, object: string): boolean => {
  if (file.symlinkTarget !== undefined) return file.symlinkTarget === realpathSync(object);
  return file.nlink > 1 && keyOfPath(object).ino === file.key.ino;
};

/** Stores one file and links it back; answers the state db entry of the workspace file now there. */
const saveFile = async (
  ws: Workspace,
  file: ScannedFile,
  shown: string,
  storeOnce: (hash: string, store: () => Promise<boolean>) => Promise<boolean>,
): Promise<{ key: FileKey; hash: string } | undefined> => {
  const object = objectPath(ws.cacheDir, file.hash);
  const needsLink = await storeOnce(file.hash, async () => {
    if (hasObject(ws, file.hash)) {
      // Already linked to its object: nothing to move (and nothing is re-hashed into the cache from a shared inode).
      if (isLinkTo(file, object)) return false;
      try {
        await verifyObject(ws, file.hash, shown);
      } catch {
        // The stored object is damaged; this file's bytes were just hashed to its name: they replace it.
        await copyIntoCache(ws, file.abs, file.hash, shown);
      }
    } else if (file.symlinkTarget === undefined && file.nlink === 1) {
      await moveIntoCache(ws, file.abs, file.hash);
    } else {
      // Shared bytes (a hardlink, a symlink - perhaps to a cache object edited through it): copied, and the copy
      // hashed, so the new object owns its inode and bears the name of its bytes.
      await copyIntoCache(ws, file.abs, file.hash, shown);
    }
    return true;
  });
  if (!needsLink) return undefined;
  await linkFromCache(ws, object, file.abs);
  return { key: keyOfPath(file.abs), hash: file.hash };
};
