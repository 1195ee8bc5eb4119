import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";

/**
 * A stream of unknown length written to one S3 object: PutObject when it fits in one part, else a multipart upload
 * with `queue` parts in flight. What @aws-sdk/lib-storage's Upload does, with its memory bounded and reused: the
 * parts are filled into at most `queue + 1` buffers of `partBytes`, allocated as the upload needs them and refilled
 * as each part's UploadPart finishes (a body of at most one part needs none: its chunks go as one PutObject).
 * Upload allocates a fresh part-sized buffer per part (Buffer.concat of the body's chunks), which the garbage
 * collector frees late: a 1 GiB upload left tens of MB of dead parts in the process (the upload half of the
 * bench's round trip grew the server 40-80 MB), and each fresh buffer's pages were faulted in again. Here the
 * process holds at most `(queue + 1) x partBytes`, whatever the size.
 *
 * The source is read only while a buffer is free, so a slow S3 slows the client (TCP back-pressure), never grows
 * memory. A failed S3 call stops reading the source at its next chunk and aborts the multipart upload: S3 keeps
 * nothing.
 */
export interface StreamedUploadOptions {
  partBytes: number;
  /** UploadPart requests in flight at most. */
  queue: number;
  /** Called once, synchronously, by whichever side fails first: the source's iteration, or an S3 call. */
  onFailure?: (side: "source" | "s3", error: unknown) => void;
}

export interface UploadTarget {
  client: S3Client;
  bucket: string;
  key: string;
}

class PartPool {
  private readonly free: Buffer[] = [];
  private allocated = 0;

  constructor(
    private readonly partBytes: number,
    private readonly limit: number,
  ) {}

  /** A free buffer, or undefined when all `limit` are in use. */
  take(): Buffer | undefined {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.allocated === this.limit) return undefined;
    this.allocated += 1;
    return Buffer.allocUnsafe(this.partBytes);
  }

  give(buffer: Buffer): void {
    this.free.push(buffer);
  }
}

/** Marks an S3 call's failure, so that the caller tells it from the source's. */
class S3CallFailed extends Error {
  constructor(readonly failure: unknown) {
    super("S3 call failed");
  }
}

export const streamedUpload = async (target: UploadTarget, source: AsyncIterable<Uint8Array>, options: StreamedUploadOptions): Promise<void> => {
  const { client, bucket, key } = target;
  const pool = new PartPool(options.partBytes, options.queue + 1);
  const abort = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const parts: CompletedPart[] = [];
  let uploadId: string | undefined;
  let failure: S3CallFailed | undefined;
  let reported = false;
  const report = (side: "source" | "s3", error: unknown): void => {
    if (reported) return;
    reported = true;
    options.onFailure?.(side, error);
  };
  const s3 = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      const failed = new S3CallFailed(error);
      failure ??= failed;
      report("s3", error);
      abort.abort();
      throw failed;
    }
  };

  const sendPart = async (buffer: Buffer, length: number): Promise<void> => {
    uploadId ??= (await s3(() => client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }), { abortSignal: abort.signal }))).UploadId;
    const partNumber = parts.length + 1;
    const part: CompletedPart = { PartNumber: partNumber };
    parts.push(part);
    const sending = s3(() =>
      client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: buffer.subarray(0, length) }), {
        abortSignal: abort.signal,
      }),
    ).then(
      (answer) => {
        part.ETag = answer.ETag;
        pool.give(buffer);
      },
      () => undefined,
    );
    const tracked = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  /** A free buffer, waiting for an UploadPart to finish while all are in use. */
  const nextBuffer = async (): Promise<Buffer> => {
    for (;;) {
      if (failure) throw failure;
      const buffer = pool.take();
      if (buffer !== undefined) return buffer;
      await Promise.race(inFlight);
    }
  };

  try {
    // The first part's chunks are only kept until they fill a part: a small file is sent as they are, without a
    // part-sized buffer (whose external memory would count toward the next full garbage collection).
    const head: Uint8Array[] = [];
    let headBytes = 0;
    let current: Buffer | undefined;
    let filled = 0;
    try {
      for await (const chunk of source) {
        if (failure) throw failure;
        if (current === undefined) {
          if (headBytes + chunk.length <= options.partBytes) {
            head.push(chunk);
            headBytes += chunk.length;
            continue;
          }
          current = await nextBuffer();
          for (const kept of head) {
            current.set(kept, filled);
            filled += kept.length;
          }
          head.length = 0;
        }
        let offset = 0;
        while (offset < chunk.length) {
          // A full part is sent only once more bytes come, so a body of exactly one part is one PutObject.
          if (filled === options.partBytes) {
            await sendPart(current, filled);
            current = await nextBuffer();
            filled = 0;
          }
          const copied = Math.min(chunk.length - offset, options.partBytes - filled);
          current.set(chunk.subarray(offset, offset + copied), filled);
          filled += copied;
          offset += copied;
        }
      }
    } catch (error) {
      if (!(error instanceof S3CallFailed)) report("source", error);
      throw error;
    }
    if (failure) throw failure;
    if (current === undefined) {
      const body = head.length === 1 ? (head[0] as Uint8Array) : Buffer.concat(head);
      await s3(() => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }), { abortSignal: abort.signal }));
      return;
    }
    if (filled > 0) await sendPart(current, filled);
    await Promise.all(inFlight);
    if (failure) throw failure;
    await s3(() =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), { abortSignal: abort.signal }),
    );
  } catch (error) {
    abort.abort();
    await Promise.allSettled(inFlight);
    if (uploadId !== undefined) {
      // Best effort (S3 may be the side that failed): a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes
      // what is left; the store's stale-upload sweep covers only MLflow's multipart uploads, which have records.
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    }
    throw error instanceof S3CallFailed ? error.failure : error;
  }
};
