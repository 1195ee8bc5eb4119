import { outsideTransactions } from "../core/transaction-scope.js";
import { randomUUID } from "node:crypto";
import type { Clock } from "../core/clock.js";
import { retryDelayMs, type BackoffPolicy } from "./backoff.js";
import { sendDelivery } from "./sender.js";
import type { ClaimedDelivery, WebhookStore } from "./store.js";
import type { TargetPolicy } from "./target-policy.js";

export interface DispatcherOptions {
  clock: Clock;
  fetchTimeoutMs: number;
  /** Which URLs may be sent to (checked after DNS resolution, on every attempt). */
  targets: TargetPolicy;
  maxAttempts: number;
  backoff: BackoffPolicy;
  pollIntervalMs: number;
  /** Deliveries sent concurrently per round. */
  batchSize: number;
  onError: (error: unknown) => void;
}

/** Past the HTTP timeout, so that a lease never expires while its owner may still be sending. */
const LEASE_MARGIN_MS = 30_000;

/**
 * The background loop that drains the delivery queue: claim due rows (leased to this dispatcher), send them
 * concurrently, record each outcome, sleep until the next due row or the poll interval, whichever comes first.
 * Timers are unref'd: a pending webhook never keeps a process alive on its own.
 */
export class Dispatcher {
  /** Names this dispatcher in the leases it writes. */
  readonly owner = `${process.pid}-${randomUUID()}`;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private wakeRequested = false;

  constructor(
    private readonly store: WebhookStore,
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops claiming and waits for the deliveries in flight (at most the HTTP timeout). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** Something was enqueued: run a round now rather than at the next poll. */
  wake(): void {
    if (!this.running) return;
    if (this.round !== undefined) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    // Woken from inside a request's transaction (publish is part of the write): the rounds run outside it.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.round = outsideTransactions(() => this.runRound()).finally(() => {
        this.round = undefined;
      });
    }, delayMs);
    this.timer.unref();
  }

  private async runRound(): Promise<void> {
    try {
      // Keep going while rounds come back full: a backlog drains without waiting for the poll interval.
      for (;;) {
        this.wakeRequested = false;
        const claimed = await this.store.claimDueDeliveries({
          now: this.options.clock(),
          owner: this.owner,
          leaseMs: this.options.fetchTimeoutMs + LEASE_MARGIN_MS,
          limit: this.options.batchSize,
        });
        await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
        if (!this.running || (claimed.length < this.options.batchSize && !this.wakeRequested)) break;
      }
    } catch (error) {
      this.options.onError(error);
    }
    if (!this.running) return;
    const delay = await this.sleepMs();
    // stop() may have come while the next due time was read.
    if (this.running) this.schedule(delay);
  }

  private async sleepMs(): Promise<number> {
    try {
      const due = await this.store.nextDueTime();
      if (due === undefined) return this.options.pollIntervalMs;
      return Math.max(0, Math.min(this.options.pollIntervalMs, due - this.options.clock()));
    } catch (error) {
      this.options.onError(error);
      return this.options.pollIntervalMs;
    }
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const result = await sendDelivery(delivery, this.options.targets, this.options.fetchTimeoutMs, this.options.clock());
    const outcome = {
      ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
    };
    try {
      const now = this.options.clock();
      if (result.ok) {
        await this.store.markDelivered(delivery.id, this.owner, outcome, now);
      } else if (result.refused === true || delivery.attempts >= this.options.maxAttempts) {
        // A refused target is failed at once: retrying it would only repeat the refusal.
        await this.store.markFailed(delivery.id, this.owner, outcome);
      } else {
        const delay = retryDelayMs(delivery.attempts, this.options.backoff);
        await this.store.scheduleRetry(delivery.id, this.owner, outcome, now + delay);
      }
    } catch (error) {
      this.options.onError(error);
    }
  }
}
