import type { WriteContext } from "../core/actor.js";
import { systemClock, type Clock } from "../core/clock.js";
import { ALIAS_SET_ACTION, aliasChangeOf, type AliasChange } from "./alias-history.js";
import type { AuditEntry, AuditRecorder } from "./recorder.js";
import type { AuditPage, AuditQuery, AuditStore } from "./store.js";
import { ChainVerifier, type VerifyReport } from "./verify.js";

export interface AuditServiceOptions {
  clock?: Clock;
}

/** Events read per store call while verifying or collecting a history: bounded memory on any log size. */
const READ_BATCH = 1000;
/**
 * Events verified between two yields: hashing 1,000 took 8 to 30 ms on a busy 2-core machine, and two verifies at
 * once held /health for one batch of each; 250 keeps each slice to a few milliseconds.
 */
const VERIFY_BATCH = 250;

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
  /** The walk of verify() in progress, which later callers join. */
  private verifying: Promise<VerifyReport> | undefined;

  constructor(
    private readonly store: AuditStore,
    options: AuditServiceOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async record(context: WriteContext, entry: AuditEntry): Promise<void> {
    await this.store.append({
      time: this.clock(),
      actor: context.actor,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      beforeJson: snapshotJson(entry.before),
      afterJson: snapshotJson(entry.after),
      requestId: context.requestId,
    });
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
   * Callers that ask while a walk is running share it: two clients verifying back to back made the server do two
   * walks at once, and a normal client's writes waited behind a slice of each.
   */
  verify(): Promise<VerifyReport> {
    this.verifying ??= this.walkChain().finally(() => {
      this.verifying = undefined;
    });
    return this.verifying;
  }

  private async walkChain(): Promise<VerifyReport> {
    // Off the event loop where the backend can (SQLite: a worker thread with its own connection).
    if (this.store.verifyOffThread) return this.store.verifyOffThread();
    const lastAssigned = await this.store.lastAssignedSeq();
    const verifier = new ChainVerifier();
    let afterSeq = 0;
    for (;;) {
      const batch = await this.store.readRange(afterSeq, VERIFY_BATCH);
      for (const record of batch) {
        if (record.seq > lastAssigned) return verifier.finish(lastAssigned);
        verifier.check(record);
      }
      const last = batch.at(-1);
      if (last === undefined || batch.length < VERIFY_BATCH) return verifier.finish(lastAssigned);
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
