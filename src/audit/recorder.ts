import type { WriteContext } from "../core/actor.js";
import type { DigestReason, RunDataRows } from "./run-data-digest.js";

/**
 * What a service says about each write it made; the audit domain turns it into an append-only, hash-chained event
 * {time, actor, action, entity, before, after, request id}. Services depend on this interface only.
 *
 * `action` is "<domain>.<verb>" (e.g. "tracking.run.create", "registry.alias.set"); `entityType` and `entityId`
 * name what changed ("run"/<run id>, "registered_model"/<name>, "model_version"/"<name>/<version>").
 * `before`/`after` are small JSON snapshots (for bulk writes such as log-batch: a summary, not every metric).
 */
export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRecorder {
  record(context: WriteContext, entry: AuditEntry): Promise<void>;
  /**
   * Runs `work` (store writes and the record() calls that describe them) so that the changes and their events commit
   * together or not at all: a crash never leaves a change without its event. `work` must touch only the metadata
   * store (no file, network or timer waits): the SQLite backend holds one write transaction open while it runs.
   * Optional so that test doubles need not implement it; callers go through `atomically` below.
   */
  atomically?<T>(work: () => Promise<T>): Promise<T>;
  /**
   * A run's metric/param/tag write (issue 14 part 6): summed into the run's pending digest rather than appended as
   * its own event; `fallback` is the event a recorder without digests appends instead. Call inside atomically().
   */
  recordRunData?(context: WriteContext, runId: string, rows: RunDataRows, fallback: AuditEntry): Promise<void>;
  /**
   * atomically() for synchronous work (a backend whose stores write synchronously on one connection: SQLite): no
   * async context to carry, so nothing to pay for it on every promise of the process, and the unit joins the same
   * group commit. `work` runs at once when no other unit is in flight, else after them.
   */
  readonly atomicallyNow?: <T>(work: () => T) => Promise<T>;
  /**
   * What recordRunData does, as a synchronous function to call inside atomicallyNow(); undefined when the recorder
   * cannot (then atomically() + recordRunData). The hot path of single log-metric requests on SQLite
   * (bench/audit-ingest.ts: the audit trail's cost on them).
   */
  runDataInTransaction?(context: WriteContext, runId: string, rows: RunDataRows): (() => void) | undefined;
  /** Appends the run's pending digest now (its end, its deletion, gc). Call inside the unit of that change. */
  closeRunData?(runId: string, reason: DigestReason): Promise<void>;
}

/** A run's data write through the recorder's digests when it has them, else as its own event. */
export const recordRunData = (audit: AuditRecorder, context: WriteContext, runId: string, rows: RunDataRows, fallback: AuditEntry): Promise<void> =>
  audit.recordRunData ? audit.recordRunData(context, runId, rows, fallback) : audit.record(context, fallback);

/** Runs `work` as one atomic change-and-event unit when the recorder supports it, as it is otherwise. */
export const atomically = <T>(audit: AuditRecorder, work: () => Promise<T>): Promise<T> =>
  audit.atomically ? audit.atomically(work) : work();

/** For wiring where auditing is off (unit tests of a single service). */
export const noAudit: AuditRecorder = { record: async () => undefined };
