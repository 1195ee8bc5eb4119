import path from "node:path";
import type { Database, Statement, Transaction } from "better-sqlite3";
import type { AuditRecord, NewAuditRecord } from "../../audit/event.js";
import { GENESIS_HASH, eventHash } from "../../audit/hash-chain.js";
import { decodeKeysetToken, encodeKeysetToken } from "../sql/keyset-token.js";
import { prefixUpperBound } from "../sql/prefix-bound.js";
import type { AuditCheckpoint } from "../../audit/digest-store.js";
import type { AuditInTransaction, AuditPage, AuditQuery, AuditStore } from "../../audit/store.js";
import type { ChainStart, ChainWalk } from "../../audit/verify.js";
import { COLUMNS, HEAD_SQL, INSERT_SQL, toRecord, type EventRow, type HeadRow } from "../sql/audit-event-rows.js";
import type { VerifyWorkerOptions } from "../../audit/verify-on-worker.js";
import { walkOnWorkerThread } from "./audit-verify-thread.js";
import { SqlitePendingDigestStore } from "./sqlite-pending-digest-store.js";
import { SqliteConnection } from "./statement-cache.js";
import { ScopedAsyncStorage } from "../../core/scoped-async-storage.js";

interface PendingAppend {
  event: NewAuditRecord;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

/** One atomically() call: `open` until its transaction commits or rolls back. */
interface Unit {
  /** Its savepoint is open: its writes and events may still be undone alone. */
  open: boolean;
  group: CommitGroup;
}

/** The transaction that the units of one loop turn share, committed once at the end of the turn. */
interface CommitGroup {
  open: boolean;
  committed: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Events committed per transaction at most, so that one flush never holds the write lock for long. */
const MAX_EVENTS_PER_COMMIT = 256;

/**
 * The audit log in the shared SQLite database. Most events are appended inside atomically(): in the transaction of
 * the change they record (see there). An append outside a unit is group-committed: the events that concurrent requests
 * record within one turn of the event loop are written in one IMMEDIATE transaction (one head read, then one insert
 * per event, each chained to the one before), and each append resolves once its event is committed. A commit costs
 * far more than an insert (every touched page of the table and its four indexes goes to the WAL), so under load this
 * keeps auditing off the critical path; alone, an append waits one loop turn. Appenders in several processes sharing
 * the file queue on the write lock and extend one chain. close() does nothing: the connection belongs to whoever
 * opened it.
 *
 * verifyOffThread (a database file, not ":memory:"): the chain is verified on a worker thread over a read-only
 * connection of its own, so that hashing every event never holds this connection or the event loop.
 */
export class SqliteAuditStore implements AuditStore {
  private readonly conn: SqliteConnection;
  private readonly appendTransaction: Transaction<(events: readonly NewAuditRecord[]) => AuditRecord[]>;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  /** Enabled only while a unit runs: see ScopedAsyncStorage for what an always-on one costs every request. */
  private readonly unit = new ScopedAsyncStorage<Unit>();
  /** Units run one after another: the tail of the queue of atomically() calls. */
  private unitQueue: Promise<void> = Promise.resolve();
  private group: CommitGroup | undefined;
  /** The chain's head while a commit group is open (see appendNow); forgotten at every commit or rollback. */
  private groupHead: HeadRow | undefined;
  /** atomically() calls entered and not finished (queued or running): atomicallyNow() runs at once only when none. */
  private unitsInFlight = 0;
  /** The unit whose work runs now (units run one at a time). */
  private running: Unit | undefined;
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;
  private readonly savepoint: Statement;
  private readonly release: Statement;
  private readonly rollbackTo: Statement;
  /**
   * Units whose work waited for I/O (a file, the network, a timer) with the transaction open: the group was committed
   * at the end of the loop turn anyway, so that other requests' writes did not wait in it, and the unit's later events
   * were appended after their change, as outside a unit. Zero when every caller keeps to the rule; tests assert it.
   */
  spannedUnits = 0;
  /** Absent for an in-memory database, which no other connection can open. */
  readonly verifyOffThread?: (from?: ChainStart) => Promise<ChainWalk>;
  readonly digests: SqlitePendingDigestStore;
  readonly inTransaction: AuditInTransaction;

  constructor(
    private readonly db: Database,
    options: { verify?: VerifyWorkerOptions } = {},
  ) {
    this.conn = new SqliteConnection(db);
    this.digests = new SqlitePendingDigestStore(this.conn);
    this.inTransaction = this.inTransactionOps(this.digests);
    if (!db.memory && db.name !== "") {
      // Resolved now: the worker opens it by name, whatever the working directory is by then.
      const file = path.resolve(db.name);
      this.verifyOffThread = (from) => walkOnWorkerThread(file, from, options.verify);
    }
    this.begin = db.prepare("BEGIN IMMEDIATE");
    this.commit = db.prepare("COMMIT");
    this.rollback = db.prepare("ROLLBACK");
    this.savepoint = db.prepare("SAVEPOINT audited_unit");
    this.release = db.prepare("RELEASE audited_unit");
    this.rollbackTo = db.prepare("ROLLBACK TO audited_unit");
    // Built once: better-sqlite3 wraps the function per call of db.transaction, which the hot path can skip.
    this.appendTransaction = db.transaction((events: readonly NewAuditRecord[]) => this.appendNow(events));
  }

