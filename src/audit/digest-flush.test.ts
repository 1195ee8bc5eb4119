import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../stores/sqlite/open-database.js";
import { SqliteAuditStore } from "../stores/sqlite/sqlite-audit-store.js";
import { DATA_DIGEST_ACTION } from "./run-data-digest.js";
import { AuditService } from "./service.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const open = async (): Promise<{ db: Database; store: SqliteAuditStore }> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-digest-flush-"));
  const db = openDatabase(path.join(dir, "cairn.db"));
  cleanups.push(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { db, store: new SqliteAuditStore(db) };
};

const waitFor = async (check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe("the periodic flush of pending run-data digests", () => {
  it("appends a run's digest once its first write is older than the interval, while started, and stops with stop()", async () => {
    const { store } = await open();
    const service = new AuditService(store, { digests: { intervalMs: 80 } });
    const write = (runId: string, step: number) =>
      service.atomically(() =>
        service.recordRunData({ actor: { name: "ada", verified: false }, requestId: `${runId}-${step}` }, runId, {
          metrics: [{ key: "loss", value: step, timestamp: step, step }],
          params: [],
          tags: [],
        }, { action: "x", entityType: "run", entityId: runId }),
      );
    const digests = async () => (await store.readRange(0, 100)).filter((e) => e.action === DATA_DIGEST_ACTION).map((e) => e.entityId);
    await write("a", 1);
    await write("a", 2);
    await write("b", 1);
    service.start();
    await waitFor(async () => (await digests()).length === 2);
    expect((await digests()).sort()).toEqual(["a", "b"]);
    expect(await store.digests.due(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    await service.stop();
    await write("c", 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Stopped: c stays pending (the next process to run the flush, or the run's end, appends it).
    expect(await digests()).toHaveLength(2);
    expect(await store.digests.due(Number.MAX_SAFE_INTEGER, 10)).toEqual(["c"]);
    expect(await service.verify()).toEqual({ ok: true, checked: 2 });
  });
});
