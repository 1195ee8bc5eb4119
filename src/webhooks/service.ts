import { randomBytes, randomUUID } from "node:crypto";
import type { WriteContext } from "../core/actor.js";
import { systemClock, type Clock } from "../core/clock.js";
import { invalidParameter, notFound } from "../core/errors.js";
import type { DomainEvent, EventSink } from "../core/events.js";
import type { AuditRecorder } from "../audit/recorder.js";
import { Dispatcher } from "./dispatcher.js";
import type { DeliveryPage, DeliveryStatus, Webhook, WebhookChanges, WebhookStore } from "./store.js";
import { validateEvents, validateName, validateSecret, validateUrl } from "./validation.js";

export interface WebhookServiceOptions {
  audit: AuditRecorder;
  clock?: Clock;
  /** Per attempt; a receiver slower than this counts as a failed attempt. Default 10 s. */
  fetchTimeoutMs?: number;
  /** Attempts before a delivery is marked failed. Default 10. */
  maxAttempts?: number;
  /** First retry delay, doubled on each failure. Default 1 s. */
  backoffBaseMs?: number;
  /** Longest retry delay. Default 10 min. */
  backoffCapMs?: number;
  /** Longest sleep of the dispatcher between two looks at the queue (other processes enqueue too). Default 1 s. */
  pollIntervalMs?: number;
  /** Deliveries sent concurrently. Default 16. */
  batchSize?: number;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
  /** Where failures of the queue itself go (a publish that could not enqueue, a store error in the loop). */
  onError?: (error: unknown, what: string) => void;
}

export interface NewWebhookInput {
  name: string;
  url: string;
  events: string[];
  secret?: string;
  active?: boolean;
}

export interface DeliveryListQuery {
  webhookId?: string;
  status?: DeliveryStatus;
  maxResults?: number;
  pageToken?: string;
}

export const DEFAULT_DELIVERIES_PAGE = 100;
export const MAX_DELIVERIES_PAGE = 1000;

const defaultOnError = (error: unknown, what: string): void => {
  process.stderr.write(`cairn webhooks: ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
};

/** What the audit trail keeps of a subscription: everything but the secret. */
const snapshot = (webhook: Webhook) => ({
  name: webhook.name,
  url: webhook.url,
  events: webhook.events,
  active: webhook.active,
});

/**
 * Webhooks for domain events. publish() is the EventSink the registry calls after a write: one INSERT into the
 * delivery queue, never an HTTP call, and never a failure of the write. start() runs the dispatcher that sends the
 * queue; because deliveries are rows, a restart loses nothing that was published.
 */
export class WebhookService implements EventSink {
  private readonly clock: Clock;
  private readonly audit: AuditRecorder;
  private readonly dispatcher: Dispatcher;
  private readonly onError: (error: unknown, what: string) => void;

  constructor(
    private readonly store: WebhookStore,
    options: WebhookServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.audit = options.audit;
    this.onError = options.onError ?? defaultOnError;
    this.dispatcher = new Dispatcher(store, {
      clock: this.clock,
      fetchTimeoutMs: options.fetchTimeoutMs ?? 10_000,
      maxAttempts: options.maxAttempts ?? 10,
      backoff: {
        baseMs: options.backoffBaseMs ?? 1_000,
        capMs: options.backoffCapMs ?? 600_000,
        random: options.random ?? Math.random,
      },
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      batchSize: options.batchSize ?? 16,
      onError: (error) => this.onError(error, "dispatcher"),
    });
  }

  start(): void {
    this.dispatcher.start();
  }

  async stop(): Promise<void> {
    await this.dispatcher.stop();
  }

  async publish(event: DomainEvent): Promise<void> {
    try {
      const queued = await this.store.enqueueDeliveries(event, this.clock());
      if (queued > 0) this.dispatcher.wake();
    } catch (error) {
      // The write that produced the event has committed; failing its request now would lie to the client.
      this.onError(error, `could not enqueue event ${event.type}`);
    }
  }

  async createWebhook(input: NewWebhookInput, context: WriteContext): Promise<{ webhook: Webhook; secret: string }> {
    const now = this.clock();
    const secret = input.secret === undefined ? randomBytes(32).toString("hex") : validateSecret(input.secret);
    const webhook: Webhook = {
      id: randomUUID().replaceAll("-", ""),
      name: validateName(input.name),
      url: validateUrl(input.url),
      events: validateEvents(input.events),
      active: input.active ?? true,
      createdTime: now,
      lastUpdatedTime: now,
    };
    await this.store.createWebhook({ ...webhook, secret });
    await this.audit.record(context, {
      action: "webhooks.webhook.create",
      entityType: "webhook",
      entityId: webhook.id,
      after: snapshot(webhook),
    });
    return { webhook, secret };
  }

  async listWebhooks(): Promise<Webhook[]> {
    return this.store.listWebhooks();
  }

  async getWebhook(id: string): Promise<Webhook> {
    const found = await this.store.getWebhook(id);
    if (found === undefined) throw notFound(`Webhook with id '${id}' not found.`);
    const { secret: _secret, ...webhook } = found;
    return webhook;
  }

  async updateWebhook(id: string, changes: WebhookChanges, context: WriteContext): Promise<Webhook> {
    const validated: WebhookChanges = {
      ...(changes.name !== undefined ? { name: validateName(changes.name) } : {}),
      ...(changes.url !== undefined ? { url: validateUrl(changes.url) } : {}),
      ...(changes.events !== undefined ? { events: validateEvents(changes.events) } : {}),
      ...(changes.active !== undefined ? { active: changes.active } : {}),
    };
    const before = await this.getWebhook(id);
    const after = await this.store.updateWebhook(id, validated, this.clock());
    if (after === undefined) throw notFound(`Webhook with id '${id}' not found.`);
    await this.audit.record(context, {
      action: "webhooks.webhook.update",
      entityType: "webhook",
      entityId: id,
      before: snapshot(before),
      after: snapshot(after),
    });
    return after;
  }

  async deleteWebhook(id: string, context: WriteContext): Promise<void> {
    const before = await this.getWebhook(id);
    if (!(await this.store.deleteWebhook(id))) throw notFound(`Webhook with id '${id}' not found.`);
    await this.audit.record(context, {
      action: "webhooks.webhook.delete",
      entityType: "webhook",
      entityId: id,
      before: snapshot(before),
    });
  }

  async listDeliveries(query: DeliveryListQuery): Promise<DeliveryPage> {
    const maxResults = query.maxResults ?? DEFAULT_DELIVERIES_PAGE;
    if (maxResults < 1 || maxResults > MAX_DELIVERIES_PAGE) {
      throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results': it must be between 1 and ${MAX_DELIVERIES_PAGE}.`);
    }
    if (query.webhookId !== undefined) await this.getWebhook(query.webhookId);
    return this.store.listDeliveries({
      maxResults,
      ...(query.webhookId !== undefined ? { webhookId: query.webhookId } : {}),
      ...(query.status !== undefined ? { status: query.status } : {}),
      ...(query.pageToken !== undefined ? { pageToken: query.pageToken } : {}),
    });
  }
}
