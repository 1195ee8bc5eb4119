import { systemContext, type WriteContext } from "../core/actor.js";
import { systemClock, type Clock } from "../core/clock.js";
import { ALIAS_SET_ACTION, aliasChangeOf, type AliasChange } from "./alias-history.js";
import type { NewAuditRecord } from "./event.js";
import type { AuditEntry, AuditRecorder } from "./recorder.js";
import type { AuditPage, AuditQuery, AuditStore } from "./store.js";
import { addWrite, DATA_DIGEST_ACTION, digestSnapshot, type DigestReason, type PendingDigest, type RunDataRows } from "./run-data-digest.js";
import { ChainVerifier, type ChainStart, type ChainWalk, type VerifyReport } from "./verify.js";

export interface RunDigestOptions {
  /** A run's pending digest is appended once it covers this many writes (default 1000). */
  everyWrites?: number;
  /** ... or once its first write is this old (default 60 s), checked every intervalMs / 4 while started. */
  intervalMs?: number;
  /**
   * A store that collects written rows (PostgreSQL: PendingDigestStore.collector) is asked for the rows committed
   * since the last collection this often while started (default 1 s), and at a run's end.
   */
  collectMs?: number;
}

export interface AuditServiceOptions {
  clock?: Clock;
  digests?: RunDigestOptions;
  /** Where failures of the periodic digest flush go. */
  onBackgroundError?: (error: unknown, what: string) => void;
}

export interface VerifyOptions {
  /** Re-check from the first event rather than from the last verified checkpoint. */
  full?: boolean;
  /** Who asked (recorded with the checkpoint this verify leaves). */
  by?: string;
}

export const DEFAULT_DIGEST_EVERY_WRITES = 1000;
export const DEFAULT_DIGEST_INTERVAL_MS = 60_000;
export const DEFAULT_DIGEST_COLLECT_MS = 1000;
/** Rows one collection reads at most (whole transactions), so that its transaction and memory stay small. */
const COLLECT_ROWS = 20_000;
/** Who collected writes are attributed to: a collection does not know the writer of each row (see docs/audit.md). */
const COLLECTION_CONTEXT = systemContext("audit-digest-collection");
/**
 * How long a waiting collection (a run's end) waits for older transactions to end first, so that its run's final
 * digest has every write committed before it. Past it, a write whose transaction id is above a transaction still
 * running (anywhere on the PostgreSQL server) goes into the run's next digest instead.
 */
const SETTLE_MS = 1000;
/** Runs flushed per pass of the periodic flush at most (bounded work per tick; the next tick continues). */
const DUE_BATCH = 100;

/** Events read per store call while verifying or collecting a history: bounded memory on any log size. */
const READ_BATCH = 1000;
/**
 * Events verified between two yields: hashing 1,000 took 8 to 30 ms on a busy 2-core machine, and two verifies at
 * once held /health for one batch of each; 250 keeps each slice to a few milliseconds.
 */
const VERIFY_BATCH = 250;
/** An incremental walk of at most this many events runs in slices on the event loop (a few ms), not on a worker. */
const SMALL_INCREMENTAL_WALK = 5000;

/**
 * Lets the event loop serve other requests between two batches of a long walk. A synchronous store (SQLite) resolves
 * its reads without any I/O wait, so without this a verify of a large log would hold the server for its whole length.
 */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const snapshotJson = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

/**
 * The audit domain: records what the other services report (AuditRecorder), answers queries, verifies the chain and
 * derives alias histories. record() is on the path of every write, so it does one store append and nothing else.
 */
export class AuditService implements AuditRecorder {
  private readonly clock: Clock;
  /** The walks of verify() in progress (incremental, full), which later callers of the same kind join. */
  private readonly verifying = new Map<boolean, Promise<VerifyReport>>();
  private readonly everyWrites: number;
  private readonly intervalMs: number;
  private readonly collectMs: number;
  private readonly onBackgroundError: (error: unknown, what: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private collectTimer: NodeJS.Timeout | undefined;
  private collecting: Promise<void> | undefined;
  readonly atomicallyNow?: <T>(work: () => T) => Promise<T>;

  constructor(
    private readonly store: AuditStore,
    options: AuditServiceOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.everyWrites = Math.max(1, options.digests?.everyWrites ?? DEFAULT_DIGEST_EVERY_WRITES);
    this.intervalMs = Math.max(1, options.digests?.intervalMs ?? DEFAULT_DIGEST_INTERVAL_MS);
    this.collectMs = Math.max(10, options.digests?.collectMs ?? DEFAULT_DIGEST_COLLECT_MS);
    this.onBackgroundError = options.onBackgroundError ?? (() => undefined);
    if (store.atomicallyNow !== undefined && store.inTransaction !== undefined) this.atomicallyNow = store.atomicallyNow.bind(store);
  }

  /** Starts the periodic flush of pending digests older than intervalMs (safe on every replica: take() is exclusive). */
  start(): void {
    if (this.timer !== undefined || this.store.digests === undefined) return;
    this.timer = setInterval(() => {
      this.flushing ??= this.flushDue()
        .then(() => undefined)
        .catch((error: unknown) => this.onBackgroundError(error, "audit digest flush"))
        .finally(() => {
          this.flushing = undefined;
        });
    }, Math.max(10, Math.floor(this.intervalMs / 4)));
    this.timer.unref();
    if (this.store.digests.collector === undefined) return;
    this.collectTimer = setInterval(() => {
      this.collecting ??= this.collectCommitted(false)
        .catch((error: unknown) => this.onBackgroundError(error, "audit digest collection"))
        .finally(() => {
          this.collecting = undefined;
        });
    }, this.collectMs);
    this.collectTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.collectTimer !== undefined) clearInterval(this.collectTimer);
    this.timer = undefined;
    this.collectTimer = undefined;
    await Promise.all([this.flushing, this.collecting]);
  }

