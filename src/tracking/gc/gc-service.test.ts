import { mkdtempSync, rmSync, statSync } from "node:fs";
import { readdir, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { AuditService } from "../../audit/service.js";
import { systemContext } from "../../core/actor.js";
import { openLocalArtifactStore } from "../../stores/artifact-stores/local/index.js";
import { openSqliteMetadataStores } from "../../stores/sqlite/open-stores.js";
import { describeGcContract, type GcBackend } from "./gc.contract.js";
import { GcService, type GcOptions } from "./gc-service.js";

const DAY = 86_400_000;
const dirs: string[] = [];
const opened: GcBackend[] = [];
afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close();
});

const openSqlite = async (now: () => number): Promise<GcBackend> => {
  const dir = mkdtempSync(path.join(tmpdir(), "cairn-gc-"));
  dirs.push(dir);
  const stores = await openSqliteMetadataStores(path.join(dir, "cairn.db"), { now });
  const artifactsDir = path.join(dir, "artifacts");
  const artifacts = await openLocalArtifactStore(artifactsDir);
  return {
    stores,
    artifacts,
    artifactsDir,
    close: async () => {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

describeGcContract("SQLite", openSqlite);

describe("cairn gc on the local artifact store", () => {
  const open = async () => {
    const backend = await openSqlite(() => Date.now());
    opened.push(backend);
    const audit = new AuditService(backend.stores.audit);
    const gc = (options: Partial<GcOptions> = {}) => {
      if (backend.stores.gc === undefined) throw new Error("no gc store");
      return new GcService(backend.stores.gc, backend.artifacts, audit).run({ dryRun: false, now: Date.now(), context: systemContext("gc-test"), ...options });
    };
    return { ...backend, dir: path.dirname(backend.artifactsDir), gc };
  };

  it("removes staging leftovers of uploads that never finished, past their floors, and keeps fresh ones", async () => {
    const f = await open();
    const stale = await f.artifacts.createMultipartUpload("0/x/artifacts/big.bin");
    await f.artifacts.uploadPart("0/x/artifacts/big.bin", stale.uploadId, 1, Readable.from([Buffer.alloc(1000, 1)]));
    const fresh = await f.artifacts.createMultipartUpload("0/y/artifacts/big.bin");
    const uploads = path.join(f.dir, "artifacts", ".cairn-staging", "uploads");
    const tmp = path.join(f.dir, "artifacts", ".cairn-staging", "tmp");
    const old = new Date(Date.now() - 3 * DAY);
    await utimes(path.join(uploads, stale.uploadId), old, old);
    await writeFile(path.join(tmp, "abandoned.part"), Buffer.alloc(500));
    await utimes(path.join(tmp, "abandoned.part"), old, old);
    await writeFile(path.join(tmp, "live.part"), Buffer.alloc(10));

    // The upload's bytes: its part, the part's ETag and upload.json, as on disk.
    const staleDir = path.join(uploads, stale.uploadId);
    const staleBytes = (await readdir(staleDir)).reduce((sum, name) => sum + statSync(path.join(staleDir, name)).size, 0);
    expect(staleBytes).toBeGreaterThan(1000);
    const report = await f.gc({ now: Date.now() });
    expect(report.orphanedUploads.map((o) => [o.kind, o.id, o.bytes])).toEqual([
      ["partial-file", "abandoned.part", 500],
      ["multipart-upload", stale.uploadId, staleBytes],
    ]);
    expect(report.orphanedUploads[1]?.key).toBe("0/x/artifacts/big.bin");
    expect((await readdir(uploads)).sort()).toEqual([fresh.uploadId]);
    expect(await readdir(tmp)).toEqual(["live.part"]);
  });
});
