import type { Migration } from "../migrations.js";

/** Schema version 4 — webhooks: subscriptions and the durable delivery queue. Not yet written: a placeholder that its owner replaces. */
export const WEBHOOKS_MIGRATION: Migration = {
  version: 4,
  description: "webhooks: subscriptions and the durable delivery queue",
  sql: "SELECT 1",
};
