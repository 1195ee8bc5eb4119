import type { Migration } from "../../sql/migration.js";

/**
 * PostgreSQL schema, version 6 — shadow reports combined across replicas (issue 14 part 3); SQLite's migration 25.
 *
 * `shadow_reports` rows become one replica's part of a comparison: the key gains `replica` (a random id per server
 * process), so replicas no longer overwrite each other's counts, and the report a reader gets adds up the parts.
 * `released` (0 or 1): the process stopped after its last save, and a restarted one may take the part over and
 * continue it. Rows saved before are one part each, of replica 'saved-before-replicas', released.
 */
export const PG_SHADOW_REPORT_PARTS_MIGRATION: Migration = {
  version: 6,
  description: "shadow reports saved per replica (combined when read)",
  sql: `
    ALTER TABLE shadow_reports ADD COLUMN replica TEXT COLLATE "C" NOT NULL DEFAULT 'saved-before-replicas';
    ALTER TABLE shadow_reports ADD COLUMN released BIGINT NOT NULL DEFAULT 1 CHECK (released IN (0, 1));
    ALTER TABLE shadow_reports ALTER COLUMN replica DROP DEFAULT;
    ALTER TABLE shadow_reports ALTER COLUMN released SET DEFAULT 0;
    ALTER TABLE shadow_reports DROP CONSTRAINT shadow_reports_pkey;
    ALTER TABLE shadow_reports ADD PRIMARY KEY (deployment, since, candidate_version, replica);
  `,
};
