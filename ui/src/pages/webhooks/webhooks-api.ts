import { cairnGet } from "../../api/http";
import type { deliveryToWire, webhookToWire } from "../../../../src/webhooks/wire.js";

/** Cairn's webhooks API as the server writes it (src/webhooks/wire.ts): the UI reads the server's own types. */
export type WebhookWire = ReturnType<typeof webhookToWire>;
export type DeliveryWire = ReturnType<typeof deliveryToWire>;

/** The statuses webhooks/deliveries filters by (src/webhooks/store.ts DELIVERY_STATUSES; a value, so copied). */
export const DELIVERY_STATUSES: readonly DeliveryWire["status"][] = ["pending", "delivered", "failed"];

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
