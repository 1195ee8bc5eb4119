import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { compareManifest, DigestingStream, keyOfEntry, manifestDigest, type FileDigest } from "./file-manifest.js";

const a: FileDigest = { path: "MLmodel", size: 3, sha256: "a".repeat(64) };
const b: FileDigest = { path: "model.onnx", size: 5, sha256: "b".repeat(64) };

describe("file manifests", () => {
  it("finds no difference in the same files in another order", () => {
    expect(compareManifest([a, b], [b, a])).toBeUndefined();
  });

  it("names the first changed, missing or added file, in path order", () => {
    expect(compareManifest([a, b], [a, { ...b, sha256: "c".repeat(64) }])).toEqual({
      path: "model.onnx",
      problem: "changed",
      expected: { size: 5, sha256: "b".repeat(64) },
      actual: { size: 5, sha256: "c".repeat(64) },
    });
    expect(compareManifest([a, b], [{ ...a, size: 4 }, b])).toMatchObject({ path: "MLmodel", problem: "changed" });
    expect(compareManifest([a, b], [b])).toEqual({ path: "MLmodel", problem: "missing", expected: { size: 3, sha256: "a".repeat(64) } });
    expect(compareManifest([a], [a, b])).toEqual({ path: "model.onnx", problem: "added", actual: { size: 5, sha256: "b".repeat(64) } });
  });

  it("digests a manifest independently of file order, and differently for any change", () => {
    expect(manifestDigest([a, b])).toBe(manifestDigest([b, a]));
    expect(manifestDigest([a, b])).not.toBe(manifestDigest([a, { ...b, size: 6 }]));
    expect(manifestDigest([a, b])).toMatch(/^[0-9a-f]{64}$/);
  });

  it("hashes and counts the bytes that flow through a DigestingStream, passing them on unchanged", async () => {
    const meter = new DigestingStream();
    const seen: Buffer[] = [];
    await pipeline(Readable.from([Buffer.from("hello "), Buffer.from("world")]), meter, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) seen.push(chunk);
    });
    expect(Buffer.concat(seen).toString()).toBe("hello world");
    expect(meter.size).toBe(11);
    expect(meter.digest()).toBe(createHash("sha256").update("hello world").digest("hex"));
  });

  it("names a manifest entry's key: the root itself for a one-file root", () => {
    expect(keyOfEntry("0/r/artifacts/model", "sub/w.bin")).toBe("0/r/artifacts/model/sub/w.bin");
    expect(keyOfEntry("0/r/artifacts/model.onnx", "")).toBe("0/r/artifacts/model.onnx");
    expect(keyOfEntry("", "a.txt")).toBe("a.txt");
  });
});
