import type { PendingDigestStore } from "../../audit/digest-store.js";
import type { PendingDigest } from "../../audit/run-data-digest.js";
import { PENDING_DIGEST_COLUMNS, pendingDigestValues, toPendingDigest, type PendingDigestRow } from "../sql/pending-digest-rows.js";
import type { PgDatabase } from "./pg-database.js";

const COLUMN_LIST = PENDING_DIGEST_COLUMNS.split(", ");
const UPSERT_SQL =
  `INSERT INTO audit_pending_digests (${PENDING_DIGEST_COLUMNS}) VALUES (${COLUMN_LIST.map((_, i) => `$${i + 1}`).join(", ")}) ` +
  `ON CONFLICT (run_id) DO UPDATE SET ${COLUMN_LIST.filter((c) => c !== "run_id")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}`;

/**
 * audit_pending_digests on PostgreSQL. Replicas writing to one run add to its row one after another: lock() takes the
 * row FOR UPDATE (when the row does not exist yet, two first writes may both find none and both save: the second
 * save's upsert would overwrite the first, so lock() first inserts an empty placeholder with ON CONFLICT DO NOTHING,
 * which makes the row exist and be locked before it is read). take() is DELETE ... RETURNING: whichever replica
 * deletes the row appends its digest, the other finds nothing, so every write is in exactly one digest.
 */
export class PgPendingDigestStore implements PendingDigestStore {
  constructor(private readonly db: PgDatabase) {}

  async lock(runId: string): Promise<PendingDigest | undefined> {
    const select = `SELECT ${PENDING_DIGEST_COLUMNS} FROM audit_pending_digests WHERE run_id = $1 FOR UPDATE`;
    // Until this unit holds the row: found (locked) or inserted by it. A row that another unit inserted and then took
    // between our two statements is gone again, so the loop tries once more; it ends because every turn either
    // finds or inserts, and losing both means another unit made progress.
    for (;;) {
      const row = await this.db.one<PendingDigestRow>(select, [runId]);
      if (row !== undefined) return row.writes === 0 ? undefined : toPendingDigest(row);
      // A placeholder of zero writes, so that a concurrent first write waits on this row instead of racing to insert.
      const inserted = await this.db.execute(
        `INSERT INTO audit_pending_digests (${PENDING_DIGEST_COLUMNS})
         VALUES ($1, 0, 0, 0, 0, '[]', NULL, NULL, NULL, NULL, $2, $3, $3, '', 0, '') ON CONFLICT (run_id) DO NOTHING`,
        [runId, "0".repeat(64), Number.MAX_SAFE_INTEGER],
      );
      if (inserted === 1) return undefined;
    }
  }

  async save(pending: PendingDigest): Promise<void> {
    await this.db.query(UPSERT_SQL, pendingDigestValues(pending));
  }

  async take(runId: string): Promise<PendingDigest | undefined> {
    const row = await this.db.one<PendingDigestRow>(`DELETE FROM audit_pending_digests WHERE run_id = $1 RETURNING ${PENDING_DIGEST_COLUMNS}`, [runId]);
    return row === undefined || row.writes === 0 ? undefined : toPendingDigest(row);
  }

  async due(before: number, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ run_id: string }>(
      "SELECT run_id FROM audit_pending_digests WHERE first_time <= $1 AND writes > 0 ORDER BY first_time, run_id LIMIT $2",
      [before, limit],
    );
    return rows.map((row) => row.run_id);
  }
}
