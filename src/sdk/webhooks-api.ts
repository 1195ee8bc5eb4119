import { iteratePages, type Page } from "./paging.js";
import type { HttpTransport } from "./transport.js";

/** Events a webhook can subscribe to (docs/webhooks.md); "*" subscribes to all. */
export type WebhookEventType =
  | "registered_model.created"
  | "model_version.created"
  | "model_version_tag.set"
  | "model_version_tag.deleted"
  | "alias.set"
  | "alias.deleted"
  | "stage.changed"
  | "promotion.refused"
  | "prompt.created"
  | "prompt_version.created"
  | "prompt_tag.set"
  | "prompt_tag.deleted"
  | "prompt_version_tag.set"
  | "prompt_version_tag.deleted"
  | "prompt_alias.created"
  | "prompt_alias.deleted"
  | "monitor.alert"
  | "monitor.recovered"
  | "monitor.error"
  | "*";

export interface WebhookWire {
  id: string;
  name: string;
  description?: string;
  url: string;
  /** The API that created it: "cairn", or "mlflow" (MLflow's webhook API; its receiver gets MLflow's format). */
  format?: "cairn" | "mlflow";
  events: string[];
  active: boolean;
  created_time: number;
  last_updated_time?: number;
}

export interface CreateWebhookRequest {
  name: string;
  url: string;
  events: (WebhookEventType | string)[];
  /** The signing secret; the server makes one when left out. */
  secret?: string;
  active?: boolean;
}

export interface UpdateWebhookRequest {
  id: string;
  name?: string;
  url?: string;
  events?: (WebhookEventType | string)[];
  active?: boolean;
}

export type DeliveryStatusWire = "pending" | "delivered" | "failed";

export interface DeliveryWire {
  id: string;
  webhook_id: string;
  event_type: string;
  status: DeliveryStatusWire;
  attempts: number;
  next_attempt_time?: number;
  last_status_code?: number;
  last_error?: string;
  created_time: number;
  delivered_time?: number;
  /** When the event happened, who caused it and in which request. */
  event_time?: number;
  actor?: { name: string; verified: boolean };
  request_id?: string;
  payload: unknown;
}

export interface ListDeliveriesRequest {
  webhookId?: string;
  status?: DeliveryStatusWire;
  maxResults?: number;
  pageToken?: string;
}

/** Cairn's webhooks API: subscriptions and their delivery log. */
export class WebhooksApi {
  constructor(private readonly http: HttpTransport) {}

  /** Creates a subscription; the answer carries the signing secret, which the server never shows again. */
  async create(request: CreateWebhookRequest): Promise<{ webhook: WebhookWire; secret: string }> {
    return this.http.callCairn<{ webhook: WebhookWire; secret: string }>("POST", "webhooks/create", {
      name: request.name,
      url: request.url,
      events: request.events,
      secret: request.secret,
      active: request.active,
    });
  }

  async list(): Promise<WebhookWire[]> {
    const answer = await this.http.callCairn<{ webhooks?: WebhookWire[] }>("GET", "webhooks/list");
    return answer.webhooks ?? [];
  }

  async get(id: string): Promise<WebhookWire> {
    const answer = await this.http.callCairn<{ webhook: WebhookWire }>("GET", "webhooks/get", { id });
    return answer.webhook;
  }

  async update(request: UpdateWebhookRequest): Promise<WebhookWire> {
    const answer = await this.http.callCairn<{ webhook: WebhookWire }>("POST", "webhooks/update", {
      id: request.id,
      name: request.name,
      url: request.url,
      events: request.events,
      active: request.active,
    });
    return answer.webhook;
  }

  async delete(id: string): Promise<void> {
    await this.http.callCairn("DELETE", "webhooks/delete", { id });
  }

  /** One page of the delivery log (newest or oldest first, as the server orders it). */
  async deliveries(request: ListDeliveriesRequest = {}): Promise<Page<DeliveryWire>> {
    const answer = await this.http.callCairn<{ deliveries?: DeliveryWire[]; next_page_token?: string }>("GET", "webhooks/deliveries", {
      webhook_id: request.webhookId,
      status: request.status,
      max_results: request.maxResults,
      page_token: request.pageToken,
    });
    return { items: answer.deliveries ?? [], nextPageToken: answer.next_page_token || undefined };
  }

  deliveriesAll(request: Omit<ListDeliveriesRequest, "pageToken"> = {}): AsyncGenerator<DeliveryWire> {
    return iteratePages((pageToken) => this.deliveries({ ...request, pageToken }));
  }
}
