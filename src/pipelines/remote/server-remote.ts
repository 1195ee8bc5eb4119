import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { authorizationOf, type ClientCredentials } from "../../sdk/credentials.js";
import { CairnApiError } from "../../sdk/errors.js";
import { HttpTransport } from "../../sdk/transport.js";
import { createHash } from "node:crypto";
import { PipelineError } from "../errors.js";
import { hexOf } from "../data/hash-info.js";
import { frameHeader, MAX_BATCH_OBJECT_BYTES, readFrames } from "../server/batch-frames.js";
import { forEachLimit } from "./pool.js";
import { ObjectNotOnRemote, type DownloadItem, type ItemFailure, type Remote, type UploadItem } from "./remote.js";
import { placeVerifiedBytes, receiveVerified } from "./receive.js";

/** The server's limit per objects/missing call. */
export const MISSING_BATCH = 10_000;
/** Files up to this size are sent from memory (one fetch, retried as is); larger ones stream from disk. */
const IN_MEMORY_UPLOAD_BYTES = 4 * 1024 * 1024;
const DATA_PREFIX = "/api/2.0/cairn/data";
/** Objects up to this size travel in batches; a batch holds at most BATCH_COUNT objects and about BATCH_BYTES. */
const BATCH_OBJECT_BYTES = 1024 * 1024;
const BATCH_COUNT = 100;
const BATCH_BYTES = 8 * 1024 * 1024;
const DOWNLOAD_BATCH = 100;

const batchesOf = <T extends { size: number }>(items: readonly T[]): T[][] => {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= BATCH_COUNT || bytes + item.size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
};

export interface ServerRemoteOptions {
  /** The server's base URL (http or https). */
  url: string;
  label: string;
  /** Explicit credentials (else MLFLOW_TRACKING_USERNAME/PASSWORD/TOKEN, as the SDK). */
  credentials?: ClientCredentials;
  /** The declared user for a server without --auth (x-cairn-user), as the CLI sends it. */
  user?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A Cairn server's data objects (`/api/2.0/cairn/data/…`), through the SDK's transport: the same credentials,
 * retries and error shapes as every other client call. Connections are kept alive by Node's fetch (undici's pool)
 * and by the global http agent for streamed uploads, so thousands of small transfers reuse a few sockets.
 */
export class ServerRemote implements Remote {
  readonly label: string;
  private readonly http: HttpTransport;

  constructor(options: ServerRemoteOptions) {
    this.label = options.label;
    const authorization = authorizationOf(options.credentials ?? {}, options.env ?? process.env);
    const user = options.user?.trim();
    this.http = new HttpTransport({
      trackingUri: options.url,
      headers: { ...(authorization === undefined ? {} : { authorization }), ...(user ? { "x-cairn-user": user } : {}) },
      retry: { retries: 3, minDelayMs: 100, maxDelayMs: 1000 },
    });
  }

  async missing(hashes: readonly string[]): Promise<string[]> {
    const unique = [...new Set(hashes)];
    const missing: string[] = [];
    for (let start = 0; start < unique.length; start += MISSING_BATCH) {
      const answer = await this.http.callCairn<{ missing?: string[] }>("POST", "data/objects/missing", { hashes: unique.slice(start, start + MISSING_BATCH) });
      missing.push(...(answer.missing ?? []));
    }
    return missing;
  }

  async upload(hash: string, file: string): Promise<void> {
    const size = (await stat(file)).size;
    const small = size <= IN_MEMORY_UPLOAD_BYTES ? await readFile(file) : undefined;
    const response = await this.http.send({
      method: "PUT",
      path: `${DATA_PREFIX}/objects/sha256/${hash}`,
      body: () => ({
        body: small ?? createReadStream(file),
        headers: { "content-type": "application/octet-stream", "content-length": String(size) },
      }),
    });
    await response.body?.cancel();
  }

  async download(hash: string, destFile: string): Promise<void> {
    let response: Response;
    try {
      response = await this.http.send({ method: "GET", path: `${DATA_PREFIX}/objects/sha256/${hash}` });
    } catch (error) {
      if (error instanceof CairnApiError && error.status === 404) throw new ObjectNotOnRemote(hash, this.label);
      throw error;
    }
    if (response.body === null) throw new ObjectNotOnRemote(hash, this.label);
    const body = response.body as unknown as WebReadableStream<Uint8Array>;
    await receiveVerified(hash, () => Readable.fromWeb(body), destFile, `remote '${this.label}'`);
  }

