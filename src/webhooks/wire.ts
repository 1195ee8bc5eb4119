import type { Delivery, Webhook } from "./store.js";

/** Wire shapes of Cairn's webhooks API (snake_case; unset fields omitted, as MLflow's protobuf JSON does). */
export const webhookToWire = (webhook: Webhook) => ({
  id: webhook.id,
  name: webhook.name,
  ...(webhook.description !== undefined ? { description: webhook.description } : {}),
  url: webhook.url,
  // "mlflow" for webhooks created through MLflow's API: Cairn's API lists and manages them too (events in Cairn's names).
  format: webhook.format,
  events: webhook.events,
  active: webhook.active,
  created_time: webhook.createdTime,
  last_updated_time: webhook.lastUpdatedTime,
});

export const deliveryToWire = (delivery: Delivery) => ({
  id: delivery.id,
  webhook_id: delivery.webhookId,
  event_type: delivery.eventType,
  status: delivery.status,
  attempts: delivery.attempts,
  ...(delivery.nextAttemptTime !== undefined ? { next_attempt_time: delivery.nextAttemptTime } : {}),
  ...(delivery.lastStatusCode !== undefined ? { last_status_code: delivery.lastStatusCode } : {}),
  ...(delivery.lastError !== undefined ? { last_error: delivery.lastError } : {}),
  created_time: delivery.createdTime,
  ...(delivery.deliveredTime !== undefined ? { delivered_time: delivery.deliveredTime } : {}),
  // The event as the receiver gets it in the body ({id, type, time, actor, request_id, payload}).
  event_time: delivery.event.time,
  actor: delivery.event.actor,
  request_id: delivery.event.requestId,
  payload: delivery.event.payload,
});
