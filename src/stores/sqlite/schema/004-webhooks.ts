import type { Migration } from "../migrations.js";

/**
 * Schema version 4 — webhooks: subscriptions and the durable delivery queue.
 *
 * A delivery is a row from the moment an event is published, so that nothing pending lives only in memory: a server
 * that stops (or dies) leaves its pending rows for the next process. A dispatcher claims due rows by writing a lease
 * (owner + expiry) inside a write transaction; SQLite serialises write transactions across processes, so two servers
 * on one file never claim the same row while its lease holds. An expired lease (its owner died mid-send) makes the
 * row claimable again: delivery is at least once, and receivers dedupe on the delivery id.
 *
 * The event itself (time, actor, request id, payload) is stored once per delivery and the body is rebuilt from those
 * columns on each attempt, so that one INSERT ... SELECT fans an event out to every matching subscription.
 */
export const WEBHOOKS_MIGRATION: Migration = {
  version: 4,
  description: "webhooks: subscriptions and the durable delivery queue",
  sql: `
    CREATE TABLE webhooks (
      webhook_id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      url TEXT NOT NULL,
      -- JSON array of event types, or ["*"]
      events TEXT NOT NULL,
      -- Kept in clear: signing needs it (HMAC), and it is never returned after create.
      secret TEXT NOT NULL,
      active INTEGER NOT NULL CHECK (active IN (0, 1)),
      created_time INTEGER NOT NULL,
      last_updated_time INTEGER NOT NULL
    );

    CREATE TABLE webhook_deliveries (
      delivery_key INTEGER PRIMARY KEY,
      delivery_id TEXT NOT NULL UNIQUE,
      webhook_id TEXT NOT NULL REFERENCES webhooks (webhook_id) ON DELETE CASCADE,
      event_type TEXT NOT NULL,
      event_time INTEGER NOT NULL,
      actor TEXT NOT NULL,
      request_id TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_time INTEGER,
      lease_owner TEXT,
      lease_until INTEGER,
      last_status_code INTEGER,
      last_error TEXT,
      created_time INTEGER NOT NULL,
      delivered_time INTEGER
    );
    -- The dispatcher's query: pending rows by due time. Partial, so delivered history does not grow it.
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_time) WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, delivery_key);
  `,
};
