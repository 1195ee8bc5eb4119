import { randomBytes, randomUUID } from "node:crypto";
import type { WriteContext } from "../core/actor.js";
import { systemClock, type Clock } from "../core/clock.js";
import { invalidParameter, notFound } from "../core/errors.js";
import type { DomainEvent, EventSink } from "../core/events.js";
import { atomically, type AuditRecorder } from "../audit/recorder.js";
import { Dispatcher } from "./dispatcher.js";
import {
  isMlflowDeliverable,
  mlflowEventOfCairnType,
  mlflowEventText,
  mlflowExampleData,
  type MlflowWebhookEvent,
} from "./mlflow-events.js";
import { checkedPost, mlflowEnvelope, mlflowHeaders } from "./sender.js";
import type { DeliveryPage, DeliveryStatus, Webhook, WebhookChanges, WebhookFormat, WebhookPage, WebhookStore } from "./store.js";
import { TargetPolicy, type TargetPolicyOptions } from "./target-policy.js";
import {
  validateDescription,
  validateEvents,
  validateMlflowSecret,
  validateName,
  validateSecret,
  validateUrl,
} from "./validation.js";

export interface WebhookServiceOptions {
  audit: AuditRecorder;
  clock?: Clock;
  /**
   * Which webhook URLs the server may send to. Default: https to public addresses only; the operator allowlists
   * internal receivers (see TargetPolicyOptions and docs/webhooks.md, Targets).
   */
  targets?: TargetPolicyOptions;
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
  /** Where failures of the dispatcher's loop go (a store error while it claims or records deliveries). */
  onError?: (error: unknown, what: string) => void;
}

export interface NewWebhookInput {
  name: string;
  url: string;
  /** Cairn's event types, whatever the format (the MLflow routes translate MLflow's {entity, action} first). */
  events: string[];
  secret?: string;
  active?: boolean;
  /** Default "cairn". */
  format?: WebhookFormat;
  description?: string;
}

export interface WebhookListRequest {
  format?: WebhookFormat;
  maxResults?: number;
  pageToken?: string;
}

/** What the MLflow API's test call answers (WebhookTestResult). */
export interface WebhookTestOutcome {
  success: boolean;
  responseStatus?: number;
  responseBody?: string;
  errorMessage?: string;
}

export interface DeliveryListQuery {
  webhookId?: string;
  status?: DeliveryStatus;
  maxResults?: number;
  pageToken?: string;
}

export const DEFAULT_DELIVERIES_PAGE = 100;
export const MAX_DELIVERIES_PAGE = 1000;
export const DEFAULT_WEBHOOKS_PAGE = 100;
export const MAX_WEBHOOKS_PAGE = 1000;
/**
 * The test call shows the receiver's answer (MLflow's WebhookTestResult.response_body), cut here: enough to debug
 * a receiver, not a way to read whole documents off internal services (see docs/webhooks.md, SSRF).
 */
export const MAX_TEST_RESPONSE_CHARS = 1024;

const defaultOnError = (error: unknown, what: string): void => {
  process.stderr.write(`cairn webhooks: ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
};

/** What the audit trail keeps of a subscription: everything but the secret. */
const snapshot = (webhook: Webhook) => ({
  name: webhook.name,
  ...(webhook.description !== undefined ? { description: webhook.description } : {}),
  url: webhook.url,
  format: webhook.format,
  events: webhook.events,
  active: webhook.active,
});

/** An MLflow-format webhook must stay expressible in MLflow's vocabulary: no "*", no Cairn-only event. */
const requireMlflowSpelling = (events: readonly string[]): void => {
  for (const event of events) {
    if (mlflowEventOfCairnType(event) === undefined) {
      throw invalidParameter(
        `Webhook 'events' contains '${event.slice(0, 100)}', which MLflow's webhook API cannot express; ` +
          "a webhook created through the MLflow API subscribes to MLflow's events only.",
      );
    }
  }
};

const webhookNotFound = (id: string) => notFound(`Webhook with id '${id.slice(0, 100)}' not found.`);

