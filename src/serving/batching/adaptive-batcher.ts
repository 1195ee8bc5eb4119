import { invalidParameter } from "../../core/errors.js";
import type { LoadedModel } from "../model/loaded-model.js";
import type { TensorMap } from "../tensor.js";
import { batchKeyOf } from "./batch-key.js";
import { concatRows, splitRows } from "./tensor-rows.js";

export interface BatchingOptions {
  /** Most rows one runtime call takes (default 32). 1 turns batching off. */
  maxBatchSize?: number;
  /** Longest a request waits for batch mates while the runtime is busy (default 2 ms). */
  maxLatencyMs?: number;
}

/** Where the batcher reports what it does (metrics); kept as an interface so batching knows nothing of Prometheus. */
export interface BatchObserver {
  /** One runtime call made: how many rows, merged from how many requests. */
  batch(rows: number, requests: number): void;
  /** Requests waiting for a runtime call, after every change. */
  queueDepth(requests: number): void;
}

export const DEFAULT_MAX_BATCH_SIZE = 32;
/** A batch larger than this is a typo rather than a plan. */
export const MAX_BATCH_SIZE = 100_000;
/** Waiting longer than a minute for batch mates is never what anyone wants. */
export const MAX_LATENCY_MS = 60_000;
export const DEFAULT_MAX_LATENCY_MS = 2;

interface Pending {
  feeds: TensorMap;
  rows: number;
  key: string;
  enqueuedAt: number;
  resolve: (outputs: TensorMap) => void;
  reject: (error: unknown) => void;
}

const checkOption = (name: string, value: number, min: number, max: number): number => {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw invalidParameter(`Invalid ${name} ${value}: expected a number from ${min} to ${max}.`);
  }
  return value;
};

/**
 * Adaptive batching over one loaded model. Requests queue; a batch runs when the runtime is idle (at once: a lone
 * request at low load pays no waiting), when the queued rows reach maxBatchSize, or when the oldest request has
 * waited maxLatencyMs. While a run is in flight, arriving requests accumulate and go together as soon as it ends:
 * the batch size follows the load by itself. Only requests with the same row shapes merge (see batch-key.ts);
 * others run alone, so one bad request cannot fail its neighbours, and if a merged run fails anyway each member is
 * retried on its own. A model that is not batchable (fixed batch dimension, recurrent state) is run directly.
 */
