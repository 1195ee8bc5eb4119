import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { CairnError, ErrorCode } from "../../core/errors.js";
import { codecJobBytes, errorOf, runCodecJob, type CodecJob, type CodecResult, type CodecResults } from "./codec-jobs.js";
import type { CodecReply, CodecRequest } from "./codec-messages.js";
import { startModuleWorker } from "../../core/module-worker.js";

/**
 * Request bodies up to this size are decoded on the event loop, where small ones are fastest; larger ones on the
 * pool. Measured (docs/serving.md): decoding costs about 16 µs a KiB of JSON (64 KiB: 1 ms, 256 KiB: 4 ms, 18 MB:
 * 0.4 to 1.1 s) and a worker round trip adds under 0.1 ms, so above 64 KiB the loop gains more than the request pays.
 */
export const DEFAULT_INLINE_BODY_BYTES = 64 * 1024;
/** Output tensor data up to this size is encoded on the loop: encoding costs about 50 µs a KiB (16 KiB: 0.7 ms). */
export const DEFAULT_INLINE_OUTPUT_BYTES = 16 * 1024;
/** Jobs waiting for a free worker, at most (beyond the ones running): more is a 503 with Retry-After. */
export const DEFAULT_MAX_QUEUED_CODEC_JOBS = 8;
/** Bytes of the waiting jobs, at most: four 20 MB bodies beside the running ones, then 503s. */
export const DEFAULT_MAX_QUEUED_CODEC_BYTES = 80 * 1024 * 1024;
/** A worker's heap, at most: a body that needs more fails alone (500) instead of aborting the process. */
export const DEFAULT_CODEC_WORKER_HEAP_MB = 1024;
/** Seconds a refused client is told to wait before retrying. */
export const CODEC_RETRY_AFTER_SECONDS = 1;

export interface CodecPoolOptions {
  /** Worker threads (default min(2, availableParallelism())). */
  threads?: number;
  inlineBodyBytes?: number;
  inlineOutputBytes?: number;
  maxQueuedJobs?: number;
  maxQueuedBytes?: number;
  workerHeapMb?: number;
}

/** The 503 of a full queue; the serving routes add Retry-After to it. */
export class CodecPoolBusyError extends CairnError {
  constructor() {
    super(ErrorCode.TEMPORARILY_UNAVAILABLE, "The server is decoding too many large scoring requests; retry shortly.", { status: 503 });
  }
}

interface Pending {
  id: number;
  job: CodecJob;
  bytes: number;
  resolve: (result: CodecResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  running: Pending | undefined;
}

/**
 * A small pool of worker threads that decode large scoring bodies into tensors and encode large answers to JSON (the
 * codecs of codec-jobs.ts, the same code the loop runs for small ones). Workers start at the first large job and
 * never keep the process alive; each runs one job at a time, the rest wait in a bounded queue; a worker that dies
 * (out of memory, a crash) fails only its own job and is replaced at the next one.
 */
export class CodecPool {
  readonly threads: number;
  readonly inlineBodyBytes: number;
  readonly inlineOutputBytes: number;
  private readonly maxQueuedJobs: number;
  private readonly maxQueuedBytes: number;
  private readonly workerHeapMb: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  private nextId = 1;
  private closed = false;

  constructor(options: CodecPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? Math.min(2, availableParallelism()));
    this.inlineBodyBytes = options.inlineBodyBytes ?? DEFAULT_INLINE_BODY_BYTES;
    this.inlineOutputBytes = options.inlineOutputBytes ?? DEFAULT_INLINE_OUTPUT_BYTES;
    this.maxQueuedJobs = options.maxQueuedJobs ?? DEFAULT_MAX_QUEUED_CODEC_JOBS;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_CODEC_BYTES;
    this.workerHeapMb = options.workerHeapMb ?? DEFAULT_CODEC_WORKER_HEAP_MB;
  }

  /**
   * Runs the job inline when small, else on a worker. A full queue refuses a decode with CodecPoolBusyError; an
   * encode is always admitted (its request already took its turn, the model has run, and its outputs are in memory
   * whatever happens), so a client is never refused after its prediction was made.
   */
  async run<J extends CodecJob>(job: J): Promise<CodecResults[J["kind"]]> {
    const bytes = codecJobBytes(job);
    const inline = job.kind === "decode-mlflow" || job.kind === "decode-oip" ? this.inlineBodyBytes : this.inlineOutputBytes;
    if (bytes <= inline) return runCodecJob(job) as CodecResults[J["kind"]];
    return (await this.offload(job, bytes)) as CodecResults[J["kind"]];
  }

  /**
   * Whether a body of `bytes` would be refused now (a full queue): the routes ask before reading a body whose
   * Content-Length is declared, so a refused 18 MB body is never held in memory.
   */
  refusesBody(bytes: number): boolean {
    if (bytes <= this.inlineBodyBytes) return false;
    if (this.closed) return true;
    const free = this.slots.some((slot) => slot.running === undefined) || this.slots.length < this.threads;
    return !free && (this.queue.length >= this.maxQueuedJobs || this.queuedBytes + bytes > this.maxQueuedBytes);
  }

  /** Jobs running and waiting (for tests and metrics). */
  load(): { running: number; queued: number; queuedBytes: number } {
    return { running: this.slots.filter((slot) => slot.running !== undefined).length, queued: this.queue.length, queuedBytes: this.queuedBytes };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new CodecPoolBusyError());
    this.queuedBytes = 0;
    const slots = this.slots.splice(0);
    for (const slot of slots) slot.running?.reject(new CodecPoolBusyError());
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private offload(job: CodecJob, bytes: number): Promise<CodecResult> {
    if (this.closed) return Promise.reject(new CodecPoolBusyError());
    const decode = job.kind === "decode-mlflow" || job.kind === "decode-oip";
    if (decode && this.refusesBody(bytes)) return Promise.reject(new CodecPoolBusyError());
    return new Promise<CodecResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, bytes, resolve, reject });
      this.queuedBytes += bytes;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.running === undefined) ?? (this.slots.length < this.threads ? this.startSlot() : undefined);
      if (slot === undefined) return;
      const pending = this.queue.shift() as Pending;
      this.queuedBytes -= pending.bytes;
      slot.running = pending;
      const request: CodecRequest = { id: pending.id, job: pending.job };
      // The request body moves to the worker (no copy); output tensors are copied, the prediction log keeps them.
      const body = "body" in pending.job ? pending.job.body : undefined;
      const whole = body !== undefined && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
      slot.worker.postMessage(request, whole ? [body.buffer as ArrayBuffer] : []);
    }
  }

  private startSlot(): Slot {
    const worker = startWorker(this.workerHeapMb);
    const slot: Slot = { worker, running: undefined };
    worker.on("message", (reply: CodecReply) => {
      const pending = slot.running;
      if (pending === undefined || pending.id !== reply.id) return;
      slot.running = undefined;
      if ("result" in reply) pending.resolve(reply.result);
      else pending.reject(errorOf(reply.failure));
      this.dispatch();
    });
    const lost = (error: Error): void => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const pending = slot.running;
      slot.running = undefined;
      pending?.reject(new Error(`codec worker failed: ${error.message}`));
      if (!this.closed) this.dispatch();
    };
    worker.on("error", lost);
    worker.on("exit", (code) => lost(new Error(`exited with code ${code}`)));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}

const startWorker = (heapMb: number): Worker => startModuleWorker(import.meta.url, "codec-worker", { resourceLimits: { maxOldGenerationSizeMb: heapMb } });
