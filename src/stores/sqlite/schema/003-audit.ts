import type { Migration } from "../migrations.js";

/** Schema version 3 — audit: the append-only, hash-chained event log. Not yet written: a placeholder that its owner replaces. */
export const AUDIT_MIGRATION: Migration = {
  version: 3,
  description: "audit: the append-only, hash-chained event log",
  sql: "SELECT 1",
};
