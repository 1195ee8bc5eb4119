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
import { decodeKeysetToken, encodeKeysetToken } from "../sql/keyset-token.js";
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
import type { PgDatabase } from "./pg-database.js";

const WEBHOOK_COLUMNS = "webhook_id, name, description, url, format, events, secret, active, created_time, last_updated_time";

/**
 * The WebhookStore on PostgreSQL. The delivery queue stays the webhook_deliveries table, claimed with
 * `FOR UPDATE SKIP LOCKED` under a lease, rather than a job library (pg-boss, graphile-worker): the table already is
 * the delivery history that the API serves (attempts, status codes, errors, per subscription), SQLite needs the same
 * queue, and a library would add a dependency, its own schema and a second copy of every delivery. SKIP LOCKED lets
 * N replicas claim disjoint rows at once without waiting on each other; the lease (lease_until) is what makes a
 * claim survive the claimer's death: once it expires, any replica takes the delivery again.
 */
export class PgWebhookStore implements WebhookStore {
  constructor(private readonly db: PgDatabase) {}

  async createWebhook(webhook: WebhookWithSecret): Promise<void> {
    await this.db.execute(
      `INSERT INTO webhooks (${WEBHOOK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
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
      ],
    );
  }

  async getWebhook(id: string): Promise<WebhookWithSecret | undefined> {
    const row = await this.db.one<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE webhook_id = $1`, [id]);
    return row === undefined ? undefined : toWebhook(row);
  }

