import type { PendingDigestStore } from "../../audit/digest-store.js";
import { addSums, DIGEST_MAX_KEYS, ZERO_SUM, type PendingDigest } from "../../audit/run-data-digest.js";
import { PENDING_DIGEST_COLUMNS, pendingDigestValues, toPendingDigest, type PendingDigestRow } from "../sql/pending-digest-rows.js";
import type { PgDatabase } from "./pg-database.js";
import { PgDigestCollector } from "./pg-digest-collector.js";

const COLUMN_LIST = PENDING_DIGEST_COLUMNS.split(", ");
const PLACEHOLDERS = COLUMN_LIST.map((_, i) => `$${i + 1}`).join(", ");
/** Every column read back: the shared ones and content_sum_added (schema/007), which only PostgreSQL has. */
const RETURNED = `${PENDING_DIGEST_COLUMNS}, content_sum_added`;
const TWO_TO_THE_256 = (1n << 256n).toString();

/** save(): the whole digest as computed by the caller, its sum in content_sum alone. */
const UPSERT_SQL =
  `INSERT INTO audit_pending_digests (${PENDING_DIGEST_COLUMNS}) VALUES (${PLACEHOLDERS}) ` +
  `ON CONFLICT (run_id) DO UPDATE SET ${COLUMN_LIST.filter((c) => c !== "run_id")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}, content_sum_added = 0`;

/**
 * add(): addWrite's merge as SQL, one round trip per run a collection found (see PgDigestCollector). The upsert's row
 * lock serialises the units adding to one run (a concurrent first addition waits on the conflicting insert, then
 * updates the row it committed), so no separate SELECT ... FOR UPDATE is needed.
 * - keys: unchanged when they already hold every new key (the usual case, the same metric again, is found by comparing
 *   the texts, before any JSON is parsed) or are full; else
 *   the distinct keys of old ++ new in order of first appearance, the first DIGEST_MAX_KEYS;
 * - LEAST/GREATEST skip NULLs, so a bound is the old one, the new one, or the wider of both;
 * - a row of zero writes is lock()'s placeholder: its first_time is not a write's, the addition's replaces it;
 * - the addition's sum goes to content_sum_added as a number ($17, decimal), added modulo 2^256 by numeric
 *   arithmetic; content_sum (hex) is left as it is.
 */
const ADD_SQL =
  `INSERT INTO audit_pending_digests AS t (${PENDING_DIGEST_COLUMNS}, content_sum_added) VALUES (${PLACEHOLDERS}, $${COLUMN_LIST.length + 1}) ` +
  `ON CONFLICT (run_id) DO UPDATE SET writes = t.writes + excluded.writes, metrics = t.metrics + excluded.metrics, ` +
  `params = t.params + excluded.params, tags = t.tags + excluded.tags, ` +
  `keys_json = CASE WHEN t.keys_json = excluded.keys_json OR t.keys_json::jsonb @> excluded.keys_json::jsonb OR jsonb_array_length(t.keys_json::jsonb) >= ${DIGEST_MAX_KEYS} ` +
  `THEN t.keys_json ELSE (SELECT COALESCE(json_agg(k ORDER BY first_at), '[]')::text FROM (` +
  `SELECT k, min(at) AS first_at FROM (` +
  `SELECT k, at FROM jsonb_array_elements_text(t.keys_json::jsonb) WITH ORDINALITY AS old(k, at) UNION ALL ` +
  `SELECT k, at + ${DIGEST_MAX_KEYS * 1000} FROM jsonb_array_elements_text(excluded.keys_json::jsonb) WITH ORDINALITY AS new(k, at)` +
  `) AS both_keys GROUP BY k ORDER BY first_at LIMIT ${DIGEST_MAX_KEYS}) AS merged) END, ` +
  `step_min = LEAST(t.step_min, excluded.step_min), step_max = GREATEST(t.step_max, excluded.step_max), ` +
  `time_min = LEAST(t.time_min, excluded.time_min), time_max = GREATEST(t.time_max, excluded.time_max), ` +
  `content_sum_added = mod(t.content_sum_added + excluded.content_sum_added, ${TWO_TO_THE_256}), ` +
  `first_time = CASE WHEN t.writes = 0 THEN excluded.first_time ELSE t.first_time END, last_time = excluded.last_time, ` +
  `actor_name = excluded.actor_name, actor_verified = excluded.actor_verified, request_id = excluded.request_id ` +
  `RETURNING writes`;