  /**
   * One metric/param/tag write of a run, called inside the write's atomically() unit: added to the run's pending
   * digest (so that it commits with the write), and the digest appended as an event once it covers everyWrites
   * writes. Without digest support in the store, one log_batch event as before (`fallback`).
   */
  async recordRunData(context: WriteContext, runId: string, rows: RunDataRows, fallback: AuditEntry): Promise<void> {
    const digests = this.store.digests;
    if (digests === undefined) return this.record(context, fallback);
    // The rows record the transaction that wrote them: a collection adds them (collectCommitted), off this path.
    if (digests.collector !== undefined) return;
    const write = { runId, rows, time: this.clock(), actor: context.actor, requestId: context.requestId };
    const pending = addWrite(await digests.lock(runId), write);
    if (pending.writes < this.everyWrites) return digests.save(pending);
    // Due now: nothing to save, the event covers it. A row another unit saved is impossible here: lock() holds it.
    await digests.take(runId);
    await this.appendDigest(pending, "writes");
  }

  /** See AuditRecorder.runDataInTransaction: recordRunData's work on the store's synchronous operations. */
  runDataInTransaction(context: WriteContext, runId: string, rows: RunDataRows): (() => void) | undefined {
    const sync = this.store.inTransaction;
    if (sync === undefined || this.atomicallyNow === undefined) return undefined;
    return () => {
      const pending = addWrite(sync.lock(runId), { runId, rows, time: this.clock(), actor: context.actor, requestId: context.requestId });
      if (pending.writes < this.everyWrites) return sync.save(pending);
      sync.take(runId);
      sync.append(this.newEvent({ actor: pending.actor, requestId: pending.requestId }, this.digestEntry(pending, "writes")));
    };
  }

  /**
   * Appends the run's pending digest now (the run ended, was deleted, or gc removes it); call inside the unit of
   * that change so that the digest precedes its event. Nothing when nothing is pending.
   */
  async closeRunData(runId: string, reason: DigestReason): Promise<void> {
    // Whatever was committed before this call is collected first (waiting for a collection in progress). Not for gc:
    // it removes runs deleted long ago, whose writes (refused since the delete) every collection since has taken.
    if (reason !== "gc" && this.store.digests?.collector !== undefined) await this.collectCommitted(true);
    const pending = await this.store.digests?.take(runId);
    if (pending !== undefined) await this.appendDigest(pending, reason);
  }

  /** Appends every pending digest whose first write is older than intervalMs; returns how many. */
  async flushDue(): Promise<number> {
    const digests = this.store.digests;
    if (digests === undefined) return 0;
    let flushed = 0;
    for (;;) {
      const runIds = await digests.due(this.clock() - this.intervalMs, DUE_BATCH);
      for (const runId of runIds) {
        // Each run in its own unit: another replica may take it first, then take() finds nothing.
        const taken = await this.atomically(async () => {
          const pending = await digests.take(runId);
          if (pending !== undefined) await this.appendDigest(pending, "interval");
          return pending !== undefined;
        });
        if (taken) flushed += 1;
      }
      if (runIds.length < DUE_BATCH) return flushed;
    }
  }

