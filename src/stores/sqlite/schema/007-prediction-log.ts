import type { Migration } from "../migrations.js";

/** Schema version 7 — serving: the prediction log and labels. Not yet written: a placeholder that its owner replaces. */
export const PREDICTION_LOG_MIGRATION: Migration = {
  version: 7,
  description: "serving: the prediction log and labels",
  sql: "SELECT 1",
};
