import type { HashInfo } from "./hash-info.js";
import { quickHash } from "./scan-path.js";
import type { Workspace } from "./workspace.js";

/**
 * The HashInfo of a workspace file or directory as it is now (a directory's is its manifest's ".dir" hash), using
 * the state db so unchanged files are not re-read (and an unchanged folder is answered from its recorded metadata
 * fingerprint). Nothing is written to the cache.
 */
export const hashPath = async (ws: Workspace, relPath: string): Promise<HashInfo> => (await quickHash(ws, relPath)).info;
