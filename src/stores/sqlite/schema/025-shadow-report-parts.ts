import type { Migration } from "../migrations.js";

/**
 * Schema version 25 — shadow reports combined across replicas (issue 14 part 3).
 *
 * `shadow_reports` rows become one replica's part of a comparison: the key gains `replica` (a random id per server
 * process), so replicas no longer overwrite each other's counts, and the report a reader gets adds up the parts.
 * `released` (0 or 1): the process stopped after its last save, and a restarted one may take the part over and
 * continue it. Rows saved before are one part each, of replica 'saved-before-replicas', released (so a restart
 * continues them as it did). The primary key changes, so the table is rebuilt (SQLite cannot alter a key).
 */
export const SHADOW_REPORT_PARTS_MIGRATION: Migration = {
  version: 25,
  description: "serving: shadow reports saved per replica (combined when read)",
  sql: `
    CREATE TABLE shadow_reports_parts (
      deployment TEXT NOT NULL,
      since INTEGER NOT NULL,
      candidate_version TEXT NOT NULL,
      replica TEXT NOT NULL,
      report TEXT NOT NULL,
      state TEXT NOT NULL,
      updated_time INTEGER NOT NULL,
      released INTEGER NOT NULL DEFAULT 0 CHECK (released IN (0, 1)),
      PRIMARY KEY (deployment, since, candidate_version, replica)
    );
    INSERT INTO shadow_reports_parts (deployment, since, candidate_version, replica, report, state, updated_time, released)
      SELECT deployment, since, candidate_version, 'saved-before-replicas', report, state, updated_time, 1 FROM shadow_reports;
    DROP TABLE shadow_reports;
    ALTER TABLE shadow_reports_parts RENAME TO shadow_reports;
  `,
};
