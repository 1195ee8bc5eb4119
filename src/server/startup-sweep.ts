import { sweepStaleStaging } from "../serving/deployments/artifact-materializer.js";
import { removeOrphanedEntries, TEMP_FILE_MAX_AGE_MS } from "../stores/artifact-stores/local/stale.js";

export interface StagingFolders {
  /** Where serving copies versions' files (`<model>/<version>/staging-*` while a copy is in progress). */
  modelCacheDir: string;
  /** Where monitors cache reference data (`*.partial` while a download is in progress). */
  referenceCacheDir: string;
}

/**
 * Start-up removes what crashed processes left half-written in the server's caches, before anything is served. The
 * artifact store clears its own staging folder when it opens (openLocalArtifactStore). An entry that a process of
 * this host made and that no longer runs goes at once; one from another host sharing the folder, once untouched for
 * an hour (see stale.ts). Returns how many entries went from each folder.
 */
export const sweepStagingLeftovers = async (folders: StagingFolders, now: number = Date.now()): Promise<{ modelCache: number; referenceCache: number }> => ({
  modelCache: await sweepStaleStaging(folders.modelCacheDir, now),
  referenceCache: await removeOrphanedEntries(folders.referenceCacheDir, TEMP_FILE_MAX_AGE_MS, (name) => name.endsWith(".partial"), now),
});
