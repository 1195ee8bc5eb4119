import type { PendingDigestStore } from "../../audit/digest-store.js";
import type { PendingDigest } from "../../audit/run-data-digest.js";
import { PENDING_DIGEST_COLUMNS, pendingDigestValues, toPendingDigest, type PendingDigestRow } from "../sql/pending-digest-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

const PLACEHOLDERS = PENDING_DIGEST_COLUMNS.split(",").map(() => "?").join(", ");

/**
 * audit_pending_digests on the shared connection. Callers run inside the audit store's atomically() unit, whose
 * IMMEDIATE transaction excludes every other writer of the file: lock() needs no lock of its own.
 */
export class SqlitePendingDigestStore implements PendingDigestStore {
  constructor(private readonly conn: SqliteConnection) {}

  async lock(runId: string): Promise<PendingDigest | undefined> {
    const row = this.conn.stmt(`SELECT ${PENDING_DIGEST_COLUMNS} FROM audit_pending_digests WHERE run_id = ?`).get(runId) as PendingDigestRow | undefined;
    return row === undefined ? undefined : toPendingDigest(row);
  }

  async save(pending: PendingDigest): Promise<void> {
    this.conn.stmt(`INSERT OR REPLACE INTO audit_pending_digests (${PENDING_DIGEST_COLUMNS}) VALUES (${PLACEHOLDERS})`).run(...pendingDigestValues(pending));
  }

  async take(runId: string): Promise<PendingDigest | undefined> {
    const row = this.conn.stmt(`DELETE FROM audit_pending_digests WHERE run_id = ? RETURNING ${PENDING_DIGEST_COLUMNS}`).get(runId) as
      | PendingDigestRow
      | undefined;
    return row === undefined ? undefined : toPendingDigest(row);
  }

  async due(before: number, limit: number): Promise<string[]> {
    const rows = this.conn.stmt("SELECT run_id FROM audit_pending_digests WHERE first_time <= ? ORDER BY first_time, run_id LIMIT ?").all(before, limit) as Array<{
      run_id: string;
    }>;
    return rows.map((row) => row.run_id);
  }
}
