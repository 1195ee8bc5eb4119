import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CairnError } from "../../../core/errors.js";
import type { ArtifactStore } from "../../../artifacts/store.js";
import { describeArtifactStoreContract } from "../artifact-store.contract.js";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createS3Client } from "./s3-client.js";
import { openS3ArtifactStore, S3_STAGING_DIR_NAME } from "./index.js";
import { startS3rver, type TestS3Server } from "./test-support/s3rver-server.js";

let s3: TestS3Server;
let counter = 0;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => s3.close());

/** A fresh prefix per test: the stores share one bucket. */
const openFresh = async (): Promise<{ store: ArtifactStore; prefix: string; close: () => Promise<void> }> => {
  const staging = await mkdtemp(path.join(tmpdir(), "cairn-s3-staging-"));
  counter += 1;
  const prefix = `t${counter}/artifacts`;
  const store = await openS3ArtifactStore({ bucket: s3.bucket, prefix }, { settings: s3.settings, stagingDir: staging });
  return { store, prefix, close: () => rm(staging, { recursive: true, force: true }) };
};

describeArtifactStoreContract("S3 (s3rver)", openFresh);

const bytes = (text: string): Readable => Readable.from([Buffer.from(text)]);

describe("S3 specifics", () => {
  let subject: Awaited<ReturnType<typeof openFresh>>;
  beforeEach(async () => {
    subject = await openFresh();
  });
  afterEach(async () => subject.close());

  it("lists a folder of more than one page (ListObjectsV2 continuation) and deletes it in batches", async () => {
    const { store, prefix } = subject;
    const names = Array.from({ length: 1205 }, (_, index) => `f${String(index).padStart(4, "0")}.txt`);
    // Put straight into the bucket: the store's per-write checks list the prefix, which s3rver does by walking its folder.
    const client = createS3Client(s3.settings);
    for (let index = 0; index < names.length; index += 50) {
      await Promise.all(
        names.slice(index, index + 50).map((name) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/big/${name}`, Body: "x" }))),
      );
    }
    client.destroy();
    const listed = await store.list("big");
    expect(listed.length).toBe(1205);
    expect(listed[0]).toEqual({ key: "big/f0000.txt", isDir: false, size: 1 });
    expect(listed[1204]).toEqual({ key: "big/f1204.txt", isDir: false, size: 1 });
    await store.delete("big");
    expect(await store.list("big")).toEqual([]);
    expect(await store.stat("big")).toBeUndefined();
  }, 120_000);

  it("keeps multipart records out of listings and out of reach", async () => {
    const { store } = subject;
    await store.createMultipartUpload("m/a.bin");
    expect(await store.list("")).toEqual([]);
    await expect(store.list(S3_STAGING_DIR_NAME)).rejects.toThrow("is reserved by the server");
    await expect(store.read(`${S3_STAGING_DIR_NAME}/uploads/x.json`)).rejects.toThrow("is reserved by the server");
  });

  it("streams a multi-part write (larger than one 8 MiB part) and reads ranges of it back", async () => {
    const { store } = subject;
    const chunk = Buffer.alloc(1024 * 1024);
    for (let index = 0; index < chunk.length; index += 1) chunk[index] = index % 251;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let index = 0; index < 20; index += 1) yield chunk;
    }
    const written = await store.write("large.bin", source());
    expect(written.size).toBe(20 * 1024 * 1024);
    const tail = await store.read("large.bin", { start: 20 * 1024 * 1024 - 3, end: 20 * 1024 * 1024 - 1 });
    expect(tail.size).toBe(20 * 1024 * 1024);
    expect([...(await buffer(tail.stream))]).toEqual([...chunk.subarray(chunk.length - 3)]);
  }, 60_000);

  it("aborts multipart uploads idle past the cut-off and keeps fresh ones", async () => {
    const staging = await mkdtemp(path.join(tmpdir(), "cairn-s3-staging-"));
    try {
      const store = await openS3ArtifactStore({ bucket: s3.bucket, prefix: subject.prefix }, { settings: s3.settings, stagingDir: staging });
      const old = await store.createMultipartUpload("m/old.bin");
      await store.uploadPart("m/old.bin", old.uploadId, 1, bytes("a"));
      const fresh = await store.createMultipartUpload("m/fresh.bin");
      // With "now" two minutes ahead, both records are past a one-minute cut-off.
      expect(await store.removeStaleUploads(60_000, Date.now() + 120_000)).toBe(2);
      expect(await store.removeStaleUploads(60_000)).toBe(0);
      await expect(store.uploadPart("m/old.bin", old.uploadId, 2, bytes("b"))).rejects.toThrow("does not exist");
      await expect(store.abortMultipartUpload("m/fresh.bin", fresh.uploadId)).rejects.toThrow("does not exist");
      const kept = await store.createMultipartUpload("m/kept.bin");
      expect(await store.removeStaleUploads(60_000)).toBe(0);
      await store.abortMultipartUpload("m/kept.bin", kept.uploadId);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });

  it("answers TEMPORARILY_UNAVAILABLE while S3 is down, after bounded retries, and recovers without reopening", async () => {
    const { store } = subject;
    await store.write("kept.txt", bytes("kept"));
    await s3.stop();
    try {
      const outcomes = await Promise.allSettled([store.write("lost.txt", bytes("x")), store.read("kept.txt"), store.list(""), store.stat("kept.txt")]);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe("rejected");
        const error = (outcome as PromiseRejectedResult).reason as CairnError;
        expect(error).toBeInstanceOf(CairnError);
        expect(error.code).toBe("TEMPORARILY_UNAVAILABLE");
        expect(error.message).toMatch(/^The artifact store \(S3\) is unavailable: \w+ failed/);
      }
    } finally {
      await s3.restart();
    }
    expect((await buffer((await store.read("kept.txt")).stream)).toString()).toBe("kept");
    expect(await store.stat("lost.txt")).toBeUndefined();
    await store.write("after.txt", bytes("after"));
    expect(await store.list("")).toEqual([
      { key: "after.txt", isDir: false, size: 5 },
      { key: "kept.txt", isDir: false, size: 4 },
    ]);
  });

  it("fails a large write cleanly when S3 goes away in the middle of it (no hang, nothing stored)", async () => {
    const { store } = subject;
    const chunk = Buffer.alloc(1024 * 1024, 7);
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let index = 0; index < 64; index += 1) {
        if (index === 20) await s3.stop();
        yield chunk;
      }
    }
    try {
      const error = await store.write("half.bin", source()).catch((caught: unknown) => caught);
      expect((error as CairnError).code).toBe("TEMPORARILY_UNAVAILABLE");
    } finally {
      await s3.restart();
    }
    expect(await store.stat("half.bin")).toBeUndefined();
  }, 60_000);

  it("refuses at open a missing bucket, wrong credentials and an unreachable endpoint, naming the cause without the secret", async () => {
    const staging = await mkdtemp(path.join(tmpdir(), "cairn-s3-staging-"));
    try {
      await expect(openS3ArtifactStore({ bucket: "no-such-bucket", prefix: "" }, { settings: s3.settings, stagingDir: staging })).rejects.toThrow(
        "--artifacts-destination s3://no-such-bucket: bucket 'no-such-bucket' does not exist.",
      );
      // s3rver checks the access key id only (it does not compute SigV4 signatures).
      const wrong = { ...s3.settings, credentials: { accessKeyId: "WRONG", secretAccessKey: "not-the-secret" } };
      const denied = await openS3ArtifactStore({ bucket: s3.bucket, prefix: "p" }, { settings: wrong, stagingDir: staging }).catch((error: unknown) => error);
      expect(denied).toBeInstanceOf(CairnError);
      expect((denied as CairnError).message).toContain("access to bucket 'cairn-test' was denied");
      expect((denied as CairnError).message).not.toContain("not-the-secret");
      const nowhere = { ...s3.settings, endpointUrl: "http://127.0.0.1:1" };
      const unreachable = await openS3ArtifactStore({ bucket: s3.bucket, prefix: "p" }, { settings: nowhere, stagingDir: staging, tuning: { maxAttempts: 1 } }).catch(
        (error: unknown) => error,
      );
      expect((unreachable as CairnError).message).toContain("the S3 endpoint could not be reached");
      expect((unreachable as CairnError).message).not.toContain("S3RVER\"");
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
});
