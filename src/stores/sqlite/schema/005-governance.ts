import type { Migration } from "../migrations.js";

/** Schema version 5 — governance: promotion rules, approvals, model cards. Not yet written: a placeholder that its owner replaces. */
export const GOVERNANCE_MIGRATION: Migration = {
  version: 5,
  description: "governance: promotion rules, approvals, model cards",
  sql: "SELECT 1",
};
