import type { CollectedRun, CommittedRowCollector } from "../../audit/digest-store.js";
import type { RunDataRows } from "../../audit/run-data-digest.js";
import type { PgDatabase } from "./pg-database.js";

/**
 * Run-data digests on PostgreSQL are collected from the rows themselves (schema/009): every metric, param and tag row
 * carries the id of the transaction that wrote it (audit_xid), and a collection takes the rows of the transactions
 * with ids in [collected_xid, horizon), where the horizon is the current snapshot's xmin: every transaction with a
 * smaller id has ended, so its rows, if it committed, are all visible now and no more will appear. Transaction ids are
 * assigned in start order, not commit order; a transaction still running below a later one only holds the horizon
 * back until it ends, so a row is never skipped, and the ranges of two collections never overlap, so a row is never
 * collected twice. Collections are serialised by the lock on audit_digest_collection's row.
 *
 * The digests' tables are the tracking store's: this backend knows both schemas, and reading the rows back in bulk is
 * what takes the digest's work off the path of every write.
 */
const LOCK = "SELECT collected_xid FROM audit_digest_collection WHERE id = 1 FOR UPDATE";
const HORIZON = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon";
/**
 * The caller's transaction id (assigned now if it had none; outside a transaction, the id of this one statement's):
 * every transaction that began before has a smaller one. (A snapshot's xmax is no such bound: it is one past the
 * newest transaction that ended, and transactions still running may have ids above it.)
 */
const SETTLE_TARGET = "SELECT pg_current_xact_id()::text::bigint AS target";
const SETTLE_POLL_MS = 2;
const MOVE = "UPDATE audit_digest_collection SET collected_xid = $1 WHERE id = 1";

const TABLES = ["metrics", "params", "tags"] as const;

/** The id of the transaction whose row is the (limit+1)-th in id order, which bounds a batch of about limit rows. */
const boundSql = (table: (typeof TABLES)[number]): string =>
  `SELECT audit_xid FROM ${table} WHERE audit_xid >= $1 AND audit_xid < $2 ORDER BY audit_xid OFFSET $3 LIMIT 1`;

const METRIC_ROWS =
  "SELECT r.run_uuid AS run_id, m.key, m.value, m.is_nan, m.timestamp, m.step, m.audit_xid FROM metrics m " +
  "JOIN runs r ON r.run_key = m.run_key WHERE m.audit_xid >= $1 AND m.audit_xid < $2";
const keyValueRows = (table: "params" | "tags"): string =>
  `SELECT r.run_uuid AS run_id, t.key, t.value, t.audit_xid FROM ${table} t JOIN runs r ON r.run_key = t.run_key ` +
  "WHERE t.audit_xid >= $1 AND t.audit_xid < $2";

interface MetricRow {
  run_id: string;
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
  audit_xid: number;
}

interface KeyValueRow {
  run_id: string;
  key: string;
  value: string;
  audit_xid: number;
}

interface RunRows {
  rows: { metrics: RunDataRows["metrics"][number][]; params: RunDataRows["params"][number][]; tags: RunDataRows["tags"][number][] };
  transactions: Set<number>;
}

export class PgDigestCollector implements CommittedRowCollector {
  constructor(private readonly db: PgDatabase) {}

  /** The id of the first transaction above `from` that stored a row, or the horizon when none did. */
  private async nextTransactionAfter(from: number, horizon: number): Promise<number> {
    let next = horizon;
    for (const table of TABLES) {
      const row = await this.db.one<{ audit_xid: number | null }>(`SELECT min(audit_xid) AS audit_xid FROM ${table} WHERE audit_xid > $1 AND audit_xid < $2`, [from, horizon]);
      if (row?.audit_xid != null) next = Math.min(next, row.audit_xid);
    }
    return next;
  }

  async settle(timeoutMs: number): Promise<boolean> {
    const target = (await this.db.one<{ target: number }>(SETTLE_TARGET))?.target ?? 0;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      // Each statement of a READ COMMITTED transaction takes a new snapshot: the horizon moves while this waits.
      if (((await this.db.one<{ horizon: number }>(HORIZON))?.horizon ?? 0) >= target) return true;
      if (performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  }

  async next(wait: boolean, limit: number): Promise<{ runs: CollectedRun[]; more: boolean } | undefined> {
    const locked = await this.db.one<{ collected_xid: number }>(wait ? LOCK : `${LOCK} SKIP LOCKED`);
    if (locked === undefined) {
      if (wait || (await this.db.one("SELECT 1 FROM audit_digest_collection WHERE id = 1")) === undefined) {
        // Removed behind Cairn's back: starting over could collect rows twice, and skipping could miss some.
        throw new Error("audit_digest_collection has no row: the run-data digests cannot be collected (see docs/audit.md)");
      }
      return undefined;
    }
    const from = locked.collected_xid;
    const horizon = (await this.db.one<{ horizon: number }>(HORIZON))?.horizon ?? from;
    if (horizon <= from) return { runs: [], more: false };
    // Whole transactions: the batch ends before the transaction of the limit+1-th row of any table (or, when the first
    // transaction alone holds more, after it: a batch always makes progress).
    let to = horizon;
    for (const table of TABLES) {
      const bound = await this.db.one<{ audit_xid: number }>(boundSql(table), [from, horizon, limit]);
      if (bound !== undefined) to = Math.min(to, bound.audit_xid > from ? bound.audit_xid : await this.nextTransactionAfter(from, horizon));
    }
    const byRun = new Map<string, RunRows>();
    const runOf = (runId: string, xid: number): RunRows["rows"] => {
      let run = byRun.get(runId);
      if (run === undefined) {
        run = { rows: { metrics: [], params: [], tags: [] }, transactions: new Set() };
        byRun.set(runId, run);
      }
      run.transactions.add(xid);
      return run.rows;
    };
    for (const row of await this.db.query<MetricRow>(METRIC_ROWS, [from, to])) {
      // NaN is stored as 0 with is_nan = 1 (see pg-log-batch.ts); ±Infinity comes back as a number.
      runOf(row.run_id, row.audit_xid).metrics.push({ key: row.key, value: row.is_nan === 1 ? Number.NaN : row.value, timestamp: row.timestamp, step: row.step });
    }
    for (const row of await this.db.query<KeyValueRow>(keyValueRows("params"), [from, to])) {
      runOf(row.run_id, row.audit_xid).params.push({ key: row.key, value: row.value });
    }
    for (const row of await this.db.query<KeyValueRow>(keyValueRows("tags"), [from, to])) {
      runOf(row.run_id, row.audit_xid).tags.push({ key: row.key, value: row.value });
    }
    await this.db.query(MOVE, [to]);
    const runs = [...byRun].map(([runId, run]) => ({ runId, rows: run.rows, writes: run.transactions.size }));
    return { runs, more: to < horizon };
  }
}

/**
 * After `cairn db migrate` copied a SQLite database's rows: they are in the source's digests or in its pending digests
 * (copied too), so the collection starts after every transaction that copied them (each ended before this one began,
 * so each has a smaller id than this one's).
 */
export const collectOnlyAfterThisTransaction = async (db: PgDatabase): Promise<void> => {
  await db.query("UPDATE audit_digest_collection SET collected_xid = GREATEST(collected_xid, pg_current_xact_id()::text::bigint) WHERE id = 1");
};
