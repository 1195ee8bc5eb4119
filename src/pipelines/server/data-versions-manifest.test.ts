import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ArtifactStore } from "../../artifacts/store.js";
import { openLocalArtifactStore } from "../../stores/artifact-stores/local/index.js";
import { manifestHash, serializeManifest } from "../data/dir-manifest.js";
import { DataObjectReader } from "./data-versions-manifest.js";
import { dataObjectKey } from "./data-object-key.js";

/** The server's data objects as the data version page reads them, over a real local artifact store. */
let dir: string;
let store: ArtifactStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-data-objects-"));
  store = await openLocalArtifactStore(dir);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const put = async (hash: string, bytes: Buffer | string): Promise<void> => {
  await store.write(dataObjectKey(hash), Readable.from([Buffer.from(bytes)]));
};
const ENTRIES = [
  { relpath: "a.csv", sha256: "1".repeat(64), size: 3 },
  { relpath: "sub/b.csv", sha256: "2".repeat(64), size: 4 },
];

describe("DataObjectReader", () => {
  it("keys objects as the cache does, under .cairn-data/", () => {
    expect(dataObjectKey(`${"ab".repeat(32)}.dir`)).toBe(`.cairn-data/files/sha256/ab/${"ab".repeat(31)}.dir`);
    expect(dataObjectKey("cd".repeat(32))).toBe(`.cairn-data/files/sha256/cd/${"cd".repeat(31)}`);
  });

  it("reads a stored manifest once and keeps it (content-addressed), and sizes a stored file", async () => {
    const bytes = serializeManifest(ENTRIES);
    const hash = manifestHash(bytes);
    await put(hash, bytes);
    const reader = new DataObjectReader(store);
    expect(await reader.manifest(hash)).toEqual({ state: "ok", entries: ENTRIES });
    await store.delete(dataObjectKey(hash));
    expect(await reader.manifest(hash)).toEqual({ state: "ok", entries: ENTRIES });
    expect(await new DataObjectReader(store).manifest(hash)).toEqual({ state: "absent" });
    const file = createHash("sha256").update("abc").digest("hex");
    await put(file, "abc");
    expect(await reader.objectSize(file)).toBe(3);
    expect(await reader.objectSize("9".repeat(64))).toBeUndefined();
  });

  it("never lists a manifest whose bytes do not hash to its name, that does not parse, or that is too large", async () => {
    const reader = new DataObjectReader(store, 300);
    const wrongName = `${"c".repeat(64)}.dir`;
    await put(wrongName, serializeManifest(ENTRIES));
    expect(await reader.manifest(wrongName)).toEqual({ state: "invalid" });
    const notAManifest = Buffer.from('[{"relpath":"../x","sha256":"' + "1".repeat(64) + '","size":1}]');
    const unsafe = manifestHash(notAManifest);
    await put(unsafe, notAManifest);
    expect(await reader.manifest(unsafe)).toEqual({ state: "invalid" });
    const big = serializeManifest(Array.from({ length: 5 }, (_, i) => ({ relpath: `f${i}.csv`, sha256: "3".repeat(64), size: i })));
    const bigHash = manifestHash(big);
    await put(bigHash, big);
    expect(await reader.manifest(bigHash)).toEqual({ state: "too-large" });
    expect(await new DataObjectReader(store).manifest(bigHash)).toMatchObject({ state: "ok" });
  });
});
