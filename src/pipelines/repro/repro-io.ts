import type { HashInfo } from "../data/hash-info.js";
import type { ResolvedStage } from "../definition/resolved-pipeline.js";
import type { ParamValues } from "./stage-changes.js";

/**
 * What the repro engine needs from a workspace: the data API (hashing with the state db, the cache, checkout),
 * param values and the workspace lock. workspace-io.ts binds it to a real workspace; the engine never reaches for
 * files in the cache itself, so the cache's guarantees (verify on read, read-only objects, links) stay in one place.
 */
export interface ReproIo {
  root: string;
  /** `.cairn/cache`: where run-cache entries live. */
  cacheDir: string;
  /** `.cairn/tmp`: where lock and run-cache files are written before their rename. */
  tmpDir: string;
  hashPath(relPath: string): Promise<HashInfo>;
  saveToCache(relPath: string): Promise<HashInfo>;
  checkoutPath(relPath: string, info: HashInfo): Promise<"unchanged" | "restored">;
  /** Whether every object `info` needs is in the cache (a .dir manifest and its files). */
  hasObjects(info: HashInfo): Promise<boolean>;
  removePath(relPath: string): Promise<void>;
  /** Makes the files of a workspace path writable copies (not links into the cache), for a persisted out. */
  unprotectPath(relPath: string): Promise<void>;
  /** The stage's param values now: file -> key path -> value (a missing key is a PipelineError naming it). */
  loadParams(stage: ResolvedStage): Promise<ParamValues>;
  /**
   * A view of this workspace whose reads (hashes, params files) are remembered: for one pass over many stages that
   * share inputs while nothing runs (the first check of a repro, `cairn status`). Discard it once a command ran.
   */
  cachedReads(): ReproIo;
  /** Runs `work` holding the workspace lock (writes of the lock file and the run cache). */
  withLock<T>(work: () => Promise<T>): Promise<T>;
}
