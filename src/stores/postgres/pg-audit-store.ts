import type { AuditCheckpoint } from "../../audit/digest-store.js";
import type { AuditRecord, NewAuditRecord } from "../../audit/event.js";
import { GENESIS_HASH, eventHash } from "../../audit/hash-chain.js";
import type { AuditPage, AuditQuery, AuditStore } from "../../audit/store.js";
import type { ChainStart, ChainWalk } from "../../audit/verify.js";
import { decodeKeysetToken, encodeKeysetToken } from "../sql/keyset-token.js";
import { prefixUpperBound } from "../sql/prefix-bound.js";
import { COLUMNS, toRecord, type EventRow } from "../sql/audit-event-rows.js";
import type { PgConnectionConfig } from "./connection-uri.js";
import type { VerifyWorkerOptions } from "../../audit/verify-on-worker.js";
import { walkOnPgWorkerThread } from "./pg-audit-verify-thread.js";
import type { PgDatabase } from "./pg-database.js";
import { PgPendingDigestStore } from "./pg-pending-digest-store.js";

/**
 * The head of the chain, locked: audit_head's row (FOR UPDATE: every appender of every process waits here until the
 * holder commits or rolls back, which is what keeps one chain), and the newest event present, which wins when the
 * head row is behind it (a database filled by db migrate, or a head row that was removed).
 */
const LOCK_HEAD_SQL = `
  SELECT h.last_seq, h.head_hash, e.seq AS newest_seq, e.hash AS newest_hash
  FROM audit_head h
  LEFT JOIN LATERAL (SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1) e ON true
  WHERE h.id = 1
  FOR UPDATE OF h`;

const CREATE_HEAD_SQL = `
  INSERT INTO audit_head (id, last_seq, head_hash)
  SELECT 1, COALESCE(max(seq), 0), (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1) FROM audit_events
  ON CONFLICT (id) DO NOTHING`;

const INSERT_SQL = `INSERT INTO audit_events (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`;

interface LockedHead {
  last_seq: number;
  head_hash: string | null;
  newest_seq: number | null;
  newest_hash: string | null;
}

/**
 * The audit log on PostgreSQL, one chain for every process sharing the database: an append locks audit_head's row
 * (see schema/003-audit.ts), reads the head, inserts after it and moves the head, in the transaction it runs in. Inside
 * atomically() (= one PgDatabase transaction, which every store on the same PgDatabase joins) that is the change's own
 * transaction: the change and its event commit together, and a rolled-back unit leaves neither an event nor a gap.
 * A deadlock between two units (each holding a row the other wants and one of them the head) makes PostgreSQL abort
 * one; atomically() retries it, as its work only runs statements.
 */
export class PgAuditStore implements AuditStore {
  readonly digests: PgPendingDigestStore;
  readonly verifyOffThread: (from?: ChainStart) => Promise<ChainWalk>;

  constructor(
    private readonly db: PgDatabase,
    connection: PgConnectionConfig,
    options: { verify?: VerifyWorkerOptions } = {},
  ) {
    this.digests = new PgPendingDigestStore(db);
    this.verifyOffThread = (from) => walkOnPgWorkerThread(connection, from, options.verify);
  }

  atomically<T>(work: () => Promise<T>): Promise<T> {
    return this.db.transaction(work, { retryConflicts: true });
  }

  append(event: NewAuditRecord): Promise<AuditRecord> {
    return this.db.transaction(async () => {
      const head = await this.lockHead();
      const unhashed = { ...event, seq: head.seq + 1, prevHash: head.hash };
      const record: AuditRecord = { ...unhashed, hash: eventHash(unhashed) };
      await this.db.query(INSERT_SQL, [
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
      ]);
      await this.db.query("UPDATE audit_head SET last_seq = $1, head_hash = $2 WHERE id = 1", [record.seq, record.hash]);
      return record;
    });
  }

