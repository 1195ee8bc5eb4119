import type { Migration } from "../migrations.js";

/**
 * Schema version 3 — audit: the append-only, hash-chained event log.
 *
 * `seq` is AUTOINCREMENT so that sqlite_sequence remembers the highest seq ever assigned: removing the newest events
 * then shows up as a gap (verify compares it with the last event present) and a later append never reuses their seq.
 * The triggers make the log append-only for every writer that goes through SQLite; someone with the file can still
 * drop them, which is what the hash chain is for. One index per query kind of the audit API, each ending in seq so
 * that a filtered page comes out in log order without a sort.
 */
export const AUDIT_MIGRATION: Migration = {
  version: 3,
  description: "audit: the append-only, hash-chained event log",
  sql: `
    CREATE TABLE audit_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      time INTEGER NOT NULL,
      actor_name TEXT NOT NULL,
      actor_verified INTEGER NOT NULL CHECK (actor_verified IN (0, 1)),
      action TEXT NOT NULL,
      entity_type TEXT NOT NULL,
      entity_id TEXT NOT NULL,
      before_json TEXT,
      after_json TEXT,
      request_id TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);
    CREATE INDEX audit_events_actor ON audit_events (actor_name, seq);
    CREATE INDEX audit_events_action ON audit_events (action, seq);
    CREATE INDEX audit_events_time ON audit_events (time, seq);

    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN
      SELECT RAISE(ABORT, 'audit events are append-only: UPDATE is not allowed');
    END;
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN
      SELECT RAISE(ABORT, 'audit events are append-only: DELETE is not allowed');
    END;
  `,
};
