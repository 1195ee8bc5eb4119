import type { Run, RunInfo, RunStatus } from "../protocol/mlflow/entities.js";
import { CairnApiError, CairnConnectionError } from "./errors.js";
import { registerForExitFlush, unregisterForExitFlush } from "./exit-flush.js";
import { BATCH_LIMITS, batchSize, LogBuffer } from "./log-buffer.js";
import type { MetricOptions, RunsApi } from "./runs-api.js";
import { RETRYABLE_STATUSES } from "./retry.js";

export interface ActiveRunOptions {
  /** How long a logged entry may wait before a background flush sends it, in ms. Default 1000 (10 to 60000). */
  flushIntervalMs?: number;
  /** Buffered entries that trigger an immediate background flush. Default 1000 (1 to 1000, log-batch's limit). */
  maxBatchSize?: number;
  /** Flush on beforeExit and SIGINT/SIGTERM when end() was not called. Default true. */
  flushOnExit?: boolean;
}

/**
 * Data that could not be logged. `lost` entries were refused by the server (4xx: the batch cannot succeed as sent and
 * was dropped); `pending` entries failed for a transient reason and are still buffered for the next flush.
 */
export class RunLogError extends Error {
  readonly runId: string;
  readonly lost: number;
  readonly pending: number;

  constructor(runId: string, lost: number, pending: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const what = lost > 0 ? `${lost} entries were refused and dropped` : `${pending} entries are still buffered`;
    super(`logging to run ${runId} failed (${what}): ${reason}`, { cause });
    this.name = "RunLogError";
    this.runId = runId;
    this.lost = lost;
    this.pending = pending;
  }
}

const isTransient = (error: unknown): boolean =>
  error instanceof CairnConnectionError || (error instanceof CairnApiError && RETRYABLE_STATUSES.has(error.status));

const bounded = (value: number | undefined, fallback: number, min: number, max: number, name: string): number => {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
};

/**
 * A run being logged to. Metrics, params and tags are buffered and sent in background log-batch requests (at most
 * 1000 entries, 100 params and 100 tags each, under 1 MB), one request at a time so that order is kept. Errors of
 * background sends are kept and thrown by the next flush() or end(); nothing is dropped silently.
 */
export class ActiveRun {
  readonly runId: string;
  readonly experimentId: string;
  private latestInfo: RunInfo;
  private readonly buffer = new LogBuffer();
  private readonly flushIntervalMs: number;
  private readonly maxBatchSize: number;
  private readonly flushOnExit: boolean;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  /** Entries the server refused (dropped); kept until a flush()/end() reports them. */
  private refused: RunLogError | undefined;
  private sending = 0;
  private ended = false;

  constructor(
    private readonly runs: RunsApi,
    run: Run,
    options: ActiveRunOptions = {},
  ) {
    this.runId = run.info.run_id;
    this.experimentId = run.info.experiment_id;
    this.latestInfo = run.info;
    this.flushIntervalMs = bounded(options.flushIntervalMs, 1000, 10, 60_000, "flushIntervalMs");
    this.maxBatchSize = bounded(options.maxBatchSize, BATCH_LIMITS.metrics, 1, BATCH_LIMITS.metrics, "maxBatchSize");
    this.flushOnExit = options.flushOnExit ?? true;
    if (this.flushOnExit) registerForExitFlush(this);
  }

  /** The run's info as of creation or end(). */
  get info(): RunInfo {
    return this.latestInfo;
  }

  /** Entries logged and not yet confirmed by the server (buffered or being sent). */
  get pendingCount(): number {
    return this.buffer.size + this.sending;
  }

  logMetric(key: string, value: number, options: MetricOptions = {}): void {
    this.assertOpen();
    if (typeof key !== "string" || key === "") throw new TypeError("metric key must be a non-empty string");
    if (typeof value !== "number") throw new TypeError(`metric '${key}' value must be a number, got ${typeof value}`);
    const step = options.step ?? 0;
    const timestamp = options.timestamp ?? Date.now();
    if (!Number.isSafeInteger(step)) throw new TypeError(`metric '${key}' step must be an integer, got ${step}`);
    if (!Number.isSafeInteger(timestamp)) throw new TypeError(`metric '${key}' timestamp must be integer ms, got ${timestamp}`);
    this.buffer.addMetric({ key, value, timestamp, step });
    this.scheduleFlush();
  }

