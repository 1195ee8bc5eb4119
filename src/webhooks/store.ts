import type { Actor } from "../core/actor.js";
import type { DomainEvent } from "../core/events.js";

/**
 * Persistence of webhook subscriptions and of their delivery queue. The queue is the durable part of webhooks:
 * publishing an event is one insert, a dispatcher claims due rows under a lease, sends them and writes the outcome.
 */
/**
 * Which API created a subscription, and so what its receiver gets: Cairn's envelope and X-Cairn-* signature, or
 * MLflow's ({entity, action, timestamp, data} and X-MLflow-*). Fixed at creation.
 */
export const WEBHOOK_FORMATS = ["cairn", "mlflow"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface Webhook {
  id: string;
  name: string;
  /** MLflow's webhooks have one; Cairn's API neither sets nor requires it. */
  description?: string;
  url: string;
  format: WebhookFormat;
  /** Event types this subscription receives; ["*"] for all. */
  events: string[];
  active: boolean;
  createdTime: number;
  lastUpdatedTime: number;
}

/** A subscription with its signing secret: only the service and the dispatcher see this shape. */
export interface WebhookWithSecret extends Webhook {
  /** "" for an MLflow-format webhook created without one: its deliveries then carry no signature, as MLflow's. */
  secret: string;
}

export interface WebhookChanges {
  name?: string;
  /** null clears it. */
  description?: string | null;
  url?: string;
  events?: string[];
  active?: boolean;
  secret?: string;
}

export interface WebhookListQuery {
  format?: WebhookFormat;
  maxResults: number;
  pageToken?: string;
}

export interface WebhookPage {
  items: Webhook[];
  nextPageToken?: string;
}

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  id: string;
  webhookId: string;
  eventType: string;
  status: DeliveryStatus;
  /** Attempts started so far (counted when a dispatcher claims the delivery). */
  attempts: number;
  /** When the next attempt is due; undefined once delivered or failed. */
  nextAttemptTime?: number;
  lastStatusCode?: number;
  lastError?: string;
  createdTime: number;
  deliveredTime?: number;
  event: { time: number; actor: Actor; requestId: string; payload: Record<string, unknown> };
}

/** A delivery taken by one dispatcher, with what it needs to send it (read at claim time). */
export interface ClaimedDelivery extends Delivery {
  url: string;
  secret: string;
  format: WebhookFormat;
}

export interface ClaimRequest {
  now: number;
  /** Identifies the claiming dispatcher; outcomes are only written by the lease owner. */
  owner: string;
  /** How long the claim holds; must outlast one send (the HTTP timeout) so that nobody else sends meanwhile. */
  leaseMs: number;
  limit: number;
}

export interface AttemptOutcome {
  statusCode?: number;
  error?: string;
}

export interface DeliveryQuery {
  webhookId?: string;
  status?: DeliveryStatus;
  maxResults: number;
  pageToken?: string;
}

export interface DeliveryPage {
  items: Delivery[];
  nextPageToken?: string;
}

export interface WebhookStore {
  createWebhook(webhook: WebhookWithSecret): Promise<void>;
  getWebhook(id: string): Promise<WebhookWithSecret | undefined>;
  /** Ordered by creation time, then creation order. */
  listWebhooks(): Promise<Webhook[]>;
  /** The same order, one page at a time, optionally of one format only. */
  listWebhooksPage(query: WebhookListQuery): Promise<WebhookPage>;
  /** Returns the updated subscription, or undefined when there is none with this id. */
  updateWebhook(id: string, changes: WebhookChanges, now: number): Promise<Webhook | undefined>;
  /** Deletes the subscription and its deliveries (pending ones are dropped); false when there was none. */
  deleteWebhook(id: string): Promise<boolean>;

  /**
   * One pending delivery, due at `now`, per active subscription of one of `formats` (default: both) whose events
   * hold the event's type or "*" (the service leaves out the formats that have no spelling for the event).
   */
  enqueueDeliveries(event: DomainEvent, now: number, formats?: readonly WebhookFormat[]): Promise<number>;
  /**
   * Claims up to `limit` pending deliveries of active subscriptions that are due at `now` and not leased by anyone
   * (or whose lease expired), counting one more attempt on each. Atomic across processes sharing the database.
   */
  claimDueDeliveries(request: ClaimRequest): Promise<ClaimedDelivery[]>;
  /** Earliest next_attempt_time among pending deliveries of active subscriptions, for the dispatcher's sleep. */
  nextDueTime(): Promise<number | undefined>;
  /** The outcome writers return false when `owner` no longer holds the lease (it expired and another took it). */
  markDelivered(id: string, owner: string, outcome: AttemptOutcome, now: number): Promise<boolean>;
  scheduleRetry(id: string, owner: string, outcome: AttemptOutcome, nextAttemptTime: number): Promise<boolean>;
  markFailed(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean>;
  /** Newest first. */
  listDeliveries(query: DeliveryQuery): Promise<DeliveryPage>;
  getDelivery(id: string): Promise<Delivery | undefined>;
}