  /**
   * Small objects travel in batches (see src/pipelines/server/batch-frames.ts): each batch is read from the cache,
   * checked (a corrupted cache object is refused here, so it cannot fail the batch), and sent in one request; larger
   * objects go one by one. Batches run `jobs` at a time.
   */
  async uploadMany(items: readonly UploadItem[], jobs: number): Promise<ItemFailure[]> {
    const failures: ItemFailure[] = [];
    const large: UploadItem[] = [];
    const small: Array<UploadItem & { size: number }> = [];
    await forEachLimit(items, 32, async (item) => {
      try {
        const size = (await stat(item.file)).size;
        if (size <= BATCH_OBJECT_BYTES) small.push({ ...item, size });
        else large.push(item);
      } catch (error) {
        failures.push({ hash: item.hash, error });
      }
    });
    const batches = batchesOf(small);
    const sendBatch = async (batch: ReadonlyArray<UploadItem & { size: number }>): Promise<void> => {
      const parts: Buffer[] = [];
      const sent: string[] = [];
      for (const item of batch) {
        try {
          const bytes = await readFile(item.file);
          const actual = createHash("sha256").update(bytes).digest("hex");
          if (actual !== hexOf(item.hash)) throw new PipelineError(`cache object ${item.hash} is corrupted (its bytes hash to ${actual}); not sent`, { file: item.file });
          parts.push(frameHeader(item.hash, bytes.length), bytes);
          sent.push(item.hash);
        } catch (error) {
          failures.push({ hash: item.hash, error });
        }
      }
      if (sent.length === 0) return;
      const body = Buffer.concat(parts);
      try {
        const response = await this.http.send({
          method: "POST",
          path: `${DATA_PREFIX}/objects/batch-upload`,
          body: () => ({ body, headers: { "content-type": "application/octet-stream" } }),
        });
        await response.body?.cancel();
      } catch (error) {
        for (const hash of sent) failures.push({ hash, error });
      }
    };
    const [batchFailures, largeFailures] = await Promise.all([
      forEachLimit(batches, jobs, sendBatch),
      forEachLimit(large, Math.max(1, Math.floor(jobs / 2)), (item) => this.upload(item.hash, item.file)),
    ]);
    for (const { item, error } of largeFailures) failures.push({ hash: item.hash, error });
    for (const { item, error } of batchFailures) for (const entry of item) failures.push({ hash: entry.hash, error });
    return failures;
  }

  /** Objects asked for in batches of hashes; each frame is verified and placed as download() does. */
  async downloadMany(items: readonly DownloadItem[], jobs: number): Promise<ItemFailure[]> {
    const failures: ItemFailure[] = [];
    const batches: DownloadItem[][] = [];
    for (let start = 0; start < items.length; start += DOWNLOAD_BATCH) batches.push(items.slice(start, start + DOWNLOAD_BATCH));
    const fetchBatch = async (batch: readonly DownloadItem[]): Promise<void> => {
      const destOf = new Map(batch.map((item) => [item.hash, item.destFile]));
      const pending = new Set(destOf.keys());
      try {
        const response = await this.http.send({
          method: "POST",
          path: `${DATA_PREFIX}/objects/batch-download`,
          body: () => ({ body: JSON.stringify({ hashes: [...destOf.keys()] }), headers: { "content-type": "application/json" } }),
        });
        if (response.body === null) throw new Error("empty answer");
        const body = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
        for await (const frame of readFrames(body, { maxObjectBytes: MAX_BATCH_OBJECT_BYTES, maxObjects: batch.length, allowAbsent: true })) {
          const dest = destOf.get(frame.hash);
          if (dest === undefined || !pending.has(frame.hash)) throw new PipelineError(`remote '${this.label}' sent object ${frame.hash}, which was not asked for`);
          pending.delete(frame.hash);
          if (frame.bytes === undefined) {
            failures.push({ hash: frame.hash, error: new ObjectNotOnRemote(frame.hash, this.label) });
            continue;
          }
          const bytes = frame.bytes;
          try {
            placeVerifiedBytes(frame.hash, bytes, dest, `remote '${this.label}'`);
          } catch (error) {
            failures.push({ hash: frame.hash, error });
          }
        }
      } catch (error) {
        for (const hash of pending) failures.push({ hash, error });
        return;
      }
      for (const hash of pending) failures.push({ hash, error: new PipelineError(`remote '${this.label}' did not send object ${hash}`) });
    };
    await forEachLimit(batches, jobs, fetchBatch);
    return failures;
  }

  /** Every data-version hash the server's runs and registered models reference (paged), for `cairn cache gc`. */
  async references(): Promise<string[]> {
    const hashes: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.http.callCairn<{ hashes?: string[]; next_page_token?: string }>("GET", "data/references", {
        max_results: 10_000,
        ...(pageToken === undefined ? {} : { page_token: pageToken }),
      });
      hashes.push(...(page.hashes ?? []));
      pageToken = page.next_page_token;
    } while (pageToken !== undefined && pageToken !== "");
    return hashes;
  }

  async close(): Promise<void> {}
}
