import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHarness, type ArtifactHarness } from "./test-support/artifact-app.js";

/**
 * Streaming both ways over a real socket: a 1 GiB artifact generated on the fly is uploaded and downloaded while
 * the process's RSS is sampled; neither direction may buffer the file. (Client and server share this process, so
 * the bound covers both.) Content is checked by SHA-256 computed on the generator side and on the received side.
 */
const SIZE = 1024 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const RSS_GROWTH_LIMIT = 150 * 1024 * 1024;

/** Deterministic, chunk-varying content without allocating per chunk beyond one reusable buffer per chunk. */
function* generated(total: number, hash: ReturnType<typeof createHash>): Generator<Buffer> {
  const pattern = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i += 1) pattern[i] = (i * 31 + 7) & 0xff;
  for (let offset = 0, index = 0; offset < total; offset += CHUNK, index += 1) {
    const chunk = Buffer.from(pattern.subarray(0, Math.min(CHUNK, total - offset)));
    chunk.writeUInt32BE(index, 0);
    hash.update(chunk);
    yield chunk;
  }
}

const sampler = () => {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 25);
  return {
    stop: (): number => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return peak - baseline;
    },
  };
};

const waitFor = async (check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe("artifact streaming over a real server", () => {
  let h: ArtifactHarness;
  let port: number;
  beforeAll(async () => {
    h = await openHarness();
    const address = new URL(await h.app.listen({ host: "127.0.0.1", port: 0 }));
    port = Number(address.port);
  });
  afterAll(() => h.close());

  const upload = (urlPath: string, size: number, hash: ReturnType<typeof createHash>): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({
        host: "127.0.0.1",
        port,
        method: "PUT",
        path: urlPath,
        headers: { "content-type": "application/octet-stream", "content-length": String(size) },
      });
      req.on("response", resolve);
      req.on("error", reject);
      const source = generated(size, hash);
      const pump = (): void => {
        for (;;) {
          const next = source.next();
          if (next.done) {
            req.end();
            return;
          }
          if (!req.write(next.value)) {
            req.once("drain", pump);
            return;
          }
        }
      };
      pump();
    });

  it("uploads and downloads 1 GiB with bounded memory and identical SHA-256", async () => {
    const sent = createHash("sha256");
    const memory = sampler();
    const uploaded = await upload("/api/2.0/mlflow-artifacts/artifacts/big/blob.bin", SIZE, sent);
    uploaded.resume();
    expect(uploaded.statusCode).toBe(200);
    expect((await stat(path.join(h.root, "big", "blob.bin"))).size).toBe(SIZE);

    const received = createHash("sha256");
    let receivedBytes = 0;
    const downloaded = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest({ host: "127.0.0.1", port, method: "GET", path: "/api/2.0/mlflow-artifacts/artifacts/big/blob.bin" }, resolve)
        .on("error", reject)
        .end();
    });
    expect(downloaded.statusCode).toBe(200);
    expect(downloaded.headers["content-length"]).toBe(String(SIZE));
    for await (const chunk of downloaded) {
      received.update(chunk as Buffer);
      receivedBytes += (chunk as Buffer).length;
    }
    const growth = memory.stop();
    expect(receivedBytes).toBe(SIZE);
    expect(received.digest("hex")).toBe(sent.digest("hex"));
    expect(growth).toBeLessThan(RSS_GROWTH_LIMIT);
  }, 120_000);

  it("leaves no partial file when the client disconnects mid-upload", async () => {
    const tmp = path.join(h.root, ".cairn-staging", "tmp");
    const req = httpRequest({
      host: "127.0.0.1",
      port,
      method: "PUT",
      path: "/api/2.0/mlflow-artifacts/artifacts/aborted/half.bin",
      headers: { "content-type": "application/octet-stream", "content-length": String(64 * CHUNK) },
    });
    req.on("error", () => undefined);
    const chunk = Buffer.alloc(CHUNK, 7);
    for (let i = 0; i < 8; i += 1) req.write(chunk);
    // Wait until the server is writing the temporary file, then vanish.
    await waitFor(async () => (await readdir(tmp)).length > 0);
    req.destroy();
    await waitFor(async () => (await readdir(tmp)).length === 0);
    expect(await readdir(h.root)).toEqual([".cairn-staging", "big"]);
    await expect(stat(path.join(h.root, "aborted", "half.bin"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