/**
 * Webhooks for domain events. publish() is the EventSink the registry calls inside the unit of a write: one INSERT
 * into the delivery queue (an outbox), never an HTTP call. The write and its deliveries commit together, or neither
 * does: a queue that cannot take the event fails the write. start() runs the dispatcher that sends the queue; because
 * deliveries are rows, a restart loses nothing that was published.
 */
export class WebhookService implements EventSink {
  private readonly clock: Clock;
  private readonly audit: AuditRecorder;
  private readonly dispatcher: Dispatcher;
  private readonly onError: (error: unknown, what: string) => void;
  private readonly testTimeoutMs: number;
  private readonly targets: TargetPolicy;

  constructor(
    private readonly store: WebhookStore,
    options: WebhookServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.audit = options.audit;
    this.onError = options.onError ?? defaultOnError;
    this.testTimeoutMs = options.fetchTimeoutMs ?? 10_000;
    this.targets = new TargetPolicy(options.targets);
    this.dispatcher = new Dispatcher(store, {
      clock: this.clock,
      targets: this.targets,
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
    // Cairn-only events (and the alias removals MLflow does not announce) skip MLflow-format webhooks.
    const formats: WebhookFormat[] = isMlflowDeliverable(event) ? ["cairn", "mlflow"] : ["cairn"];
    // A failure is the caller's: inside a write's unit it fails the write (before, it was logged and swallowed, so on
    // SQLite an alias could move with no webhook ever sent).
    // Publishers outside a unit (monitor alerts, deployment health) catch and report it themselves.
    const queued = await this.store.enqueueDeliveries(event, this.clock(), formats);
    if (queued > 0) this.dispatcher.wake();
  }

  async createWebhook(input: NewWebhookInput, context: WriteContext): Promise<{ webhook: Webhook; secret: string }> {
    const now = this.clock();
    const format = input.format ?? "cairn";
    const secret =
      format === "mlflow"
        ? validateMlflowSecret(input.secret ?? "")
        : input.secret === undefined
          ? randomBytes(32).toString("hex")
          : validateSecret(input.secret);
    const events = validateEvents(input.events);
    if (format === "mlflow") requireMlflowSpelling(events);
    const webhook: Webhook = {
      id: randomUUID().replaceAll("-", ""),
      name: validateName(input.name),
      ...(input.description ? { description: validateDescription(input.description) } : {}),
      url: validateUrl(input.url),
      format,
      events,
      active: input.active ?? true,
      createdTime: now,
      lastUpdatedTime: now,
    };
    // Last, after every cheap check: it may wait for DNS.
    await this.targets.requireAllowed(webhook.url);
    // The webhook and its audit event commit together (see AuditRecorder.atomically); DNS was asked above, outside.
    await atomically(this.audit, async () => {
      await this.store.createWebhook({ ...webhook, secret });
      await this.audit.record(context, {
        action: "webhooks.webhook.create",
        entityType: "webhook",
        entityId: webhook.id,
        after: snapshot(webhook),
      });
    });
    return { webhook, secret };
  }

  async listWebhooks(): Promise<Webhook[]> {
    return this.store.listWebhooks();
  }

  /** One page of subscriptions, in creation order; `format` limits it to those one API created. */
  async listWebhooksPage(request: WebhookListRequest): Promise<WebhookPage> {
    const maxResults = request.maxResults ?? DEFAULT_WEBHOOKS_PAGE;
    if (maxResults < 1 || maxResults > MAX_WEBHOOKS_PAGE) {
      throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results': it must be between 1 and ${MAX_WEBHOOKS_PAGE}.`);
    }
    return this.store.listWebhooksPage({
      maxResults,
      ...(request.format !== undefined ? { format: request.format } : {}),
      ...(request.pageToken !== undefined ? { pageToken: request.pageToken } : {}),
    });
  }

  /** With `format`, a webhook of the other format is "not found": each API shows what it can express. */
  async getWebhook(id: string, format?: WebhookFormat): Promise<Webhook> {
    const found = await this.store.getWebhook(id);
    if (found === undefined || (format !== undefined && found.format !== format)) throw webhookNotFound(id);
    const { secret: _secret, ...webhook } = found;
    return webhook;
  }

  async updateWebhook(id: string, changes: WebhookChanges, context: WriteContext, format?: WebhookFormat): Promise<Webhook> {
    const before = await this.getWebhook(id, format);
    const validated: WebhookChanges = {
      ...(changes.name !== undefined ? { name: validateName(changes.name) } : {}),
      ...(changes.description !== undefined
        ? { description: changes.description === null || changes.description === "" ? null : validateDescription(changes.description) }
        : {}),
      ...(changes.url !== undefined ? { url: validateUrl(changes.url) } : {}),
      ...(changes.events !== undefined ? { events: validateEvents(changes.events) } : {}),
      ...(changes.active !== undefined ? { active: changes.active } : {}),
      ...(changes.secret !== undefined
        ? { secret: before.format === "mlflow" ? validateMlflowSecret(changes.secret) : validateSecret(changes.secret) }
        : {}),
    };
    if (before.format === "mlflow" && validated.events !== undefined) requireMlflowSpelling(validated.events);
    if (validated.url !== undefined) await this.targets.requireAllowed(validated.url);
    return atomically(this.audit, async () => {
      const after = await this.store.updateWebhook(id, validated, this.clock());
      if (after === undefined) throw webhookNotFound(id);
      await this.audit.record(context, {
        action: "webhooks.webhook.update",
        entityType: "webhook",
        entityId: id,
        before: snapshot(before),
        after: { ...snapshot(after), ...(validated.secret !== undefined ? { secret_changed: true } : {}) },
      });
      return after;
    });
  }

  async deleteWebhook(id: string, context: WriteContext, format?: WebhookFormat): Promise<void> {
    const before = await this.getWebhook(id, format);
    await atomically(this.audit, async () => {
      if (!(await this.store.deleteWebhook(id))) throw webhookNotFound(id);
      await this.audit.record(context, { action: "webhooks.webhook.delete", entityType: "webhook", entityId: id, before: snapshot(before) });
    });
  }

  /**
   * MLflow's testWebhook: POSTs MLflow's example data for `event` (default: the webhook's first event) to the
   * webhook now, signed like a delivery, and reports what came back. Not a delivery (no retries, not in the log),
   * but an outbound request someone asked for, so it is audited.
   */
  async testMlflowWebhook(id: string, event: MlflowWebhookEvent | undefined, context: WriteContext): Promise<WebhookTestOutcome> {
    const found = await this.store.getWebhook(id);
    if (found === undefined || found.format !== "mlflow") throw webhookNotFound(id);
    const first = found.events[0];
    const chosen = event ?? (first !== undefined ? mlflowEventOfCairnType(first) : undefined);
    const data = chosen !== undefined ? mlflowExampleData(chosen) : undefined;
    if (chosen === undefined || data === undefined) throw invalidParameter("Webhook 'event' is not an event MLflow's webhooks define.");
    const now = this.clock();
    const text = mlflowEventText(chosen);
    const body = mlflowEnvelope(text.entity, text.action, now, data);
    const deliveryId = randomUUID();
    const result = await checkedPost(
      { url: found.url, headers: mlflowHeaders(deliveryId, Math.floor(now / 1000), found.secret, body), body },
      this.targets,
      this.testTimeoutMs,
      MAX_TEST_RESPONSE_CHARS,
    );
    const outcome: WebhookTestOutcome = {
      success: result.ok,
      ...(result.statusCode !== undefined ? { responseStatus: result.statusCode } : {}),
      ...(result.responseBody !== undefined ? { responseBody: result.responseBody } : {}),
      ...(result.statusCode === undefined && result.error !== undefined ? { errorMessage: `Failed to test webhook: ${result.error}` } : {}),
    };
    await this.audit.record(context, {
      action: "webhooks.webhook.test",
      entityType: "webhook",
      entityId: id,
      after: {
        event: `${text.entity}.${text.action}`,
        success: outcome.success,
        status: outcome.responseStatus ?? null,
        error: result.error ?? null,
      },
    });
    return outcome;
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
