import { type Clock, systemClock } from "../../core/clock.js";
import { invalidParameter } from "../../core/errors.js";
import { boundedRecord, certainlyOverLimit, DEFAULT_MAX_RECORD_BYTES, omittedRecord } from "./record-size.js";
import type { PredictionEntry, PredictionRecord } from "./records.js";
import type { PredictionLogStore } from "./store.js";

/** Retention of `cairn server` unless its flags say otherwise (see docs/serving.md for why these). */
export const DEFAULT_RETENTION_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
export const DEFAULT_RETENTION_MAX_ROWS = 1_000_000;

/** One deployment's own bounds on its logged predictions (a deployment without either has none here). */
export interface DeploymentRetention {
  deployment: string;
  maxAgeMs?: number;
  maxRows?: number;
}

export interface RetentionOptions {
  /** Predictions (and labels) older than this are deleted. */
  maxAgeMs?: number;
  /** At most this many predictions are kept (the newest). */
  maxRows?: number;
  /** How often retention runs (default 60 s; also once when the log starts). */
  intervalMs?: number;
  /** Rows deleted per write (default 1,000: about 10 ms of ~1 KB rows, bench/prediction-log.ts); a backlog of millions goes in short writes, yielding in between. */
  chunkRows?: number;
  /**
   * Each deployment's own bounds, asked once per pass. They are applied to that deployment's predictions after the
   * server's bounds (which still cap everything), and only where tighter than the server's: a looser one is already
   * met. When nothing is due this costs an index seek (age) and a kept count (rows) per deployment, not a scan.
   */
  deploymentBounds?: () => Promise<readonly DeploymentRetention[]>;
}

export interface PredictionLogOptions {
  /** Share of requests recorded, 0..1 (default 1). */
  sampleRate?: number;
  /** Records waiting to be written at most; beyond, new records are dropped and counted (default 10,000). */
  capacity?: number;
  /** How often the queue is written (default 500 ms). */
  flushIntervalMs?: number;
  /** Records per store write (default 1,000). */
  batchSize?: number;
  retention?: RetentionOptions;
  /**
   * Largest inputs + outputs JSON of one record (default DEFAULT_MAX_RECORD_BYTES); a bigger request is logged with
   * its tensors omitted (shape and type kept, `omitted: true`).
   */
  maxRecordBytes?: number;
  /** Where to report drops (the metrics counter). */
  onDropped?: (count: number) => void;
  /** Where write failures go (a logger); the log never throws into the serving path. */
  onError?: (error: unknown) => void;
  random?: () => number;
  clock?: Clock;
}

const rate = (value: number): number => {
  if (!(value >= 0 && value <= 1)) throw invalidParameter(`Invalid prediction log sample_rate ${value}: expected a number from 0 to 1.`);
  return value;
};

const positive = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 1) throw invalidParameter(`Invalid prediction log ${name} ${value}: expected a positive integer.`);
  return value;
};

const isRecord = (queued: PredictionEntry | PredictionRecord): queued is PredictionRecord => typeof queued.inputs === "string";

/**
 * The prediction log: record() is called on the serving path and only samples and enqueues (synchronous, no I/O, no
 * serialisation, never throws); a timer writes the queue to the store in batches, off the path. The queue is bounded:
 * when the store falls behind, new records are dropped and counted rather than growing memory or slowing answers.
 */
export class PredictionLog {
  /** Entries to serialise, or records already reduced to shapes on the serving path (over the record limit). */
  private queue: Array<PredictionEntry | PredictionRecord> = [];
  private dropped = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private retaining: Promise<number> | undefined;
  private readonly sampleRate: number;
  private readonly capacity: number;
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxRecordBytes: number;
  private readonly random: () => number;
  private readonly clock: Clock;

