import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrateArtifactsCommand } from "../cli/commands/artifacts-migrate.js";
import { openLocalArtifactStore } from "../stores/artifact-stores/local/index.js";
import { openS3ArtifactStore } from "../stores/artifact-stores/s3/index.js";
import { startS3rver, type TestS3Server } from "../stores/artifact-stores/s3/test-support/s3rver-server.js";
import { migrateArtifacts } from "./migrate.js";
import type { ArtifactStore } from "./store.js";

const bytes = (text: string): Readable => Readable.from([Buffer.from(text)]);
const read = async (store: ArtifactStore, key: string): Promise<string> => (await buffer((await store.read(key)).stream)).toString("utf8");

const FILES: Record<string, string> = {
  "0/r1/artifacts/model/MLmodel": "flavors: {}",
  "0/r1/artifacts/model/model.onnx": "onnx-bytes",
  "0/r1/artifacts/metrics.json": '{"a": 1}',
  "1/r2/artifacts/empty.txt": "",
  "data/objects/ab/cdef": "data object",
};

describe("artifacts migrate: a folder to S3", () => {
  let s3: TestS3Server;
  let dir: string;
  let source: ArtifactStore;
  let target: ArtifactStore;
  let prefixCounter = 0;
  let prefix: string;
  beforeAll(async () => {
    s3 = await startS3rver();
  });
  afterAll(async () => s3.close());
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-migrate-"));
    source = await openLocalArtifactStore(path.join(dir, "artifacts"));
    for (const [key, content] of Object.entries(FILES)) await source.write(key, bytes(content));
    prefixCounter += 1;
    prefix = `m${prefixCounter}`;
    target = await openS3ArtifactStore({ bucket: s3.bucket, prefix }, { settings: s3.settings, stagingDir: path.join(dir, "staging") });
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("copies every object with its key, verified by sha256; a second run skips them all", async () => {
    const first = await migrateArtifacts(source, target);
    const totalBytes = Object.values(FILES).reduce((sum, content) => sum + Buffer.byteLength(content), 0);
    expect(first).toEqual({ objects: 5, copied: 5, skipped: 0, failed: 0, bytesCopied: totalBytes, bytesSkipped: 0, dryRun: false, failures: [] });
    for (const [key, content] of Object.entries(FILES)) expect(await read(target, key)).toBe(content);
    expect(await target.list("0/r1/artifacts")).toEqual([
      { key: "0/r1/artifacts/metrics.json", isDir: false, size: 8 },
      { key: "0/r1/artifacts/model", isDir: true },
    ]);
    const second = await migrateArtifacts(source, target);
    expect(second).toEqual({ objects: 5, copied: 0, skipped: 5, failed: 0, bytesCopied: 0, bytesSkipped: totalBytes, dryRun: false, failures: [] });
  });

  it("resumes an interrupted copy and replaces a target object whose checksum differs (same size)", async () => {
    // As if an earlier run stopped after two objects, one of them since changed in the target.
    await target.write("0/r1/artifacts/model/MLmodel", bytes("flavors: {}"));
    await target.write("0/r1/artifacts/metrics.json", bytes('{"a": 2}'));
    const outcomes: string[] = [];
    const report = await migrateArtifacts(source, target, { concurrency: 1, onObject: (outcome) => outcomes.push(`${outcome.action} ${outcome.key}`) });
    expect(report).toMatchObject({ objects: 5, copied: 4, skipped: 1, failed: 0 });
    expect(outcomes).toEqual([
      "copied 0/r1/artifacts/metrics.json",
      "skipped 0/r1/artifacts/model/MLmodel",
      "copied 0/r1/artifacts/model/model.onnx",
      "copied 1/r2/artifacts/empty.txt",
      "copied data/objects/ab/cdef",
    ]);
    expect(await read(target, "0/r1/artifacts/metrics.json")).toBe('{"a": 1}');
  });

  it("writes nothing on a dry run and says what it would copy", async () => {
    await target.write("0/r1/artifacts/model/MLmodel", bytes("flavors: {}"));
    const report = await migrateArtifacts(source, target, { dryRun: true });
    expect(report).toMatchObject({ objects: 5, copied: 4, skipped: 1, failed: 0, dryRun: true });
    expect(await target.list("")).toEqual([{ key: "0", isDir: true }]);
    expect(await target.stat("0/r1/artifacts/model/model.onnx")).toBeUndefined();
  });

  it("runs as `cairn artifacts migrate` with MLflow's S3 variables, and refuses a bad destination before copying", async () => {
    const env = { MLFLOW_S3_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };
    const result = await migrateArtifactsCommand({ from: path.join(dir, "artifacts"), to: `s3://${s3.bucket}/cli${prefixCounter}` }, env);
    expect(result.data).toMatchObject({ objects: 5, copied: 5, skipped: 0, failed: 0, dryRun: false });
    expect(result.exitCode).toBeUndefined();
    const again = await migrateArtifactsCommand({ from: path.join(dir, "artifacts"), to: `s3://${s3.bucket}/cli${prefixCounter}`, dryRun: true }, env);
    expect(again.data).toMatchObject({ objects: 5, copied: 0, skipped: 5, dryRun: true });
    await expect(migrateArtifactsCommand({ from: path.join(dir, "artifacts"), to: "s3://Bad_Bucket/x" }, env)).rejects.toThrow("is not a valid bucket name");
    await expect(migrateArtifactsCommand({ from: path.join(dir, "artifacts"), to: "s3://missing-bucket/x" }, env)).rejects.toThrow("bucket 'missing-bucket' does not exist");
    await expect(migrateArtifactsCommand({ from: `s3://${s3.bucket}/x`, to: `s3://${s3.bucket}/x/` }, env)).rejects.toThrow("name the same destination");
  });
});
