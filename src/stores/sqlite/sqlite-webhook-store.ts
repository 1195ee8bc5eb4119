import type { Database } from "better-sqlite3";
import { decodeKeysetToken, encodeKeysetToken } from "../sql/keyset-token.js";
import type { DomainEvent } from "../../core/events.js";
import type {
  AttemptOutcome,
  ClaimRequest,
  ClaimedDelivery,
  Delivery,
  DeliveryPage,
  DeliveryQuery,
  Webhook,
  WebhookChanges,
  WebhookFormat,
  WebhookListQuery,
  WebhookPage,
  WebhookStore,
  WebhookWithSecret,
} from "../../webhooks/store.js";
import { WEBHOOK_FORMATS } from "../../webhooks/store.js";
import {
  boundedError,
  DELIVERY_COLUMNS,
  toClaimed,
  toDelivery,
  toWebhook,
  withoutSecret,
  type ClaimedRow,
  type DeliveryRow,
  type WebhookRow,
} from "../sql/webhook-rows.js";
import { SqliteConnection } from "./statement-cache.js";

/**
 * The WebhookStore on the process's shared better-sqlite3 connection (close() belongs to whoever opened it).
 * Claims run in BEGIN IMMEDIATE transactions, which SQLite serialises across processes: the lease written inside
 * one is visible to the next claimer, so two servers never take the same delivery at once.
 */