  constructor(
    private readonly store: PredictionLogStore,
    private readonly options: PredictionLogOptions = {},
  ) {
    this.sampleRate = rate(options.sampleRate ?? 1);
    this.capacity = positive("capacity", options.capacity ?? 10_000);
    this.flushIntervalMs = positive("flush_interval_ms", options.flushIntervalMs ?? 500);
    this.batchSize = positive("batch_size", options.batchSize ?? 1_000);
    this.maxRecordBytes = positive("max_record_bytes", options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? systemClock;
    const retention = options.retention;
    if (retention?.maxAgeMs !== undefined) positive("retention max_age_ms", retention.maxAgeMs);
    if (retention?.maxRows !== undefined) positive("retention max_rows", retention.maxRows);
    if (retention?.chunkRows !== undefined) positive("retention chunk_rows", retention.chunkRows);
  }

  /** Records dropped so far because the queue was full. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** Records waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Samples and enqueues one served request, at the log's rate or at `sampleRate` when the caller has its own (a
   * deployment's). Synchronous and cheap; never throws, never waits on I/O.
   */
  record(entry: PredictionEntry, sampleRate: number = this.sampleRate): void {
    try {
      if (sampleRate < 1 && !(this.random() < sampleRate)) return;
      if (this.queue.length >= this.capacity) {
        this.dropped += 1;
        this.options.onDropped?.(1);
        return;
      }
      // A body certainly over the record limit is reduced to its shapes now, so the queue does not hold its tensors.
      this.queue.push(certainlyOverLimit(entry, this.maxRecordBytes) ? omittedRecord(entry) : entry);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  start(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.flushTimer.unref();
    const retention = this.options.retention;
    if (retention !== undefined && (retention.maxAgeMs !== undefined || retention.maxRows !== undefined || retention.deploymentBounds !== undefined)) {
      this.retentionTimer = setInterval(() => void this.enforceRetention(), retention.intervalMs ?? 60_000);
      this.retentionTimer.unref();
      // A log that grew while the server was down, or under a larger limit, is brought within bounds now.
      void this.enforceRetention();
    }
  }

  /** Stops the timers and writes everything still queued. */
  async stop(): Promise<void> {
    if (this.flushTimer !== undefined) clearInterval(this.flushTimer);
    if (this.retentionTimer !== undefined) clearInterval(this.retentionTimer);
    this.flushTimer = undefined;
    this.retentionTimer = undefined;
    await this.flush();
    await this.retaining;
  }

  /** Writes the queue in batches; one flush at a time (a timer tick during a slow write joins it). */
  flush(): Promise<void> {
    if (this.flushing === undefined) {
      this.flushing = this.writeQueued().finally(() => {
        this.flushing = undefined;
      });
    }
    return this.flushing;
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      // Take the whole queue at once: records arriving during the write go to a fresh array.
      const taken = this.queue;
      this.queue = [];
      for (let start = 0; start < taken.length; start += this.batchSize) {
        const batch = taken.slice(start, start + this.batchSize);
        try {
          await this.store.insertPredictions(batch.map(this.toStored));
        } catch (error) {
          // A failed write loses that batch (the log is best-effort); serving goes on.
          this.options.onError?.(error);
        }
      }
    }
  }

  private readonly toStored = (queued: PredictionEntry | PredictionRecord): PredictionRecord =>
    isRecord(queued) ? queued : boundedRecord(queued, this.maxRecordBytes);

  /**
   * Deletes what the retention setting no longer keeps, in chunks with a turn of the event loop between them; one
   * pass at a time (a timer tick during a long pass joins it). Returns the predictions deleted.
   */
  enforceRetention(): Promise<number> {
    if (this.retaining === undefined) {
      this.retaining = this.deleteExpired().finally(() => {
        this.retaining = undefined;
      });
    }
    return this.retaining;
  }

  private async deleteExpired(): Promise<number> {
    const retention = this.options.retention;
    const chunk = retention?.chunkRows ?? 1_000;
    let deleted = 0;
    const inChunks = async (deleteChunk: () => Promise<number>): Promise<void> => {
      for (;;) {
        const count = await deleteChunk();
        deleted += count;
        if (count < chunk) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    try {
      if (retention?.maxAgeMs !== undefined) {
        const cutoff = this.clock() - retention.maxAgeMs;
        await inChunks(() => this.store.deleteOlderThan(cutoff, chunk));
      }
      const maxRows = retention?.maxRows;
      if (maxRows !== undefined) await inChunks(() => this.store.trimToRows(maxRows, chunk));
    } catch (error) {
      this.options.onError?.(error);
    }
    if (retention?.deploymentBounds === undefined) return deleted;
    let bounds: readonly DeploymentRetention[] = [];
    try {
      bounds = await retention.deploymentBounds();
    } catch (error) {
      this.options.onError?.(error);
    }
    for (const bound of bounds) {
      // One deployment's failure does not keep the others from their bounds.
      try {
        const { maxAgeMs, maxRows } = bound;
        if (maxAgeMs !== undefined && (retention.maxAgeMs === undefined || maxAgeMs < retention.maxAgeMs)) {
          const cutoff = this.clock() - maxAgeMs;
          await inChunks(() => this.store.deleteDeploymentOlderThan(bound.deployment, cutoff, chunk));
        }
        if (maxRows !== undefined && (retention.maxRows === undefined || maxRows < retention.maxRows)) {
          await inChunks(() => this.store.trimDeploymentToRows(bound.deployment, maxRows, chunk));
        }
      } catch (error) {
        this.options.onError?.(error);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    return deleted;
  }
}
