import type { Migration } from "../../sql/migration.js";

/**
 * PostgreSQL schema, version 7 — adding a write to its run's pending digest in one upsert (issue 14 part 6;
 * PgPendingDigestStore.add). No SQLite counterpart: SQLite adds in the process, under its one writer.
 *
 * `content_sum_added`: the sum modulo 2^256 of the additions add() merged into the row, as a number, so that the
 * upsert adds with numeric arithmetic (under a microsecond; converting the 64-hex-digit `content_sum` to a number and
 * back in SQL cost 100 to 160 us of PostgreSQL's CPU per write). The row's content sum is content_sum +
 * content_sum_added modulo 2^256 (the store adds them when it reads the row). `content_sum` keeps its type and meaning:
 * rows saved before this migration, rows saved by lock + save and rows `cairn db migrate` copies from SQLite (which
 * has no such column) have content_sum_added = 0.
 */
export const PG_PENDING_DIGEST_SUM_ADDED_MIGRATION: Migration = {
  version: 7,
  description: "audit_pending_digests.content_sum_added: the pending digest's sum added to by one upsert",
  sql: `
    ALTER TABLE audit_pending_digests ADD COLUMN content_sum_added NUMERIC(78, 0) NOT NULL DEFAULT 0
      CHECK (content_sum_added >= 0 AND content_sum_added < ${(1n << 256n).toString()}); -- 2^256
  `,
};