  private async lockHead(): Promise<{ seq: number; hash: string }> {
    let row = await this.db.one<LockedHead>(LOCK_HEAD_SQL);
    if (row === undefined) {
      await this.db.query(CREATE_HEAD_SQL);
      row = await this.db.one<LockedHead>(LOCK_HEAD_SQL);
    }
    if (row === undefined) throw new Error("audit_head could not be created");
    if (row.newest_seq !== null && row.newest_seq > row.last_seq) return { seq: row.newest_seq, hash: row.newest_hash ?? GENESIS_HASH };
    return { seq: row.last_seq, hash: row.head_hash ?? GENESIS_HASH };
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (condition: (...placeholders: string[]) => string, ...values: unknown[]) => {
      const placeholders = values.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      conditions.push(condition(...placeholders));
    };
    const descending = query.newestFirst === true;
    // A newest-first token carries a second number (1), so a token of the other order is refused, not misread.
    if (query.pageToken) {
      const [after] = decodeKeysetToken(query.pageToken, descending ? 2 : 1, "audit/events");
      where((p) => (descending ? `seq < ${p}` : `seq > ${p}`), after ?? 0);
    }
    if (query.entityType !== undefined) where((p) => `entity_type = ${p}`, query.entityType);
    if (query.entityId !== undefined) where((p) => `entity_id = ${p}`, query.entityId);
    if (query.actor !== undefined) where((p) => `actor_name = ${p}`, query.actor);
    if (query.action !== undefined) {
      if (!query.action.endsWith("*")) {
        where((p) => `action = ${p}`, query.action);
      } else {
        // A range on the action index (COLLATE "C": code point order, as prefixUpperBound assumes).
        const prefix = query.action.slice(0, -1);
        const upper = prefixUpperBound(prefix);
        if (upper !== undefined) where((lo, hi) => `action >= ${lo} AND action < ${hi}`, prefix, upper);
        else if (prefix !== "") where((p) => `starts_with(action, ${p})`, prefix);
      }
    }
    if (query.startTime !== undefined) where((p) => `time >= ${p}`, query.startTime);
    if (query.endTime !== undefined) where((p) => `time <= ${p}`, query.endTime);
    params.push(query.maxResults + 1);
    const sql =
      `SELECT ${COLUMNS} FROM audit_events` +
      (conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "") +
      (descending ? ` ORDER BY seq DESC LIMIT $${params.length}` : ` ORDER BY seq LIMIT $${params.length}`);
    const rows = await this.db.query<EventRow>(sql, params);
    const more = rows.length > query.maxResults;
    const items = (more ? rows.slice(0, query.maxResults) : rows).map(toRecord);
    const last = items.at(-1);
    if (!more || last === undefined) return { items };
    return { items, nextPageToken: encodeKeysetToken(descending ? [last.seq, 1] : [last.seq]) };
  }

  async readRange(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.db.query<EventRow>(`SELECT ${COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
    return rows.map(toRecord);
  }

  async lastAssignedSeq(): Promise<number> {
    const row = await this.db.one<{ last_seq: number }>(
      `SELECT GREATEST(COALESCE((SELECT last_seq FROM audit_head WHERE id = 1), 0),
                       COALESCE((SELECT max(seq) FROM audit_events), 0))::bigint AS last_seq`,
    );
    return row?.last_seq ?? 0;
  }

  async readCheckpoint(): Promise<AuditCheckpoint | undefined> {
    const row = await this.db.one<{ seq: number; hash: string; verified_time: number; verified_by: string }>(
      "SELECT seq, hash, verified_time, verified_by FROM audit_verify_checkpoints ORDER BY checkpoint_id DESC LIMIT 1",
    );
    return row === undefined ? undefined : { seq: row.seq, hash: row.hash, verifiedTime: row.verified_time, verifiedBy: row.verified_by };
  }

  async saveCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    await this.db.query("INSERT INTO audit_verify_checkpoints (seq, hash, verified_time, verified_by) VALUES ($1, $2, $3, $4)", [
      checkpoint.seq,
      checkpoint.hash,
      checkpoint.verifiedTime,
      checkpoint.verifiedBy,
    ]);
  }
}
