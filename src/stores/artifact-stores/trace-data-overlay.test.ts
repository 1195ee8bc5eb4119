import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ArtifactStore } from "../../artifacts/store.js";
import type { MetadataStores } from "../metadata-stores.js";
import { openSqliteMetadataStores } from "../sqlite/open-stores.js";
import { describeArtifactStoreContract } from "./artifact-store.contract.js";
import { openLocalArtifactStore } from "./local/index.js";
import { withTraceDataInDatabase } from "./trace-data-overlay.js";

const open = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-trace-overlay-"));
  const stores = await openSqliteMetadataStores(path.join(dir, "cairn.db"));
  const local = await openLocalArtifactStore(path.join(dir, "artifacts"));
  const store = withTraceDataInDatabase(local, stores.traces, { maxBytes: 1000, clock: () => 42 });
  return { dir, stores, store, close: async () => { await stores.close(); await rm(dir, { recursive: true, force: true }); } };
};

// Every other key behaves exactly as the store below.
describeArtifactStoreContract("local folder with trace data in the database", async () => {
  const subject = await open();
  return { store: subject.store, close: subject.close };
});

describe("traces.json kept with its trace", () => {
  const TID = "tr-0123456789abcdef0123456789abcdef";
  const KEY = `1/traces/${TID}/artifacts/traces.json`;
  let subject: Awaited<ReturnType<typeof open>>;
  let store: ArtifactStore;
  let stores: MetadataStores;
  const bytes = (text: string): Readable => Readable.from([Buffer.from(text)]);
  const text = async (key: string): Promise<string> => (await buffer((await store.read(key)).stream)).toString("utf8");

  beforeEach(async () => {
    subject = await open();
    ({ store, stores } = subject);
    await stores.tracking.createExperiment({ name: "e", defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], now: 1 });
    await stores.traces.upsertTrace({
      traceId: TID,
      experimentId: "1",
      requestTime: 1,
      state: "OK",
      metadata: {},
      tags: { "mlflow.artifactLocation": `mlflow-artifacts:/1/traces/${TID}/artifacts` },
    });
  });
  afterEach(async () => subject.close());

  it("writes, reads (whole and by range), stats, lists and replaces it in the database, not as a file", async () => {
    expect(await store.write(KEY, bytes('{"spans": [1]}'))).toEqual({ size: 14, sha256: createHash("sha256").update('{"spans": [1]}').digest("hex") });
    expect(await text(KEY)).toBe('{"spans": [1]}');
    expect((await buffer((await store.read(KEY, { start: 2, end: 6 })).stream)).toString()).toBe("spans");
    expect(await store.stat(KEY)).toEqual({ key: KEY, isDir: false, size: 14, modifiedAtMs: 42 });
    expect(await store.list(`1/traces/${TID}/artifacts`)).toEqual([{ key: KEY, isDir: false, size: 14 }]);
    expect(await store.list(`1/traces/${TID}`)).toEqual([{ key: `1/traces/${TID}/artifacts`, isDir: true }]);
    expect(await readdir(path.join(subject.dir, "artifacts"))).toEqual([".cairn-staging"]);
    await store.write(KEY, bytes("{}"));
    expect(await text(KEY)).toBe("{}");
    await expect(store.read(KEY, { start: 1, end: 5 })).rejects.toThrow(/outside/);
  });

  it("sends keys of unknown traces or of another location to the store below", async () => {
    const other = `2/traces/${TID}/artifacts/traces.json`;
    const unknown = "1/traces/tr-00000000000000000000000000000001/artifacts/traces.json";
    await store.write(other, bytes("file"));
    await store.write(unknown, bytes("file too"));
    expect(await text(other)).toBe("file");
    expect(await text(unknown)).toBe("file too");
    expect(await stores.traces.getTraceData(TID, `mlflow-artifacts:/1/traces/${TID}/artifacts`)).toBeUndefined();
    expect((await readdir(path.join(subject.dir, "artifacts"))).sort()).toEqual([".cairn-staging", "1", "2"]);
  });

  it("refuses more than its limit without keeping anything, and goes with the trace when deleted", async () => {
    await expect(store.write(KEY, bytes("x".repeat(1001)))).rejects.toThrow("exceeds the traces.json limit of 1000 bytes");
    expect(await store.stat(KEY)).toBeUndefined();
    await store.write(KEY, bytes("{}"));
    await store.delete(`1/traces/${TID}`);
    expect(await store.stat(KEY)).toBeUndefined();
    await store.write(KEY, bytes("{}"));
    expect(await stores.traces.deleteTraces({ experimentId: "1", traceIds: [TID] })).toBe(1);
    await expect(store.read(KEY)).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
  });
});