  async listWebhooks(): Promise<Webhook[]> {
    const rows = await this.db.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_time, webhook_key`);
    return rows.map((row) => withoutSecret(toWebhook(row)));
  }

  async listWebhooksPage(query: WebhookListQuery): Promise<WebhookPage> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.format !== undefined) {
      params.push(query.format);
      conditions.push(`format = $${params.length}`);
    }
    if (query.pageToken !== undefined) {
      const [createdTime, key] = decodeKeysetToken(query.pageToken, 2, "webhooks/list");
      params.push(createdTime, key);
      conditions.push(`(created_time, webhook_key) > ($${params.length - 1}, $${params.length})`);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    params.push(query.maxResults + 1);
    // One more row than asked tells whether a next page exists without a count query.
    const rows = await this.db.query<WebhookRow & { webhook_key: number }>(
      `SELECT ${WEBHOOK_COLUMNS}, webhook_key FROM webhooks ${where} ORDER BY created_time, webhook_key LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.maxResults);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => withoutSecret(toWebhook(row))),
      ...(rows.length > query.maxResults && last !== undefined ? { nextPageToken: encodeKeysetToken([last.created_time, last.webhook_key]) } : {}),
    };
  }

  async updateWebhook(id: string, changes: WebhookChanges, now: number): Promise<Webhook | undefined> {
    // Read-modify-write under the row's lock (FOR UPDATE): two replicas updating one webhook apply one after the other.
    return this.db.transaction(async () => {
      const row = await this.db.one<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE webhook_id = $1 FOR UPDATE`, [id]);
      if (row === undefined) return undefined;
      const current = toWebhook(row);
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
      await this.db.execute(
        `UPDATE webhooks SET name = $1, description = $2, url = $3, events = $4, active = $5, secret = $6, last_updated_time = $7
         WHERE webhook_id = $8`,
        [next.name, next.description ?? null, next.url, JSON.stringify(next.events), next.active ? 1 : 0, next.secret, now, id],
      );
      return withoutSecret(next);
    });
  }

  async deleteWebhook(id: string): Promise<boolean> {
    // The deliveries go with it (ON DELETE CASCADE).
    return (await this.db.execute("DELETE FROM webhooks WHERE webhook_id = $1", [id])) > 0;
  }

  async enqueueDeliveries(event: DomainEvent, now: number, formats: readonly WebhookFormat[] = WEBHOOK_FORMATS): Promise<number> {
    if (formats.length === 0) return 0;
    // One statement fans the event out (atomic); ids are 32 lower-case hex digits like SQLite's randomblob(16).
    return this.db.execute(
      `INSERT INTO webhook_deliveries (delivery_id, webhook_id, event_type, event_time, actor, request_id, payload,
         status, attempts, next_attempt_time, created_time)
       SELECT replace(gen_random_uuid()::text, '-', ''), w.webhook_id, $1, $2, $3, $4, $5, 'pending', 0, $6, $6
       FROM webhooks w
       WHERE w.active = 1 AND (w.events::jsonb ? $1 OR w.events::jsonb ? '*') AND w.format = ANY($7::text[])
       ORDER BY w.created_time, w.webhook_key`,
      [event.type, event.time, JSON.stringify(event.actor), event.requestId, JSON.stringify(event.payload), now, [...formats]],
    );
  }

  async claimDueDeliveries(request: ClaimRequest): Promise<ClaimedDelivery[]> {
    // SKIP LOCKED: rows another replica is claiming right now are passed over, not waited for; its lease then hides
    // them until it expires. The lease condition is re-checked on the newest row version after the lock.
    const rows = await this.db.query<ClaimedRow>(
      `WITH due AS (
         SELECT d.delivery_key FROM webhook_deliveries d JOIN webhooks w ON w.webhook_id = d.webhook_id
         WHERE d.status = 'pending' AND d.next_attempt_time <= $1 AND w.active = 1
           AND (d.lease_until IS NULL OR d.lease_until <= $1)
         ORDER BY d.next_attempt_time, d.delivery_key
         LIMIT $2
         FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE webhook_deliveries d SET lease_owner = $3, lease_until = $4, attempts = d.attempts + 1
       FROM due, webhooks w
       WHERE d.delivery_key = due.delivery_key AND w.webhook_id = d.webhook_id
       RETURNING ${DELIVERY_COLUMNS}, w.url, w.secret, w.format`,
      [request.now, request.limit, request.owner, request.now + request.leaseMs],
    );
    // UPDATE ... RETURNING has no order: the dispatcher sends the oldest due first.
    rows.sort((a, b) => (a.next_attempt_time ?? 0) - (b.next_attempt_time ?? 0) || a.delivery_key - b.delivery_key);
    return rows.map(toClaimed);
  }

  async nextDueTime(): Promise<number | undefined> {
    const row = await this.db.one<{ due: number | null }>(
      `SELECT min(greatest(d.next_attempt_time, coalesce(d.lease_until, 0))) AS due
       FROM webhook_deliveries d JOIN webhooks w ON w.webhook_id = d.webhook_id
       WHERE d.status = 'pending' AND w.active = 1`,
    );
    return row?.due ?? undefined;
  }

  async markDelivered(id: string, owner: string, outcome: AttemptOutcome, now: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE webhook_deliveries SET status = 'delivered', delivered_time = $1, next_attempt_time = NULL,
         last_status_code = $2, last_error = NULL, lease_owner = NULL, lease_until = NULL
       WHERE delivery_id = $3 AND lease_owner = $4 AND status = 'pending'`,
      [now, outcome.statusCode ?? null, id, owner],
    );
    return changed > 0;
  }

  async scheduleRetry(id: string, owner: string, outcome: AttemptOutcome, nextAttemptTime: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE webhook_deliveries SET next_attempt_time = $1, last_status_code = $2, last_error = $3,
         lease_owner = NULL, lease_until = NULL
       WHERE delivery_id = $4 AND lease_owner = $5 AND status = 'pending'`,
      [nextAttemptTime, outcome.statusCode ?? null, boundedError(outcome.error), id, owner],
    );
    return changed > 0;
  }

  async markFailed(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE webhook_deliveries SET status = 'failed', next_attempt_time = NULL, last_status_code = $1,
         last_error = $2, lease_owner = NULL, lease_until = NULL
       WHERE delivery_id = $3 AND lease_owner = $4 AND status = 'pending'`,
      [outcome.statusCode ?? null, boundedError(outcome.error), id, owner],
    );
    return changed > 0;
  }

  async listDeliveries(query: DeliveryQuery): Promise<DeliveryPage> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.webhookId !== undefined) {
      params.push(query.webhookId);
      conditions.push(`d.webhook_id = $${params.length}`);
    }
    if (query.status !== undefined) {
      params.push(query.status);
      conditions.push(`d.status = $${params.length}`);
    }
    if (query.pageToken !== undefined) {
      params.push(decodeKeysetToken(query.pageToken, 1, "webhooks/deliveries")[0] ?? 0);
      conditions.push(`d.delivery_key < $${params.length}`);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    params.push(query.maxResults + 1);
    const rows = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d ${where} ORDER BY d.delivery_key DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.maxResults);
    const last = page[page.length - 1];
    return {
      items: page.map(toDelivery),
      ...(rows.length > query.maxResults && last !== undefined ? { nextPageToken: encodeKeysetToken([last.delivery_key]) } : {}),
    };
  }

  async getDelivery(id: string): Promise<Delivery | undefined> {
    const row = await this.db.one<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.delivery_id = $1`, [id]);
    return row === undefined ? undefined : toDelivery(row);
  }
}
