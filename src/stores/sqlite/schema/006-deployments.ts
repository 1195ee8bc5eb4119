import type { Migration } from "../migrations.js";

/** Schema version 6 — serving: deployments, their traffic policy and history. Not yet written: a placeholder that its owner replaces. */
export const DEPLOYMENTS_MIGRATION: Migration = {
  version: 6,
  description: "serving: deployments, their traffic policy and history",
  sql: "SELECT 1",
};
