import type { PendingDigest, RunDataRows } from "./run-data-digest.js";

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
   * lock + merge + save in one statement, which a store with a `collector` needs (PostgreSQL): merges `addition` (a
   * run's rows of one collection, as addWrite(undefined, ...) with the number of writes collected) into the run's
   * pending digest as addWrite would (counts and sum added, keys in order of first appearance up to DIGEST_MAX_KEYS,
   * step and time bounds widened, the first addition's time kept, the last one's actor and request), and returns how
   * many writes the digest now covers, its row locked until the unit commits (take() then returns the whole digest).
   */
  add?(addition: PendingDigest): Promise<number>;
  /**
   * Present when the backend's tracking rows record the transaction that wrote them (PostgreSQL): then a write adds
   * nothing to its digest on its own path, and the rows are added by collections (AuditService.collectCommitted).
   */
  collector?: CommittedRowCollector;
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

/** The metric, param and tag rows of one run that a collection found, and how many write transactions stored them. */
export interface CollectedRun {
  runId: string;
  rows: RunDataRows;
  writes: number;
}

/**
 * Finds the rows that transactions committed since the last collection, in commit-safe order: a collection takes the
 * rows of every transaction that has ended (committed or rolled back) and none of one still running, whatever the
 * order in which they committed, so that each stored row is collected exactly once.
 */
export interface CommittedRowCollector {
  /**
   * Inside the caller's atomically() unit: takes the collection's lock (waiting for another collection when `wait`;
   * without it, undefined while another one holds it), reads the rows of whole transactions that ended since the last
   * collection, about `limit` rows at most, and marks them collected, which the unit's commit makes so. `more`: rows
   * of transactions that ended before this call remain (call again).
   */
  next(wait: boolean, limit: number): Promise<{ runs: CollectedRun[]; more: boolean } | undefined>;
  /**
   * Waits until every transaction that began before the caller's own (or, outside one that wrote, before this call)
   * has ended, so that the next collection takes every write committed before it; at most timeoutMs (a transaction
   * that waits for a lock the caller holds would never end first). False when the time ran out.
   */
  settle(timeoutMs: number): Promise<boolean>;
}
