import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { streamToTempFile } from "./temp-file.js";

/**
 * A durable temporary file larger than several writeback steps (32 MiB): background data syncs run on the open
 * descriptor while the body still arrives. The bytes, size and digests must be exactly the source's, and a source that
 * fails midway (a sync possibly still running) leaves no file behind.
 */
const MIB = 1024 * 1024;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-temp-file-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 64 KiB chunks (what a socket delivers), each different from the last; throws after `failAfter` bytes if given. */
async function* body(total: number, failAfter?: number): AsyncGenerator<Buffer> {
  for (let offset = 0, index = 0; offset < total; offset += 64 * 1024, index += 1) {
    if (failAfter !== undefined && offset >= failAfter) throw new Error("client went away");
    yield Buffer.alloc(Math.min(64 * 1024, total - offset), index % 251);
  }
}

const digestOf = async (source: AsyncIterable<Buffer>, algorithm: string): Promise<string> => {
  const hash = createHash(algorithm);
  for await (const chunk of source) hash.update(chunk);
  return hash.digest("hex");
};

describe("streamToTempFile past the writeback step", () => {
  it("writes every byte of a 100 MiB body, fsynced, with its sha256 and md5", async () => {
    const total = 100 * MIB + 12_345;
    const temp = await streamToTempFile(body(total), dir, { md5: true });
    expect(temp.size).toBe(total);
    expect(temp.sha256).toBe(await digestOf(body(total), "sha256"));
    expect(temp.md5).toBe(await digestOf(body(total), "md5"));
    const written = await readFile(temp.path);
    expect(written.length).toBe(total);
    expect(createHash("sha256").update(written).digest("hex")).toBe(temp.sha256);
  });

  it("removes the file when the source fails after several steps", async () => {
    await expect(streamToTempFile(body(200 * MIB, 90 * MIB), dir)).rejects.toThrow("client went away");
    expect(await readdir(dir)).toEqual([]);
  });

  it("writes an unsynced file (no background syncs) the same way", async () => {
    const total = 40 * MIB;
    const temp = await streamToTempFile(body(total), dir, { sync: false });
    expect(temp.size).toBe(total);
    expect(temp.sha256).toBe(await digestOf(body(total), "sha256"));
  });
});
