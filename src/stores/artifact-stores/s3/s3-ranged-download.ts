import { Readable } from "node:stream";

/**
 * A large object read as several ranged GETs in flight, written out in order: what boto3's s3transfer and the AWS
 * CLI do. One GetObject stream is paced by a single connection's round trips (the S3 server reads, sends, waits for
 * the window); with `concurrency` ranges in flight the next parts arrive while the current one is being written.
 *
 * Memory is bounded explicitly: a part is fetched only while fewer than `concurrency` parts are held, and a part is
 * released once all of its bytes were handed to the reader, so at most `concurrency x partBytes` (plus the stream's
 * own high-water mark) is held, however slow the client reads.
 *
 * Any failure (a part's GET refused after the SDK's retries, its body cut off or shorter than its range) destroys
 * the stream with that error: the HTTP layer then aborts the response, so a client never sees a short 200.
 */
export interface RangedDownloadOptions {
  /** Bytes per ranged GET. */
  partBytes: number;
  /** Ranged GETs in flight (and parts held) at most. */
  concurrency: number;
}

/** Fetches bytes [start, end] (inclusive) of the object; `signal` aborts the request and its body. */
export type FetchRange = (start: number, end: number, signal: AbortSignal) => Promise<Readable>;

interface Part {
  start: number;
  end: number;
  chunks: Buffer[];
  received: number;
  finished: boolean;
}

const expectedBytes = (part: Part): number => part.end - part.start + 1;

class RangedDownload extends Readable {
  private readonly parts: Part[] = [];
  private readonly abort = new AbortController();
  private readonly bodies = new Set<Readable>();
  /** The next byte not yet asked for. */
  private nextStart: number;
  private wanting = false;

  constructor(
    private readonly fetchRange: FetchRange,
    first: { body: Readable; end: number },
    private readonly lastByte: number,
    private readonly options: RangedDownloadOptions,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    // The first part's answer came with the object's size; the rest are fetched from here on.
    const part = this.track(0, first.end);
    this.nextStart = first.end + 1;
    this.consume(part, first.body);
    this.fill();
  }

  private track(start: number, end: number): Part {
    const part: Part = { start, end, chunks: [], received: 0, finished: false };
    this.parts.push(part);
    return part;
  }

  /** Starts ranged GETs until `concurrency` parts are held or the object is covered. */
  private fill(): void {
    while (!this.destroyed && this.parts.length < this.options.concurrency && this.nextStart <= this.lastByte) {
      const start = this.nextStart;
      const end = Math.min(start + this.options.partBytes - 1, this.lastByte);
      this.nextStart = end + 1;
      const part = this.track(start, end);
      this.fetchRange(start, end, this.abort.signal).then(
        (body) => this.consume(part, body),
        (error: unknown) => this.fail(error),
      );
    }
  }

  private consume(part: Part, body: Readable): void {
    if (this.destroyed) {
      body.destroy();
      return;
    }
    this.bodies.add(body);
    body.on("data", (chunk: Buffer) => {
      part.received += chunk.length;
      if (part.received > expectedBytes(part)) return this.fail(new Error(`S3 sent more than the ${expectedBytes(part)} bytes of range ${part.start}-${part.end}`));
      part.chunks.push(chunk);
      if (part === this.parts[0]) this.pump();
    });
    body.once("error", (error) => this.fail(error));
    body.once("end", () => {
      this.bodies.delete(body);
      if (part.received !== expectedBytes(part)) {
        return this.fail(new Error(`S3 ended range ${part.start}-${part.end} after ${part.received} of ${expectedBytes(part)} bytes`));
      }
      part.finished = true;
      if (part === this.parts[0]) this.pump();
    });
  }

  /** Hands the head part's bytes to the reader while it wants more; moves on to the next part when one is done. */
  private pump(): void {
    while (this.wanting && !this.destroyed) {
      const head = this.parts[0];
      if (head === undefined) {
        this.push(null);
        return;
      }
      const chunk = head.chunks.shift();
      if (chunk !== undefined) {
        this.wanting = this.push(chunk);
        continue;
      }
      if (!head.finished) return;
      this.parts.shift();
      this.fill();
    }
  }

  override _read(): void {
    this.wanting = true;
    this.pump();
  }

  private fail(error: unknown): void {
    if (!this.destroyed) this.destroy(error instanceof Error ? error : new Error(String(error)));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.abort.abort();
    for (const body of this.bodies) body.destroy();
    this.bodies.clear();
    this.parts.length = 0;
    callback(error);
  }
}

/**
 * The whole object from its first part's answer (`first`, covering bytes 0..first.end) and its size, fetching the
 * rest in parallel ranges.
 */
export const rangedDownload = (fetchRange: FetchRange, first: { body: Readable; end: number }, size: number, options: RangedDownloadOptions): Readable =>
  new RangedDownload(fetchRange, first, size - 1, options);