  logMetrics(metrics: Record<string, number>, options: MetricOptions = {}): void {
    const timestamp = options.timestamp ?? Date.now();
    for (const [key, value] of Object.entries(metrics)) this.logMetric(key, value, { ...options, timestamp });
  }

  logParam(key: string, value: string | number | boolean): void {
    this.assertOpen();
    if (typeof key !== "string" || key === "") throw new TypeError("param key must be a non-empty string");
    this.buffer.addParam({ key, value: String(value) });
    this.scheduleFlush();
  }

  logParams(params: Record<string, string | number | boolean>): void {
    for (const [key, value] of Object.entries(params)) this.logParam(key, value);
  }

  setTag(key: string, value: string): void {
    this.assertOpen();
    if (typeof key !== "string" || key === "") throw new TypeError("tag key must be a non-empty string");
    this.buffer.addTag({ key, value: String(value) });
    this.scheduleFlush();
  }

  setTags(tags: Record<string, string>): void {
    for (const [key, value] of Object.entries(tags)) this.setTag(key, value);
  }

  /** Sends everything buffered; throws a RunLogError if this or an earlier background send failed. */
  async flush(): Promise<void> {
    this.clearTimer();
    while (this.inflight) await this.inflight;
    let transient: unknown;
    this.inflight = this.drain()
      .then((error) => {
        transient = error;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    await this.inflight;
    const refused = this.refused;
    this.refused = undefined;
    if (refused) throw refused;
    if (transient !== undefined) throw new RunLogError(this.runId, 0, this.buffer.size, transient);
  }

  /**
   * Flushes, then marks the run ended with `status` and the end time. If the flush fails the run is left RUNNING and
   * the error is thrown, so that end() can be called again. Calling end() on an ended run returns its info.
   */
  async end(status: RunStatus = "FINISHED"): Promise<RunInfo> {
    if (this.ended) return this.latestInfo;
    await this.flush();
    this.latestInfo = await this.runs.update(this.runId, { status, endTime: Date.now() });
    this.ended = true;
    if (this.flushOnExit) unregisterForExitFlush(this);
    return this.latestInfo;
  }

  private assertOpen(): void {
    if (this.ended) throw new Error(`run ${this.runId} has ended; start a new run to log more`);
  }

  private scheduleFlush(): void {
    if (this.buffer.size >= this.maxBatchSize) {
      this.clearTimer();
      this.flushInBackground();
    } else if (this.inflight === undefined) {
      this.startTimer();
    }
  }

  private startTimer(): void {
    if (this.timer !== undefined) return;
    // Unref'd: a pending timer must not keep the process alive; beforeExit flushes what is left.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushInBackground();
    }, this.flushIntervalMs).unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flushInBackground(): void {
    if (this.inflight) return; // the running drain picks up what was added
    this.inflight = this.drain()
      .then(() => undefined)
      .finally(() => {
        this.inflight = undefined;
        // Entries left after a transient failure wait one interval (not a tight loop against a down server).
        if (this.buffer.size > 0 && !this.ended) this.startTimer();
      });
  }

  /**
   * Sends batches until the buffer is empty or a transient failure (already retried by the transport) stops it;
   * returns that failure. Refused batches are dropped and recorded. Never throws.
   */
  private async drain(): Promise<unknown> {
    while (this.buffer.size > 0) {
      const batch = this.buffer.take({ ...BATCH_LIMITS, entities: this.maxBatchSize, metrics: this.maxBatchSize });
      const count = batchSize(batch);
      this.sending = count;
      try {
        await this.runs.logBatch(this.runId, batch);
      } catch (error) {
        if (isTransient(error)) {
          this.buffer.restore(batch);
          return error;
        }
        this.refused ??= new RunLogError(this.runId, count, 0, error);
      } finally {
        this.sending = 0;
      }
    }
    return undefined;
  }
}
