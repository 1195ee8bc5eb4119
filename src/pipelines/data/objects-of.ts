import { readManifestObject } from "./cache-objects.js";
import { isDirHash, type HashInfo } from "./hash-info.js";
import type { Workspace } from "./workspace.js";

/**
 * The objects a data version needs: a file's own hash, or a directory's manifest followed by each distinct file hash
 * it lists (read from the local cache's manifest, verified). What push, pull, fetch and gc work with.
 */
export const objectsOf = async (ws: Workspace, info: HashInfo, forPath: string = info.hash): Promise<string[]> => {
  if (!isDirHash(info.hash)) return [info.hash];
  const entries = await readManifestObject(ws, info.hash, forPath);
  return [info.hash, ...new Set(entries.map((entry) => entry.sha256))];
};
