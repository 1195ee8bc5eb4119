import type { PendingDigest } from "./run-data-digest.js";

/**
 * Pending run-data digests (audit_pending_digests). Every method runs inside the caller's atomically() unit, so a
 * write, the update of its run's pending digest and (when due) the digest event and the row's removal commit together.
 */
export interface PendingDigestStore {
  /**
   * The run's pending digest, locked until the unit commits (PostgreSQL: FOR UPDATE, so that replicas writing to one
   * run add to it one after another; SQLite: the unit's write transaction already excludes everyone).
   */
  lock(runId: string): Promise<PendingDigest | undefined>;
  /** Inserts or replaces the run's pending digest. */
  save(pending: PendingDigest): Promise<void>;
  /**
   * lock + addWrite + save in one statement, for a backend where each is a round trip (PostgreSQL): merges
   * `addition` (one write's digest: addWrite(undefined, write)) into the run's pending digest exactly as addWrite
   * would (counts and sum added, keys in order of first appearance up to DIGEST_MAX_KEYS, step and time bounds
   * widened, the first write's time kept, the last writer's actor and request), and returns how many writes the
   * digest now covers, its row locked until the unit commits (take() then returns the whole digest). A backend
   * without it is driven through lock and save.
   */
  add?(addition: PendingDigest): Promise<number>;
  /** Removes and returns the run's pending digest (undefined when another process took it first). */
  take(runId: string): Promise<PendingDigest | undefined>;
  /** Runs whose pending digest's first write was recorded at or before `before`, oldest first, at most `limit`. */
  due(before: number, limit: number): Promise<string[]>;
}

/** "The chain was verified up to seq, whose hash was hash", by whom and when. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  verifiedTime: number;
  verifiedBy: string;
}
