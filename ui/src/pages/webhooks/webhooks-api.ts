import { cairnGet } from "../../api/http";
import type { Actor } from "../../../../src/core/actor.js";

/** Cairn's webhooks API as the UI reads it (src/webhooks/wire.ts). */
export interface WebhookWire {
  id: string;
  name: string;
  description?: string;
  url: string;
  /** "cairn" or "mlflow" (created through MLflow's webhook API; listed with Cairn's event names). */
  format: string;
  events: string[];
  active: boolean;
  created_time: number;
  last_updated_time: number;
}

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryWire {
  id: string;
  webhook_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_time?: number;
  last_status_code?: number;
  last_error?: string;
  created_time: number;
  delivered_time?: number;
  event_time: number;
  actor: Actor;
  request_id: string;
  payload: unknown;
}

export interface DeliveriesQuery {
  webhookId: string;
  status: string;
  pageSize: number;
  pageToken: string | undefined;
}

export const webhookKeys = {
  list: () => ["webhooks", "list"] as const,
  deliveries: (query: DeliveriesQuery) => ["webhooks", "deliveries", query] as const,
};

export const listWebhooks = async (signal?: AbortSignal): Promise<WebhookWire[]> =>
  (await cairnGet<{ webhooks?: WebhookWire[] }>("webhooks/list", undefined, signal)).webhooks ?? [];

/** One page of deliveries (newest first, as the store lists them), of one webhook or all, of one status or all. */
export const listDeliveries = async (query: DeliveriesQuery, signal?: AbortSignal): Promise<{ deliveries: DeliveryWire[]; nextPageToken: string | undefined }> => {
  const answer = await cairnGet<{ deliveries?: DeliveryWire[]; next_page_token?: string }>(
    "webhooks/deliveries",
    { webhook_id: query.webhookId || undefined, status: query.status || undefined, max_results: query.pageSize, page_token: query.pageToken },
    signal,
  );
  return { deliveries: answer.deliveries ?? [], nextPageToken: answer.next_page_token || undefined };
};
