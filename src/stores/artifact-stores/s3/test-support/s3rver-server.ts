import type { Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { S3Settings } from "../../../../core/s3-settings.js";
import { s3rverGaps, type KoaLikeMiddleware } from "./s3rver-gaps.js";

/**
 * A real S3 protocol server on loopback for tests and benchmarks: npm `s3rver` (path-style, credentials
 * S3RVER/S3RVER, objects kept in a temporary folder), on a random port, with a bucket created. `stop()` and
 * `restart()` take it away and bring it back on the same port with the same objects, to test outages.
 * s3rver covers most of what the store uses (PutObject, multipart, DeleteObjects, ranged GetObject); what it lacks
 * (ListObjectsV2 continuation, ListParts, AbortMultipartUpload) is served in front of it by s3rver-gaps.ts, and the
 * client computes flexible checksums only where S3 requires them (see s3-client.ts), which s3rver needs too.
 */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
  /** Koa's middleware list, composed when the server starts listening. */
  middleware: KoaLikeMiddleware[];
  store: Parameters<typeof s3rverGaps>[1];
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

export interface TestS3Server {
  endpoint: string;
  port: number;
  bucket: string;
  /** Settings for the store: this endpoint, S3RVER/S3RVER. */
  settings: S3Settings;
  /** The folder s3rver keeps the objects in. */
  dir: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

const loadS3rver = async (): Promise<S3rverConstructor> => {
  const loaded = await import("s3rver");
  return loaded.default as S3rverConstructor;
};

export const startS3rver = async (options: { bucket?: string; extraBuckets?: string[] } = {}): Promise<TestS3Server> => {
  const S3rver = await loadS3rver();
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-s3rver-"));
  const bucket = options.bucket ?? "cairn-test";
  const buckets = [bucket, ...(options.extraBuckets ?? [])].map((name) => ({ name }));
  let instance: S3rverInstance | undefined;
  let port = 0;
  const run = async (): Promise<void> => {
    const server = new S3rver({ address: "127.0.0.1", port, silent: true, directory: dir, configureBuckets: buckets, resetOnClose: false });
    // First in line: before s3rver's own router answers these requests with errors.
    server.middleware.unshift(s3rverGaps(dir, server.store));
    const address = await server.run();
    port = address.port;
    instance = server;
  };
  const stop = async (): Promise<void> => {
    const running = instance;
    instance = undefined;
    if (!running) return;
    // Keep-alive sockets of the SDK would hold close() open; an outage drops them anyway.
    const closing = running.close();
    running.httpServer?.closeAllConnections();
    await closing;
  };
  await run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket,
    dir,
    settings: { endpointUrl: endpoint, region: "us-east-1", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } },
    stop,
    restart: run,
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