export class SqliteWebhookStore implements WebhookStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db);
  }

  async close(): Promise<void> {
    // The connection is shared with the other stores; the wiring that opened it closes it.
  }

  async createWebhook(webhook: WebhookWithSecret): Promise<void> {
    this.conn
      .stmt(
        `INSERT INTO webhooks (webhook_id, name, description, url, format, events, secret, active, created_time, last_updated_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        webhook.id,
        webhook.name,
        webhook.description ?? null,
        webhook.url,
        webhook.format,
        JSON.stringify(webhook.events),
        webhook.secret,
        webhook.active ? 1 : 0,
        webhook.createdTime,
        webhook.lastUpdatedTime,
      );
  }

  private readWebhook(id: string): WebhookWithSecret | undefined {
    const row = this.conn.stmt("SELECT * FROM webhooks WHERE webhook_id = ?").get(id) as WebhookRow | undefined;
    return row === undefined ? undefined : toWebhook(row);
  }

  async getWebhook(id: string): Promise<WebhookWithSecret | undefined> {
    return this.readWebhook(id);
  }

  async listWebhooks(): Promise<Webhook[]> {
    const rows = this.conn.stmt("SELECT * FROM webhooks ORDER BY created_time, rowid").all() as WebhookRow[];
    return rows.map((row) => withoutSecret(toWebhook(row)));
  }

  async listWebhooksPage(query: WebhookListQuery): Promise<WebhookPage> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.format !== undefined) {
      conditions.push("format = ?");
      params.push(query.format);
    }
    if (query.pageToken !== undefined) {
      const [createdTime, rowid] = decodeKeysetToken(query.pageToken, 2, "webhooks/list");
      conditions.push("(created_time > ? OR (created_time = ? AND rowid > ?))");
      params.push(createdTime, createdTime, rowid);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    // One more row than asked tells whether a next page exists without a count query.
    const rows = this.conn
      .stmt(`SELECT rowid AS row_key, * FROM webhooks ${where} ORDER BY created_time, rowid LIMIT ?`)
      .all(...params, query.maxResults + 1) as Array<WebhookRow & { row_key: number }>;
    const page = rows.slice(0, query.maxResults);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => withoutSecret(toWebhook(row))),
      ...(rows.length > query.maxResults && last !== undefined ? { nextPageToken: encodeKeysetToken([last.created_time, last.row_key]) } : {}),
    };
  }

  async updateWebhook(id: string, changes: WebhookChanges, now: number): Promise<Webhook | undefined> {
    return this.conn.write(() => {
      const current = this.readWebhook(id);
      if (current === undefined) return undefined;
      const { description: _description, ...rest } = current;
      const description = changes.description === undefined ? current.description : (changes.description ?? undefined);
      const next: WebhookWithSecret = {
        ...rest,
        ...(description !== undefined ? { description } : {}),
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.url !== undefined ? { url: changes.url } : {}),
        ...(changes.events !== undefined ? { events: changes.events } : {}),
        ...(changes.active !== undefined ? { active: changes.active } : {}),
        ...(changes.secret !== undefined ? { secret: changes.secret } : {}),
        lastUpdatedTime: now,
      };
      this.conn
        .stmt(
          `UPDATE webhooks SET name = ?, description = ?, url = ?, events = ?, active = ?, secret = ?, last_updated_time = ?
           WHERE webhook_id = ?`,
        )
        .run(next.name, next.description ?? null, next.url, JSON.stringify(next.events), next.active ? 1 : 0, next.secret, now, id);
      return withoutSecret(next);
    });
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.conn.write(() => {
      // Explicit, so that deletion does not depend on the connection's foreign_keys pragma.
      this.conn.stmt("DELETE FROM webhook_deliveries WHERE webhook_id = ?").run(id);
      return this.conn.stmt("DELETE FROM webhooks WHERE webhook_id = ?").run(id).changes > 0;
    });
  }

  async enqueueDeliveries(event: DomainEvent, now: number, formats: readonly WebhookFormat[] = WEBHOOK_FORMATS): Promise<number> {
    if (formats.length === 0) return 0;
    const cairn = formats.includes("cairn") ? 1 : 0;
    const mlflow = formats.includes("mlflow") ? 1 : 0;
    // One statement fans the event out: cheap enough for the request's path, and atomic.
    const result = this.conn
      .stmt(
        `INSERT INTO webhook_deliveries (delivery_id, webhook_id, event_type, event_time, actor, request_id, payload,
           status, attempts, next_attempt_time, created_time)
         SELECT lower(hex(randomblob(16))), w.webhook_id, ?, ?, ?, ?, ?, 'pending', 0, ?, ?
         FROM webhooks w
         WHERE w.active = 1 AND EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value IN (?, '*'))
           AND ((w.format = 'cairn' AND ?) OR (w.format = 'mlflow' AND ?))
         ORDER BY w.created_time, w.rowid`,
      )
      .run(
        event.type,
        event.time,
        JSON.stringify(event.actor),
        event.requestId,
        JSON.stringify(event.payload),
        now,
        now,
        event.type,
        cairn,
        mlflow,
      );
    return result.changes;
  }

  async claimDueDeliveries(request: ClaimRequest): Promise<ClaimedDelivery[]> {
    return this.conn.write(() => {
      const rows = this.conn
        .stmt(
          `SELECT ${DELIVERY_COLUMNS}, w.url, w.secret, w.format
           FROM webhook_deliveries d JOIN webhooks w ON w.webhook_id = d.webhook_id
           WHERE d.status = 'pending' AND d.next_attempt_time <= ? AND w.active = 1
             AND (d.lease_until IS NULL OR d.lease_until <= ?)
           ORDER BY d.next_attempt_time, d.delivery_key
           LIMIT ?`,
        )
        .all(request.now, request.now, request.limit) as ClaimedRow[];
      const lease = this.conn.stmt(
        "UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE delivery_key = ?",
      );
      return rows.map((row) => {
        lease.run(request.owner, request.now + request.leaseMs, row.delivery_key);
        return toClaimed({ ...row, attempts: row.attempts + 1 });
      });
    });
  }

  async nextDueTime(): Promise<number | undefined> {
    const row = this.conn
      .stmt(
        `SELECT min(max(d.next_attempt_time, coalesce(d.lease_until, 0))) AS due
         FROM webhook_deliveries d JOIN webhooks w ON w.webhook_id = d.webhook_id
         WHERE d.status = 'pending' AND w.active = 1`,
      )
      .get() as { due: number | null };
    return row.due ?? undefined;
  }

  async markDelivered(id: string, owner: string, outcome: AttemptOutcome, now: number): Promise<boolean> {
    return (
      this.conn
        .stmt(
          `UPDATE webhook_deliveries SET status = 'delivered', delivered_time = ?, next_attempt_time = NULL,
             last_status_code = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL
           WHERE delivery_id = ? AND lease_owner = ? AND status = 'pending'`,
        )
        .run(now, outcome.statusCode ?? null, id, owner).changes > 0
    );
  }

  async scheduleRetry(id: string, owner: string, outcome: AttemptOutcome, nextAttemptTime: number): Promise<boolean> {
    return (
      this.conn
        .stmt(
          `UPDATE webhook_deliveries SET next_attempt_time = ?, last_status_code = ?, last_error = ?,
             lease_owner = NULL, lease_until = NULL
           WHERE delivery_id = ? AND lease_owner = ? AND status = 'pending'`,
        )
        .run(nextAttemptTime, outcome.statusCode ?? null, boundedError(outcome.error), id, owner).changes > 0
    );
  }

  async markFailed(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    return (
      this.conn
        .stmt(
          `UPDATE webhook_deliveries SET status = 'failed', next_attempt_time = NULL, last_status_code = ?,
             last_error = ?, lease_owner = NULL, lease_until = NULL
           WHERE delivery_id = ? AND lease_owner = ? AND status = 'pending'`,
        )
        .run(outcome.statusCode ?? null, boundedError(outcome.error), id, owner).changes > 0
    );
  }

  async listDeliveries(query: DeliveryQuery): Promise<DeliveryPage> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.webhookId !== undefined) {
      conditions.push("d.webhook_id = ?");
      params.push(query.webhookId);
    }
    if (query.status !== undefined) {
      conditions.push("d.status = ?");
      params.push(query.status);
    }
    if (query.pageToken !== undefined) {
      conditions.push("d.delivery_key < ?");
      params.push(decodeKeysetToken(query.pageToken, 1, "webhooks/deliveries")[0] ?? 0);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    // One more row than asked tells whether a next page exists without a count query.
    const rows = this.conn
      .stmt(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d ${where} ORDER BY d.delivery_key DESC LIMIT ?`)
      .all(...params, query.maxResults + 1) as DeliveryRow[];
    const page = rows.slice(0, query.maxResults);
    const last = page[page.length - 1];
    return {
      items: page.map(toDelivery),
      ...(rows.length > query.maxResults && last !== undefined ? { nextPageToken: encodeKeysetToken([last.delivery_key]) } : {}),
    };
  }

  async getDelivery(id: string): Promise<Delivery | undefined> {
    const row = this.conn
      .stmt(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.delivery_id = ?`)
      .get(id) as DeliveryRow | undefined;
    return row === undefined ? undefined : toDelivery(row);
  }
}
