import type { Migration } from "../migrations.js";

/**
 * Schema version 23 — an audit trail that scales with ingestion (issue 14 part 6).
 *
 * audit_pending_digests: one row per run with metric/param/tag writes not yet covered by a digest event. Each write
 * updates its run's row in the transaction of the write itself, so an acknowledged write is in the database's
 * pending digest even if the process dies before the digest event is appended; the digest event and the removal of
 * the row commit together, so every write is covered by exactly one digest.
 *
 * audit_verify_checkpoints: "the chain was verified up to seq, whose hash was hash", with who and when, so that the
 * next verify only walks what was appended since (`cairn audit verify --full` walks from genesis again).
 */
export const AUDIT_DIGESTS_MIGRATION: Migration = {
  version: 23,
  description: "audit: pending run-data digests, verification checkpoints",
  sql: `
    CREATE TABLE audit_pending_digests (
      run_id TEXT NOT NULL PRIMARY KEY,
      writes INTEGER NOT NULL,
      metrics INTEGER NOT NULL,
      params INTEGER NOT NULL,
      tags INTEGER NOT NULL,
      keys_json TEXT NOT NULL,
      step_min INTEGER,
      step_max INTEGER,
      time_min INTEGER,
      time_max INTEGER,
      content_sum TEXT NOT NULL,
      first_time INTEGER NOT NULL,
      last_time INTEGER NOT NULL,
      actor_name TEXT NOT NULL,
      actor_verified INTEGER NOT NULL CHECK (actor_verified IN (0, 1)),
      request_id TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX audit_pending_digests_first_time ON audit_pending_digests (first_time);

    CREATE TABLE audit_verify_checkpoints (
      checkpoint_id INTEGER PRIMARY KEY AUTOINCREMENT,
      seq INTEGER NOT NULL,
      hash TEXT NOT NULL,
      verified_time INTEGER NOT NULL,
      verified_by TEXT NOT NULL
    );
  `,
};