export class AdaptiveBatcher {
  readonly maxBatchSize: number;
  readonly maxLatencyMs: number;
  private readonly queue: Pending[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleFlushQueued = false;

  constructor(
    readonly model: LoadedModel,
    options: BatchingOptions = {},
    private readonly observer?: BatchObserver,
  ) {
    this.maxBatchSize = Math.floor(checkOption("max_batch_size", options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE, 1, MAX_BATCH_SIZE));
    this.maxLatencyMs = checkOption("max_latency_ms", options.maxLatencyMs ?? DEFAULT_MAX_LATENCY_MS, 0, MAX_LATENCY_MS);
  }

  /**
   * Whether another run may start now. On the main thread one run at a time (they would only queue behind each
   * other). With an inference worker two: while the worker runs one batch the next waits at the worker, so it starts
   * the moment the first ends instead of after the answers went out and the next requests came in.
   */
  private get hasRoom(): boolean {
    return this.inFlight < (this.model.mergedRunsOffThread ? 2 : 1);
  }

  /** True when requests to this model are merged. */
  get batching(): boolean {
    return this.model.batchable && this.maxBatchSize > 1;
  }

  run(feeds: TensorMap): Promise<TensorMap> {
    if (!this.batching) return this.runAlone(feeds);
    const batchKey = batchKeyOf(this.model.inputs, feeds);
    if (batchKey === undefined || batchKey.rows >= this.maxBatchSize) return this.runAlone(feeds);
    return new Promise<TensorMap>((resolve, reject) => {
      this.queue.push({ feeds, rows: batchKey.rows, key: batchKey.key, enqueuedAt: performance.now(), resolve, reject });
      this.queuedRows += batchKey.rows;
      this.observer?.queueDepth(this.queue.length);
      if (this.queuedRows >= this.maxBatchSize) this.flushFull();
      else if (this.hasRoom) this.queueIdleFlush();
      else this.armTimer();
    });
  }

  /** Sends whatever waits, without waiting further (used when the model is being replaced). */
  drain(): void {
    while (this.queue.length > 0) this.flushOne();
  }

  private async runAlone(feeds: TensorMap): Promise<TensorMap> {
    this.inFlight += 1;
    this.observer?.batch(rowsOf(feeds), 1);
    try {
      return await this.model.run(feeds);
    } finally {
      this.runEnded();
    }
  }

  /**
   * At idle, run on the next microtask rather than synchronously: requests issued in the same turn (a client's
   * Promise.all, several bodies parsed in one read) still merge, and the wait is microseconds.
   */
  private queueIdleFlush(): void {
    if (this.idleFlushQueued) return;
    this.idleFlushQueued = true;
    queueMicrotask(() => {
      this.idleFlushQueued = false;
      if (this.hasRoom && this.queue.length > 0) this.flushAll();
    });
  }

  private armTimer(): void {
    if (this.timer !== undefined) return;
    const oldest = this.queue[0];
    if (oldest === undefined) return;
    const delay = Math.max(0, oldest.enqueuedAt + this.maxLatencyMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.queue.length > 0) this.flushOne();
      if (this.queue.length > 0) this.armTimer();
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flushFull(): void {
    while (this.queuedRows >= this.maxBatchSize) this.flushOne();
    if (this.queue.length > 0) {
      if (this.hasRoom) this.queueIdleFlush();
      else this.armTimer();
    }
  }

  private flushAll(): void {
    while (this.queue.length > 0) this.flushOne();
  }

  /** Takes the oldest request and the waiting requests of its shape, up to maxBatchSize rows, and runs them. */
  private flushOne(): void {
    this.clearTimer();
    const first = this.queue[0];
    if (first === undefined) return;
    const members: Pending[] = [];
    let rows = 0;
    let kept = 0;
    for (let i = 0; i < this.queue.length; i += 1) {
      const pending = this.queue[i] as Pending;
      if (pending.key === first.key && rows + pending.rows <= this.maxBatchSize) {
        members.push(pending);
        rows += pending.rows;
      } else {
        this.queue[kept] = pending;
        kept += 1;
      }
    }
    this.queue.length = kept;
    this.queuedRows -= rows;
    this.observer?.queueDepth(kept);
    void this.runBatch(members, rows);
  }

  private async runBatch(members: Pending[], rows: number): Promise<void> {
    this.inFlight += 1;
    this.observer?.batch(rows, members.length);
    let settle: () => void;
    try {
      settle = await this.execute(members);
    } finally {
      this.inFlight -= 1;
    }
    // Answer only once the runtime counts as idle: a caller that sends its next request on the answer then finds
    // it idle and is served at once instead of waiting for batch mates.
    settle();
    if (this.hasRoom && this.queue.length > 0) this.flushAll();
  }

  /** Runs the members (merged when there are several) and returns what answers them, without answering yet. */
  private async execute(members: Pending[]): Promise<() => void> {
    const outcomes = async (): Promise<Array<{ ok: true; value: TensorMap } | { ok: false; error: unknown }>> => {
      if (members.length > 1) {
        try {
          const split = splitOutputs(await this.model.runMerged(mergeFeeds(members)), members);
          if (split !== undefined) return split.map((value) => ({ ok: true, value }));
        } catch {
          // The merged run failed (a value one member sent that the runtime refuses, say): each answers for itself.
        }
      }
      return Promise.all(
        members.map((member) =>
          this.model.run(member.feeds).then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
        ),
      );
    };
    const results = await outcomes();
    return () =>
      results.forEach((result, i) => {
        const member = members[i] as Pending;
        if (result.ok) member.resolve(result.value);
        else member.reject(result.error);
      });
  }

  private runEnded(): void {
    this.inFlight -= 1;
    // What queued while the runtime was busy goes now, together: this is where batches form under load.
    if (this.hasRoom && this.queue.length > 0) this.flushAll();
  }
}

const rowsOf = (feeds: TensorMap): number => {
  for (const name in feeds) {
    const tensor = feeds[name];
    if (tensor !== undefined && tensor.dims.length > 0) return tensor.dims[0] as number;
  }
  return 1;
};

const mergeFeeds = (members: readonly Pending[]): TensorMap => {
  const merged: TensorMap = {};
  for (const name of Object.keys((members[0] as Pending).feeds)) {
    merged[name] = concatRows(members.map((member) => member.feeds[name] as TensorMap[string]));
  }
  return merged;
};

/** Splits each output back by the members' rows; undefined when an output is not batched along dim 0. */
const splitOutputs = (outputs: TensorMap, members: readonly Pending[]): TensorMap[] | undefined => {
  const counts = members.map((member) => member.rows);
  const total = counts.reduce((sum, count) => sum + count, 0);
  const answers: TensorMap[] = members.map(() => ({}));
  for (const [name, tensor] of Object.entries(outputs)) {
    if (tensor.dims.length === 0 || tensor.dims[0] !== total) return undefined;
    splitRows(tensor, counts).forEach((piece, i) => {
      (answers[i] as TensorMap)[name] = piece;
    });
  }
  return answers;
};
