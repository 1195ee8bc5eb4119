import type { PendingDigestStore } from "../../audit/digest-store.js";
import type { PendingDigest } from "../../audit/run-data-digest.js";
import { PENDING_DIGEST_COLUMNS, pendingDigestValues, toPendingDigest, type PendingDigestRow } from "../sql/pending-digest-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

const COLUMN_NAMES = PENDING_DIGEST_COLUMNS.split(",").map((column) => column.trim());
const SAVE_SQL =
  `INSERT INTO audit_pending_digests (${PENDING_DIGEST_COLUMNS}) VALUES (${COLUMN_NAMES.map(() => "?").join(", ")}) ` +
  // first_time is left as stored: a pending digest keeps its first write's time (addWrite), and an update that names
  // no indexed column leaves the index on it untouched (one page fewer in every commit's WAL frames).
  `ON CONFLICT (run_id) DO UPDATE SET ${COLUMN_NAMES.filter((column) => column !== "run_id" && column !== "first_time")
    .map((column) => `${column} = excluded.${column}`)
    .join(", ")}`;

/**
 * audit_pending_digests on the shared connection. Callers run inside the audit store's atomically() unit, whose
 * IMMEDIATE transaction excludes every other writer of the file: lock() needs no lock of its own.
 */
export class SqlitePendingDigestStore implements PendingDigestStore {
  constructor(private readonly conn: SqliteConnection) {}

  async lock(runId: string): Promise<PendingDigest | undefined> {
    return this.lockNow(runId);
  }

  async save(pending: PendingDigest): Promise<void> {
    this.saveNow(pending);
  }

  async take(runId: string): Promise<PendingDigest | undefined> {
    return this.takeNow(runId);
  }

  /** The synchronous forms, for SqliteAuditStore.inTransaction. */
  lockNow(runId: string): PendingDigest | undefined {
    const row = this.conn.stmt(`SELECT ${PENDING_DIGEST_COLUMNS} FROM audit_pending_digests WHERE run_id = ?`).get(runId) as PendingDigestRow | undefined;
    return row === undefined ? undefined : toPendingDigest(row);
  }

  // An upsert rather than INSERT OR REPLACE, which deletes the row and inserts it again on every write of the run.
  saveNow(pending: PendingDigest): void {
    this.conn.stmt(SAVE_SQL).run(...pendingDigestValues(pending));
  }

  takeNow(runId: string): PendingDigest | undefined {
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
