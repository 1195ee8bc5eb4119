import type { Migration } from "../migrations.js";

/**
 * Schema version 26 — compaction of dead shadow report parts (issue 14: parts bounded whatever the crash history).
 *
 * `revision`: bumped by every write of a part (save, touch, claim), so that a compaction deletes exactly the parts
 * as it read and merged them (a part saved again meanwhile is not lost, a part already compacted by another replica
 * is not counted twice). `merged_parts`: 0 for a server process's own part; on a compacted part (the merge of dead
 * parts of one comparison), how many process parts it holds. Existing rows: revision 0, merged_parts 0.
 */
export const SHADOW_PART_COMPACTION_MIGRATION: Migration = {
  version: 26,
  description: "serving: shadow report parts get a revision and a merged-parts count (compaction of dead parts)",
  sql: `
    ALTER TABLE shadow_reports ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE shadow_reports ADD COLUMN merged_parts INTEGER NOT NULL DEFAULT 0 CHECK (merged_parts >= 0);
  `,
};
