import type { Migration } from "../../sql/migration.js";

/**
 * PostgreSQL schema, version 9 — run-data digests collected from committed rows (issue 14 part 6; PgDigestCollector).
 * No SQLite counterpart: SQLite adds each write to its pending digest in the write's own transaction, which costs it
 * nothing measurable; on PostgreSQL that was one more statement per write, a quarter of the single log-metric rate.
 *
 * `audit_xid` on metrics, params and tags: the id of the transaction that wrote the row (pg_current_xact_id, 64 bits,
 * never wraps), set by the column's default, so the write path sends nothing more. Rows stored before this version,
 * and rows `cairn db migrate` copies (see startCollectionAfterCopy), are already in a digest or a pending digest:
 * added without a default and so NULL, they are never collected. A tag's upsert sets it again (its new value is a new
 * write). The partial indexes hold only collectable rows.
 *
 * `audit_digest_collection`: the one row every collection locks, and the transaction id up to which (exclusive) the
 * rows of every transaction have been collected.
 */
export const PG_DIGEST_COLLECTION_MIGRATION: Migration = {
  version: 9,
  description: "metrics, params and tags carry the id of the transaction that wrote them; audit_digest_collection",
  sql: `
    ALTER TABLE metrics ADD COLUMN audit_xid BIGINT;
    ALTER TABLE metrics ALTER COLUMN audit_xid SET DEFAULT (pg_current_xact_id()::text::bigint);
    CREATE INDEX metrics_audit_xid ON metrics (audit_xid) WHERE audit_xid IS NOT NULL;
    ALTER TABLE params ADD COLUMN audit_xid BIGINT;
    ALTER TABLE params ALTER COLUMN audit_xid SET DEFAULT (pg_current_xact_id()::text::bigint);
    CREATE INDEX params_audit_xid ON params (audit_xid) WHERE audit_xid IS NOT NULL;
    ALTER TABLE tags ADD COLUMN audit_xid BIGINT;
    ALTER TABLE tags ALTER COLUMN audit_xid SET DEFAULT (pg_current_xact_id()::text::bigint);
    CREATE INDEX tags_audit_xid ON tags (audit_xid) WHERE audit_xid IS NOT NULL;

    CREATE TABLE audit_digest_collection (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      collected_xid BIGINT NOT NULL
    );
    INSERT INTO audit_digest_collection (id, collected_xid) VALUES (1, 0);
  `,
};
