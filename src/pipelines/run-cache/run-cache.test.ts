import { mkdtemp, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCacheKeyPath } from "../data/cache-layout.js";
import type { LockStage } from "../lock/lock-file.js";
import { canonicalJson, runCacheKey } from "./run-cache-key.js";
import { readRunCacheEntry, writeRunCacheEntry } from "./run-cache-store.js";

const stage: LockStage = {
  cmd: "node train.mjs",
  deps: [
    { path: "b.csv", hash: "b".repeat(64), size: 1 },
    { path: "a.csv", hash: "a".repeat(64), size: 2 },
  ],
  params: { "params.yaml": { train: { lr: 0.1, epochs: 3 } } },
  outs: [{ path: "model", hash: `${"c".repeat(64)}.dir`, size: 5, nfiles: 2 }],
};

describe("run cache key", () => {
  it("is canonical: key order, dep order and sizes do not matter; cmd, hashes and params do", () => {
    expect(canonicalJson({ b: [1, { d: 2, c: null }], a: "x", u: undefined })).toBe('{"a":"x","b":[1,{"c":null,"d":2}]}');
    const key = runCacheKey(stage);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const reordered: LockStage = {
      ...stage,
      deps: [
        { path: "a.csv", hash: "a".repeat(64), size: 99 },
        { path: "b.csv", hash: "b".repeat(64), size: 1 },
      ],
      params: { "params.yaml": { train: { epochs: 3, lr: 0.1 } } },
    };
    expect(runCacheKey(reordered)).toBe(key);
    expect(runCacheKey({ ...stage, cmd: "node train.mjs --x" })).not.toBe(key);
    expect(runCacheKey({ ...stage, params: { "params.yaml": { train: { lr: 0.2, epochs: 3 } } } })).not.toBe(key);
    expect(runCacheKey({ ...stage, deps: [{ path: "a.csv", hash: "d".repeat(64), size: 2 }, stage.deps[0]!] })).not.toBe(key);
  });
});

describe("run cache store", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-run-cache-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes an entry atomically and reads it back; a missing or damaged entry reads as none", async () => {
    const cache = path.join(dir, "cache");
    const tmp = path.join(dir, "tmp");
    const key = runCacheKey(stage);
    expect(await readRunCacheEntry(cache, key, "train")).toBeUndefined();
    await writeRunCacheEntry(cache, tmp, key, { stage, runId: "f".repeat(32) });
    expect(await readRunCacheEntry(cache, key, "train")).toEqual({ stage, runId: "f".repeat(32) });
    await writeRunCacheEntry(cache, tmp, key, { stage });
    expect(await readRunCacheEntry(cache, key, "train")).toEqual({ stage });
    expect(await readdir(tmp)).toEqual([]);

    const other = "0".repeat(64);
    await mkdir(path.dirname(runCacheKeyPath(cache, other)), { recursive: true });
    await writeFile(runCacheKeyPath(cache, other), "stage:\n  cmd: x\n  outs:\n  - path: m\n    sha256: nothex\n    size: 1\n");
    expect(await readRunCacheEntry(cache, other, "train")).toBeUndefined();
  });
});
