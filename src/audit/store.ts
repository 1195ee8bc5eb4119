import type { AuditRecord, NewAuditRecord } from "./event.js";
import type { AuditCheckpoint, PendingDigestStore } from "./digest-store.js";
import type { PendingDigest } from "./run-data-digest.js";
import type { ChainStart, ChainWalk } from "./verify.js";

/**
 * Persistence of the audit log. Every backend keeps one chain per database, whatever the number of server processes
 * writing to it: append reads the head and inserts after it inside one write transaction.
 */
export interface AuditStore {
  /**
   * Appends one event after the current head: seq = highest seq ever assigned + 1, prevHash = the head's hash
   * (GENESIS_HASH for the first event), hash = eventHash(...). Atomic with respect to other appenders.
   */
  append(event: NewAuditRecord): Promise<AuditRecord>;
  /**
   * Runs `work` in one write transaction of the database the other stores share: the writes it makes and the events
   * appended while it runs commit together, or roll back together when it throws. A backend whose metadata stores do
   * not share its transactions leaves this out (events are then appended after the change, as before).
   */
  atomically?<T>(work: () => Promise<T>): Promise<T>;
  /** atomically() for synchronous work (see AuditRecorder.atomicallyNow); with inTransaction below. */
  atomicallyNow?<T>(work: () => T): Promise<T>;
  /** Events matching the query, in seq order (or newest first), one page at a time. */
  list(query: AuditQuery): Promise<AuditPage>;
  /** Up to `limit` events with seq > afterSeq, in seq order, whatever their content (for verification). */
  readRange(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** The highest seq ever assigned (0 for an empty log), even if that event has since been removed. */
  lastAssignedSeq(): Promise<number>;
  /**
   * Verifies the chain (after `from` when given) away from the server's event loop (another thread or process reading a consistent
   * snapshot of the log), as ChainVerifier does over readRange up to lastAssignedSeq, and rejects when it could not
   * (never an "ok" it did not check). A backend without it (in-memory, test stores) is verified by AuditService's
   * walk in slices on the event loop.
   */
  verifyOffThread?(from?: ChainStart): Promise<ChainWalk>;
  /** The newest verification checkpoint (audit_verify_checkpoints), if any. */
  readCheckpoint?(): Promise<AuditCheckpoint | undefined>;
  saveCheckpoint?(checkpoint: AuditCheckpoint): Promise<void>;
  /**
   * Run-data digests (issue 14 part 6). A store without them (test doubles) gets one event per metric/param/tag write,
   * as before.
   */
  readonly digests?: PendingDigestStore;
  /**
   * For a backend whose stores write synchronously on one shared connection (SQLite): the digest operations and an
   * append as plain calls, for use inside atomicallyNow() (see AuditRecorder.runDataInTransaction). Each throws when
   * no transaction is open on the connection.
   */
  readonly inTransaction?: AuditInTransaction;
}

/** Synchronous forms of PendingDigestStore's lock/save/take and of append, inside an open write transaction. */
export interface AuditInTransaction {
  lock(runId: string): PendingDigest | undefined;
  save(pending: PendingDigest): void;
  take(runId: string): PendingDigest | undefined;
  append(event: NewAuditRecord): AuditRecord;
}

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  /** Actor name, exact. */
  actor?: string;
  /** Exact action, or a prefix when it ends with '*' ("registry.*"). */
  action?: string;
  /** Inclusive bounds on the event time, in ms. */
  startTime?: number;
  endTime?: number;
  maxResults: number;
  /** Newest first (descending seq) instead of oldest first; a page token only continues a listing of its own order. */
  newestFirst?: boolean;
  /** Opaque token from a previous page. */
  pageToken?: string;
}

export interface AuditPage {
  items: AuditRecord[];
  nextPageToken?: string;
}
