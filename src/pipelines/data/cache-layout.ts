import { join } from "node:path";
import { hexOf, isDirHash } from "./hash-info.js";

/**
 * Where things live in a workspace's `.cairn/` folder. Objects are content-addressed as in DVC, with sha256:
 * `cache/files/sha256/<first 2 hex>/<remaining 62 hex>` for a file and the same path plus ".dir" for a directory
 * manifest. The same relative layout (`files/sha256/...`) is used by every remote, so a remote folder is a cache.
 */
export const WORKSPACE_DIR = ".cairn";
export const CONFIG_FILE = "config.yaml";
export const CACHE_DIR = "cache";
export const STATE_DB = "state.db";
export const TMP_DIR = "tmp";
/** Run-cache entries: `cache/runs/<2 hex>/<62 hex>.yaml` keyed by the sha256 of (cmd, dependency hashes, params). */
export const RUNS_DIR = "runs";

/** The object's path relative to a cache or remote root, POSIX separators: "files/sha256/ab/cdef…[.dir]". */
export const objectKey = (hash: string): string => {
  const hex = hexOf(hash);
  return `files/sha256/${hex.slice(0, 2)}/${hex.slice(2)}${isDirHash(hash) ? ".dir" : ""}`;
};

export const objectPath = (cacheDir: string, hash: string): string => join(cacheDir, ...objectKey(hash).split("/"));

export const runCacheKeyPath = (cacheDir: string, key: string): string => join(cacheDir, RUNS_DIR, key.slice(0, 2), `${key.slice(2)}.yaml`);
