import type { Migration } from "../../sql/migration.js";

/**
 * PostgreSQL schema, version 8 — compaction of dead shadow report parts; SQLite's migration 26.
 *
 * `revision`: bumped by every write of a part (save, touch, claim), so that a compaction deletes exactly the parts
 * as it read and merged them. `merged_parts`: 0 for a server process's own part; on a compacted part, how many
 * process parts it holds.
 */
export const PG_SHADOW_PART_COMPACTION_MIGRATION: Migration = {
  version: 8,
  description: "shadow report parts get a revision and a merged-parts count (compaction of dead parts)",
  sql: `
    ALTER TABLE shadow_reports ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE shadow_reports ADD COLUMN merged_parts BIGINT NOT NULL DEFAULT 0 CHECK (merged_parts >= 0);
  `,
};
