import { createHash } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, ListPartsCommand, type S3Client } from "@aws-sdk/client-s3";
import { buffer } from "node:stream/consumers";
import type { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createS3Client } from "./s3-client.js";
import { streamedUpload } from "./s3-streamed-upload.js";
import { startS3rver, type TestS3Server } from "./test-support/s3rver-server.js";

const MIB = 1024 * 1024;
/** S3's smallest part but the last. */
const PART = 5 * MIB;

let s3: TestS3Server;
let client: S3Client;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => s3.close());
beforeEach(() => {
  client = createS3Client(s3.settings, { maxAttempts: 1 });
});
afterEach(() => client.destroy());

/** Deterministic bytes, in chunks of odd sizes that straddle the part boundaries. */
const pattern = (size: number): Buffer => {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index += 1) bytes[index] = (index * 131 + (index >> 12)) & 0xff;
  return bytes;
};
async function* chunked(bytes: Buffer, chunk = 300_007): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += chunk) yield bytes.subarray(offset, Math.min(offset + chunk, bytes.length));
}

const stored = async (key: string): Promise<Buffer> =>
  buffer((await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body as Readable);

/** Runs `before` ahead of every request of the given command, as S3 would answer late or fail it. */
const intercept = (name: string, before: (partNumber: number) => Promise<void>): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === name) await before(Number((args.input as { PartNumber?: number }).PartNumber ?? 0));
      return next(args);
    },
    { step: "initialize", name: `intercept${name}` },
  );
};

describe("streamedUpload (s3rver)", () => {
  it("stores a body of several parts byte for byte, the last part short", async () => {
    const sizes: number[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "UploadPartCommand") sizes.push((args.input as { Body: Buffer }).Body.length);
        return next(args);
      },
      { step: "initialize", name: "partSizes" },
    );
    const bytes = pattern(3 * PART + 12_345);
    await streamedUpload({ client, bucket: s3.bucket, key: "multi.bin" }, chunked(bytes), { partBytes: PART, queue: 2 });
    const back = await stored("multi.bin");
    expect(back.length).toBe(bytes.length);
    expect(createHash("sha256").update(back).digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(sizes).toEqual([PART, PART, PART, 12_345]);
  });

  it("stores a body of exactly one part, and an empty one, as a single PutObject", async () => {
    intercept("CreateMultipartUploadCommand", () => Promise.reject(new Error("no multipart upload expected")));
    const bytes = pattern(PART);
    await streamedUpload({ client, bucket: s3.bucket, key: "one.bin" }, chunked(bytes), { partBytes: PART, queue: 2 });
    expect((await stored("one.bin")).equals(bytes)).toBe(true);
    await streamedUpload({ client, bucket: s3.bucket, key: "empty.bin" }, chunked(Buffer.alloc(0)), { partBytes: PART, queue: 2 });
    expect((await stored("empty.bin")).length).toBe(0);
  });

  it("reads the source no further ahead than (queue + 1) parts while S3 is slow", async () => {
    const queue = 2;
    let pulled = 0;
    let mostAhead = 0;
    let acknowledged = 0;
    intercept("UploadPartCommand", async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const answer = await next(args);
        if (context.commandName === "UploadPartCommand") acknowledged += PART;
        return answer;
      },
      { step: "initialize", name: "countAcknowledged", priority: "high" },
    );
    const bytes = pattern(8 * PART);
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of chunked(bytes, MIB)) {
        pulled += chunk.length;
        mostAhead = Math.max(mostAhead, pulled - acknowledged);
        yield chunk;
      }
    }
    await streamedUpload({ client, bucket: s3.bucket, key: "slow.bin" }, counted(), { partBytes: PART, queue });
    expect(pulled).toBe(bytes.length);
    expect(createHash("sha256").update(await stored("slow.bin")).digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
    // Bytes read but not yet stored by S3: at most the pool's buffers plus the chunk being copied.
    expect(mostAhead).toBeLessThanOrEqual((queue + 1) * PART + MIB);
    expect(mostAhead).toBeGreaterThan(queue * PART);
  }, 30_000);

  it("fails when an UploadPart fails mid-way: stops reading the source, aborts the multipart upload, stores nothing", async () => {
    let uploadId: string | undefined;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const answer = await next(args);
        if (context.commandName === "CreateMultipartUploadCommand") uploadId = (answer.output as { UploadId?: string }).UploadId;
        return answer;
      },
      { step: "initialize", name: "captureUploadId" },
    );
    intercept("UploadPartCommand", (partNumber) => (partNumber === 3 ? Promise.reject(Object.assign(new Error("S3 is down"), { name: "InternalError" })) : Promise.resolve()));
    let pulled = 0;
    const sides: string[] = [];
    async function* endless(): AsyncGenerator<Uint8Array> {
      const chunk = Buffer.alloc(MIB, 1);
      for (;;) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    const error = await streamedUpload({ client, bucket: s3.bucket, key: "failed.bin" }, endless(), {
      partBytes: PART,
      queue: 2,
      onFailure: (side) => sides.push(side),
    }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe("S3 is down");
    expect(sides).toEqual(["s3"]);
    // Reading stopped: the part that failed was the third, so little more than the pool was ever read.
    expect(pulled).toBeLessThanOrEqual(5 * PART);
    expect(uploadId).toBeDefined();
    const parts = await client.send(new ListPartsCommand({ Bucket: s3.bucket, Key: "failed.bin", UploadId: uploadId })).catch((caught: unknown) => caught);
    expect((parts as { name?: string }).name).toBe("NoSuchUpload");
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "failed.bin" })).catch((caught: unknown) => caught);
    expect((head as { name?: string }).name).toBe("NotFound");
  });

  it("reports a failing source as the source's failure and aborts the multipart upload", async () => {
    const sides: string[] = [];
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield* chunked(pattern(2 * PART + 1));
      throw new Error("client went away");
    }
    const error = await streamedUpload({ client, bucket: s3.bucket, key: "broken.bin" }, broken(), {
      partBytes: PART,
      queue: 2,
      onFailure: (side) => sides.push(side),
    }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe("client went away");
    expect(sides).toEqual(["source"]);
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "broken.bin" })).catch((caught: unknown) => caught);
    expect((head as { name?: string }).name).toBe("NotFound");
  });
});
