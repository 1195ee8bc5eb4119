import type { Actor } from "../../core/actor.js";
import type { ClaimedDelivery, Delivery, DeliveryStatus, Webhook, WebhookFormat, WebhookWithSecret } from "../../webhooks/store.js";

/** Rows of webhooks and webhook_deliveries as both backends read them (same columns on SQLite and PostgreSQL). */
export interface WebhookRow {
  webhook_id: string;
  name: string;
  description: string | null;
  url: string;
  format: WebhookFormat;
  events: string;
  secret: string;
  active: number;
  created_time: number;
  last_updated_time: number;
}

export interface DeliveryRow {
  delivery_key: number;
  delivery_id: string;
  webhook_id: string;
  event_type: string;
  event_time: number;
  actor: string;
  request_id: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_time: number | null;
  last_status_code: number | null;
  last_error: string | null;
  created_time: number;
  delivered_time: number | null;
}

export type ClaimedRow = DeliveryRow & { url: string; secret: string; format: WebhookFormat };

export const toWebhook = (row: WebhookRow): WebhookWithSecret => ({
  id: row.webhook_id,
  name: row.name,
  ...(row.description !== null ? { description: row.description } : {}),
  url: row.url,
  format: row.format,
  events: JSON.parse(row.events) as string[],
  active: row.active === 1,
  createdTime: row.created_time,
  lastUpdatedTime: row.last_updated_time,
  secret: row.secret,
});

export const withoutSecret = ({ secret: _secret, ...webhook }: WebhookWithSecret): Webhook => webhook;

export const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.delivery_id,
  webhookId: row.webhook_id,
  eventType: row.event_type,
  status: row.status,
  attempts: row.attempts,
  ...(row.next_attempt_time !== null ? { nextAttemptTime: row.next_attempt_time } : {}),
  ...(row.last_status_code !== null ? { lastStatusCode: row.last_status_code } : {}),
  ...(row.last_error !== null ? { lastError: row.last_error } : {}),
  createdTime: row.created_time,
  ...(row.delivered_time !== null ? { deliveredTime: row.delivered_time } : {}),
  event: {
    time: row.event_time,
    actor: JSON.parse(row.actor) as Actor,
    requestId: row.request_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  },
});

export const DELIVERY_COLUMNS = `d.delivery_key, d.delivery_id, d.webhook_id, d.event_type, d.event_time, d.actor, d.request_id,
  d.payload, d.status, d.attempts, d.next_attempt_time, d.last_status_code, d.last_error, d.created_time, d.delivered_time`;

/** Error texts come from remote servers and OS errors; keep the log bounded. */
export const MAX_ERROR_LENGTH = 1000;
export const boundedError = (error: string | undefined): string | null =>
  error === undefined ? null : error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH)}...` : error;

/** A claimed row as the dispatcher receives it (attempts already counted). */
export const toClaimed = (row: ClaimedRow): ClaimedDelivery => ({ ...toDelivery(row), url: row.url, secret: row.secret, format: row.format });