  /**
   * Adds the rows committed since the last collection to their runs' pending digests, a batch per unit, and appends
   * the digests that now cover everyWrites writes. With `wait`, every write committed before the call is collected
   * (see SETTLE_MS); without, returns at once while another collection (another replica's) runs. Nothing for a store
   * that does not collect (each write adds itself in recordRunData).
   */
  async collectCommitted(wait: boolean): Promise<void> {
    const digests = this.store.digests;
    const collector = digests?.collector;
    if (digests === undefined || collector === undefined) return;
    const add = digests.add?.bind(digests);
    if (add === undefined) throw new Error("a pending digest store with a collector must implement add()");
    if (wait) await collector.settle(SETTLE_MS);
    for (;;) {
      const more = await this.atomically(async () => {
        const batch = await collector.next(wait, COLLECT_ROWS);
        if (batch === undefined) return false;
        const time = this.clock();
        const due: string[] = [];
        // Runs in one order in every collection; every add before any append (which takes the chain's lock).
        for (const run of batch.runs.sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0))) {
          const addition = { ...addWrite(undefined, { runId: run.runId, rows: run.rows, time, ...COLLECTION_CONTEXT }), writes: run.writes };
          if ((await add(addition)) >= this.everyWrites) due.push(run.runId);
        }
        for (const runId of due) {
          const taken = await digests.take(runId);
          if (taken !== undefined) await this.appendDigest(taken, "writes");
        }
        return batch.more;
      });
      if (!more) return;
    }
  }

  private async appendDigest(pending: PendingDigest, reason: DigestReason): Promise<void> {
    await this.record({ actor: pending.actor, requestId: pending.requestId }, this.digestEntry(pending, reason));
  }

  private digestEntry(pending: PendingDigest, reason: DigestReason): AuditEntry {
    return { action: DATA_DIGEST_ACTION, entityType: "run", entityId: pending.runId, after: digestSnapshot(pending, reason) };
  }

  private newEvent(context: WriteContext, entry: AuditEntry): NewAuditRecord {
    return {
      time: this.clock(),
      actor: context.actor,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      beforeJson: snapshotJson(entry.before),
      afterJson: snapshotJson(entry.after),
      requestId: context.requestId,
    };
  }

  async record(context: WriteContext, entry: AuditEntry): Promise<void> {
    await this.store.append(this.newEvent(context, entry));
  }

  atomically<T>(work: () => Promise<T>): Promise<T> {
    return this.store.atomically ? this.store.atomically(work) : work();
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    return this.store.list(query);
  }

  /**
   * Checks every event up to the highest seq assigned when the walk started (events appended meanwhile are not), off
   * the event loop when the store can (verifyOffThread), else in slices of VERIFY_BATCH events between yields.
   * Incremental unless `full`: the walk starts after the newest verified checkpoint (after checking that its event
   * still has the hash verified then), and an ok walk leaves a new checkpoint at the last event it checked.
   * Callers that ask while a walk of the same kind is running share it: two clients verifying back to back made the
   * server do two walks at once, and a normal client's writes waited behind a slice of each.
   */
  verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    const full = options.full === true;
    let running = this.verifying.get(full);
    if (running === undefined) {
      running = this.verifyAndCheckpoint(full, options.by ?? "cairn").finally(() => this.verifying.delete(full));
      this.verifying.set(full, running);
    }
    return running;
  }

  private async verifyAndCheckpoint(full: boolean, by: string): Promise<VerifyReport> {
    const checkpoint = full ? undefined : await this.store.readCheckpoint?.();
    const from = checkpoint === undefined ? undefined : { seq: checkpoint.seq, hash: checkpoint.hash };
    const walk = await this.walkChain(from);
    const head = walk.head;
    if (walk.report.ok && head !== undefined && this.store.saveCheckpoint && (from === undefined || head.seq > from.seq)) {
      await this.store.saveCheckpoint({ seq: head.seq, hash: head.hash, verifiedTime: this.clock(), verifiedBy: by });
    }
    return walk.report;
  }

  private async walkChain(from: ChainStart | undefined): Promise<ChainWalk> {
    const lastAssigned = await this.store.lastAssignedSeq();
    // Off the event loop where the backend can (SQLite: a worker thread with its own connection), unless an
    // incremental walk has only a few events to check: starting a worker costs more than hashing them in slices.
    const small = from !== undefined && lastAssigned - from.seq <= SMALL_INCREMENTAL_WALK;
    if (this.store.verifyOffThread && !small) return this.store.verifyOffThread(from);
    const fromEvent = from === undefined ? undefined : (await this.store.readRange(from.seq - 1, 1))[0];
    const verifier = new ChainVerifier(from, fromEvent);
    let afterSeq = from?.seq ?? 0;
    for (;;) {
      const batch = await this.store.readRange(afterSeq, VERIFY_BATCH);
      for (const record of batch) {
        if (record.seq > lastAssigned) return verifier.finishWalk(lastAssigned);
        verifier.check(record);
      }
      const last = batch.at(-1);
      if (last === undefined || batch.length < VERIFY_BATCH) return verifier.finishWalk(lastAssigned);
      afterSeq = last.seq;
      await yieldToEventLoop();
    }
  }

  /** Who moved which alias of model `name` from which version to which, oldest first; one alias when given. */
  async aliasHistory(name: string, alias?: string): Promise<AliasChange[]> {
    const changes: AliasChange[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.list({
        entityType: "registered_model",
        entityId: name,
        // set and delete share this prefix; anything else under it is skipped by aliasChangeOf.
        action: `${ALIAS_SET_ACTION.slice(0, ALIAS_SET_ACTION.lastIndexOf(".") + 1)}*`,
        maxResults: READ_BATCH,
        ...(pageToken ? { pageToken } : {}),
      });
      for (const record of page.items) {
        const change = aliasChangeOf(record);
        if (change && (alias === undefined || change.alias === alias)) changes.push(change);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return changes;
  }
}
