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

/**
 * The rows of a range grouped by run, each run's rows as one JSON array: PostgreSQL builds it, and one JSON.parse in
 * the server reads it. (Row by row, pg's parsing of each field cost 2.4 us a row, more than PostgreSQL's reading.)
 * A value's text is float8's shortest exact form, which JSON.parse turns back into the same double; ±Infinity come as
 * strings; NaN (stored as 0 with is_nan = 1, see pg-log-batch.ts) as null.
 */
const METRIC_ROWS =
  "SELECT run_key, json_agg(json_build_array(key, CASE WHEN is_nan = 1 THEN NULL ELSE value END, timestamp, step, audit_xid)) AS rows " +
  "FROM metrics WHERE audit_xid >= $1 AND audit_xid < $2 GROUP BY run_key";
const keyValueRows = (table: "params" | "tags"): string =>
  `SELECT run_key, json_agg(json_build_array(key, value, audit_xid)) AS rows FROM ${table} WHERE audit_xid >= $1 AND audit_xid < $2 GROUP BY run_key`;
const RUN_IDS = "SELECT run_key, run_uuid FROM runs WHERE run_key = ANY($1::bigint[])";

type MetricTuple = [key: string, value: number | string | null, timestamp: number, step: number, xid: number];
type KeyValueTuple = [key: string, value: string, xid: number];

interface RunRows {
  rows: { metrics: RunDataRows["metrics"][number][]; params: RunDataRows["params"][number][]; tags: RunDataRows["tags"][number][] };
  transactions: Set<number>;
}

const metricValue = (value: MetricTuple[1]): number => (value === null ? Number.NaN : Number(value));

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
    const byRun = new Map<number, RunRows>();
    const runOf = (runKey: number): RunRows => {
      let run = byRun.get(runKey);
      if (run === undefined) {
        run = { rows: { metrics: [], params: [], tags: [] }, transactions: new Set() };
        byRun.set(runKey, run);
      }
      return run;
    };
    for (const group of await this.db.query<{ run_key: number; rows: MetricTuple[] }>(METRIC_ROWS, [from, to])) {
      const run = runOf(group.run_key);
      for (const [key, value, timestamp, step, xid] of group.rows) {
        run.rows.metrics.push({ key, value: metricValue(value), timestamp, step });
        run.transactions.add(xid);
      }
    }
    for (const table of ["params", "tags"] as const) {
      for (const group of await this.db.query<{ run_key: number; rows: KeyValueTuple[] }>(keyValueRows(table), [from, to])) {
        const run = runOf(group.run_key);
        for (const [key, value, xid] of group.rows) {
          run.rows[table].push({ key, value });
          run.transactions.add(xid);
        }
      }
    }
    await this.db.query(MOVE, [to]);
    const runIds = new Map(
      (await this.db.query<{ run_key: number; run_uuid: string }>(RUN_IDS, [[...byRun.keys()]])).map((row) => [row.run_key, row.run_uuid]),
    );
    // A run whose row is gone (gc purged it after its rows committed) has no digest to add to: gc closed its data.
    const runs = [...byRun].flatMap(([runKey, run]) => {
      const runId = runIds.get(runKey);
      return runId === undefined ? [] : [{ runId, rows: run.rows, writes: run.transactions.size }];
    });
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