  async close(): Promise<void> {}

  /**
   * The writes of `work` (every store shares this connection) and the events it appends commit in one transaction,
   * or roll back together when it throws. A nested call joins the unit it runs in.
   *
   * Group commit: the units of one loop turn share one IMMEDIATE transaction, each in its own savepoint (a unit that
   * throws undoes only its own writes), committed once at the end of the turn (setImmediate); each call resolves once
   * that commit is done. A commit costs more than the writes of a log-metric, so under load this keeps the price of
   * atomic auditing below that of the separate event commit it replaces. Units run one after another (savepoints
   * nest, they cannot interleave); since their work only runs statements, each holds the lock for a few microtasks.
   */
  async atomically<T>(work: () => Promise<T>): Promise<T> {
    if (this.unit.getStore()?.open === true) return work();
    const previous = this.unitQueue;
    let next = (): void => undefined;
    this.unitQueue = new Promise((resolve) => (next = resolve));
    this.unitsInFlight += 1;
    let result: T;
    let group: CommitGroup | undefined;
    try {
      await previous;
      // Someone else's transaction is open only if they broke the rule above; joining it is all that can be done.
      if (this.db.inTransaction && this.group === undefined) return await work();
      group = this.group ?? this.openGroup();
      result = await this.runUnit(work, group);
    } finally {
      this.unitsInFlight -= 1;
      next();
    }
    await group.committed;
    return result;
  }

  /**
   * atomically() for synchronous work (AuditStore.atomicallyNow): with no other unit in flight it runs at once, in a
   * savepoint of the current commit group, and resolves at the group's commit like any unit. Nothing can interleave
   * with synchronous work, so it needs no async context: a log-metric's write and digest update pay neither for
   * AsyncLocalStorage (every promise of the process, while it is on) nor for a queue of units. With units in flight
   * (or when called inside one) it goes through atomically(), after them (or joining it).
   */
  atomicallyNow<T>(work: () => T): Promise<T> {
    if (this.unitsInFlight > 0 || (this.db.inTransaction && this.group === undefined)) return this.atomically(async () => work());
    const group = this.group ?? this.openGroup();
    let result: T;
    this.savepoint.run();
    try {
      result = work();
      this.release.run();
    } catch (error) {
      this.rollbackTo.run();
      this.release.run();
      this.groupHead = undefined;
      return Promise.reject(error);
    }
    return group.committed.then(() => result);
  }

  private openGroup(): CommitGroup {
    this.begin.run();
    let resolve = (): void => undefined;
    let reject = (_error: unknown): void => undefined;
    const committed = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be left without an outcome: a failed commit rejects every unit of the group.
    committed.catch(() => undefined);
    const group: CommitGroup = { open: true, committed, resolve, reject };
    this.group = group;
    setImmediate(() => this.commitGroup(group));
    return group;
  }

  private commitGroup(group: CommitGroup): void {
    if (!group.open) return;
    group.open = false;
    this.group = undefined;
    this.groupHead = undefined;
    if (this.running !== undefined && this.running.group === group) {
      // Its work waits for I/O: what it wrote so far commits now, the rest goes as outside a unit.
      this.running.open = false;
      this.spannedUnits += 1;
    }
    try {
      this.commit.run();
      group.resolve();
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      group.reject(error);
    }
  }

  private async runUnit<T>(work: () => Promise<T>, group: CommitGroup): Promise<T> {
    const unit: Unit = { open: true, group };
    this.savepoint.run();
    this.running = unit;
    try {
      const result = await this.unit.run(unit, work);
      if (unit.open) this.release.run();
      return result;
    } catch (error) {
      if (unit.open) {
        this.rollbackTo.run();
        this.release.run();
        this.groupHead = undefined;
      }
      throw error;
    } finally {
      unit.open = false;
      this.running = undefined;
    }
  }

  /**
   * The digest operations and an append inside a write transaction that another store of this connection opened
   * (AuditStore.inTransaction). Refused outside one, so that a store on another database (a wiring mistake) fails
   * loudly rather than writing its events in transactions of their own.
   */
  private inTransactionOps(digests: SqlitePendingDigestStore): AuditInTransaction {
    const requireTransaction = (): void => {
      if (!this.db.inTransaction) throw new Error("audit: inTransaction used outside a write transaction of its connection");
    };
    return {
      lock: (runId) => (requireTransaction(), digests.lockNow(runId)),
      save: (pending) => (requireTransaction(), digests.saveNow(pending)),
      take: (runId) => (requireTransaction(), digests.takeNow(runId)),
      append: (event) => {
        requireTransaction();
        return this.appendNow([event])[0] as AuditRecord;
      },
    };
  }