interface PgPendingDigestRow extends PendingDigestRow {
  /** numeric: pg returns it as its decimal text. */
  content_sum_added: string;
}

const hexOfDecimal = (decimal: string): string => BigInt(decimal).toString(16).padStart(64, "0");

/** The row as the domain sees it: one content sum, content_sum + content_sum_added. */
const fromRow = (row: PgPendingDigestRow): PendingDigest => {
  const pending = toPendingDigest(row);
  return row.content_sum_added === "0" ? pending : { ...pending, contentSum: addSums(pending.contentSum, hexOfDecimal(row.content_sum_added)) };
};

/**
 * audit_pending_digests on PostgreSQL. Replicas writing to one run add to its row one after another: add() in one
 * upsert (above), or lock() + save(): lock() takes the row FOR UPDATE (when the row does not exist yet, two first
 * writes may both find none and both save: the second save's upsert would overwrite the first, so lock() first
 * inserts an empty placeholder with ON CONFLICT DO NOTHING, which makes the row exist and be locked before it is
 * read). take() is DELETE ... RETURNING: whichever replica deletes the row appends its digest, the other finds
 * nothing, so every write is in exactly one digest.
 */
export class PgPendingDigestStore implements PendingDigestStore {
  readonly collector: PgDigestCollector;

  constructor(private readonly db: PgDatabase) {
    this.collector = new PgDigestCollector(db);
  }

  async lock(runId: string): Promise<PendingDigest | undefined> {
    const select = `SELECT ${RETURNED} FROM audit_pending_digests WHERE run_id = $1 FOR UPDATE`;
    // Until this unit holds the row: found (locked) or inserted by it. A row that another unit inserted and then took
    // between our two statements is gone again, so the loop tries once more; it ends because every turn either
    // finds or inserts, and losing both means another unit made progress.
    for (;;) {
      const row = await this.db.one<PgPendingDigestRow>(select, [runId]);
      if (row !== undefined) return row.writes === 0 ? undefined : fromRow(row);
      // A placeholder of zero writes, so that a concurrent first write waits on this row instead of racing to insert.
      const inserted = await this.db.execute(
        `INSERT INTO audit_pending_digests (${PENDING_DIGEST_COLUMNS})
         VALUES ($1, 0, 0, 0, 0, '[]', NULL, NULL, NULL, NULL, $2, $3, $3, '', 0, '') ON CONFLICT (run_id) DO NOTHING`,
        [runId, ZERO_SUM, Number.MAX_SAFE_INTEGER],
      );
      if (inserted === 1) return undefined;
    }
  }

  async add(addition: PendingDigest): Promise<number> {
    const values = pendingDigestValues({ ...addition, contentSum: ZERO_SUM });
    // Prepared: planning this statement (its keys merge) cost three times its execution. Only the count comes back:
    // the whole row is read (by take) on the one write in N that closes the digest.
    const [row] = await this.db.queryPrepared<{ writes: number }>("cairn_pending_digest_add", ADD_SQL, [...values, BigInt(`0x${addition.contentSum}`).toString()]);
    // An upsert with RETURNING always returns its row.
    if (row === undefined) throw new Error(`pending digest upsert of run ${addition.runId} returned no row`);
    return row.writes;
  }

  async save(pending: PendingDigest): Promise<void> {
    await this.db.query(UPSERT_SQL, pendingDigestValues(pending));
  }

  async take(runId: string): Promise<PendingDigest | undefined> {
    const row = await this.db.one<PgPendingDigestRow>(`DELETE FROM audit_pending_digests WHERE run_id = $1 RETURNING ${RETURNED}`, [runId]);
    return row === undefined || row.writes === 0 ? undefined : fromRow(row);
  }

  async due(before: number, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ run_id: string }>(
      "SELECT run_id FROM audit_pending_digests WHERE first_time <= $1 AND writes > 0 ORDER BY first_time, run_id LIMIT $2",
      [before, limit],
    );
    return rows.map((row) => row.run_id);
  }
}
