import type { Migration } from "../migrations.js";

/** Schema version 2 — registry: registered models, versions, tags, aliases. Not yet written: a placeholder that its owner replaces. */
export const REGISTRY_MIGRATION: Migration = {
  version: 2,
  description: "registry: registered models, versions, tags, aliases",
  sql: "SELECT 1",
};