  append(event: NewAuditRecord): Promise<AuditRecord> {
    // Inside a unit: written now, in the transaction of the change it records.
    if (this.unit.getStore()?.open === true) {
      try {
        return Promise.resolve(this.appendNow([event])[0] as AuditRecord);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate, not a microtask: requests that arrived in the same I/O phase get to record first.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_EVENTS_PER_COMMIT);
      let records: AuditRecord[];
      try {
        records = this.appendTransaction.immediate(batch.map((item) => item.event));
      } catch (error) {
        for (const item of batch) item.reject(error);
        continue;
      }
      batch.forEach((item, index) => item.resolve(records[index] as AuditRecord));
    }
  }

  private appendNow(events: readonly NewAuditRecord[]): AuditRecord[] {
    // Inside a commit group the head is the last event this process appended: the IMMEDIATE transaction keeps every
    // other writer out until the commit, so the three lookups of HEAD_SQL are needed once per group, not per event.
    const head = this.groupHead ?? (this.conn.stmt(HEAD_SQL).get() as HeadRow);
    let seq = head.last_seq;
    let prevHash = head.head_hash ?? GENESIS_HASH;
    const records: AuditRecord[] = [];
    for (const event of events) {
      seq += 1;
      const record = this.insert(event, seq, prevHash);
      records.push(record);
      prevHash = record.hash;
    }
    if (this.group?.open === true) this.groupHead = { last_seq: seq, head_hash: prevHash };
    return records;
  }

  private insert(event: NewAuditRecord, seq: number, prevHash: string): AuditRecord {
    const unhashed = { ...event, seq, prevHash };
    const record: AuditRecord = { ...unhashed, hash: eventHash(unhashed) };
    this.conn
      .stmt(INSERT_SQL)
      .run(
        record.seq,
        record.time,
        record.actor.name,
        record.actor.verified ? 1 : 0,
        record.action,
        record.entityType,
        record.entityId,
        record.beforeJson,
        record.afterJson,
        record.requestId,
        record.prevHash,
        record.hash,
      );
    return record;
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (condition: string, ...values: unknown[]) => {
      conditions.push(condition);
      params.push(...values);
    };
    const descending = query.newestFirst === true;
    // A newest-first token carries a second number (1), so a token of the other order is refused, not misread.
    if (query.pageToken) {
      const [after] = decodeKeysetToken(query.pageToken, descending ? 2 : 1, "audit/events");
      where(descending ? "seq < ?" : "seq > ?", after ?? 0);
    }
    if (query.entityType !== undefined) where("entity_type = ?", query.entityType);
    if (query.entityId !== undefined) where("entity_id = ?", query.entityId);
    if (query.actor !== undefined) where("actor_name = ?", query.actor);
    if (query.action !== undefined) {
      if (!query.action.endsWith("*")) {
        where("action = ?", query.action);
      } else {
        // A range on the action index rather than LIKE, whose wildcards and case folding would need escaping.
        const prefix = query.action.slice(0, -1);
        const upper = prefixUpperBound(prefix);
        if (upper !== undefined) where("action >= ? AND action < ?", prefix, upper);
        else if (prefix !== "") where("substr(action, 1, length(?)) = ?", prefix, prefix);
      }
    }
    if (query.startTime !== undefined) where("time >= ?", query.startTime);
    if (query.endTime !== undefined) where("time <= ?", query.endTime);
    const sql =
      `SELECT ${COLUMNS} FROM audit_events` +
      (conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "") +
      (descending ? " ORDER BY seq DESC LIMIT ?" : " ORDER BY seq LIMIT ?");
    const rows = this.conn.stmt(sql).all(...params, query.maxResults + 1) as EventRow[];
    const more = rows.length > query.maxResults;
    const items = (more ? rows.slice(0, query.maxResults) : rows).map(toRecord);
    const last = items.at(-1);
    if (!more || last === undefined) return { items };
    return { items, nextPageToken: encodeKeysetToken(descending ? [last.seq, 1] : [last.seq]) };
  }

  async readRange(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const sql = `SELECT ${COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`;
    const rows = this.conn.stmt(sql).all(afterSeq, limit) as EventRow[];
    return rows.map(toRecord);
  }

  async lastAssignedSeq(): Promise<number> {
    return (this.conn.stmt(HEAD_SQL).get() as HeadRow).last_seq;
  }

  async readCheckpoint(): Promise<AuditCheckpoint | undefined> {
    const row = this.conn
      .stmt("SELECT seq, hash, verified_time, verified_by FROM audit_verify_checkpoints ORDER BY checkpoint_id DESC LIMIT 1")
      .get() as { seq: number; hash: string; verified_time: number; verified_by: string } | undefined;
    return row === undefined ? undefined : { seq: row.seq, hash: row.hash, verifiedTime: row.verified_time, verifiedBy: row.verified_by };
  }

  async saveCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    this.conn
      .stmt("INSERT INTO audit_verify_checkpoints (seq, hash, verified_time, verified_by) VALUES (?, ?, ?, ?)")
      .run(checkpoint.seq, checkpoint.hash, checkpoint.verifiedTime, checkpoint.verifiedBy);
  }
}
