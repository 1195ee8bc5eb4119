import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { authorizationOf, type ClientCredentials } from "../../sdk/credentials.js";
import { CairnApiError } from "../../sdk/errors.js";
import { HttpTransport } from "../../sdk/transport.js";
import { ObjectNotOnRemote, type Remote } from "./remote.js";
import { receiveVerified } from "./receive.js";

/** The server's limit per objects/missing call. */
export const MISSING_BATCH = 10_000;
/** Files up to this size are sent from memory (one fetch, retried as is); larger ones stream from disk. */
const IN_MEMORY_UPLOAD_BYTES = 4 * 1024 * 1024;
const DATA_PREFIX = "/api/2.0/cairn/data";

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

  /** Every data-version hash the server's runs and registered models reference (paged), for `cairn gc`. */
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
