import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../stores/sqlite/open-database.js";
import { SqliteAuditStore } from "../stores/sqlite/sqlite-audit-store.js";
import { AuditService } from "./service.js";

describe("audit verify under concurrent callers (issue 12 part 5)", () => {
  let dir: string;
  let close: () => void;
  let store: SqliteAuditStore;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-verify-"));
    const db = openDatabase(path.join(dir, "audit.db"));
    close = () => db.close();
    store = new SqliteAuditStore(db);
    const audit = new AuditService(store);
    for (let i = 0; i < 600; i += 1) {
      await audit.record({ actor: { name: "ada", verified: false }, requestId: `r${i}` }, { action: "tracking.run.create", entityType: "run", entityId: `run-${i}` });
    }
  });
  afterAll(async () => {
    close();
    await rm(dir, { recursive: true, force: true });
  });

  /** These tests are about walking: every call re-checks from the first event, not from the checkpoint the last left. */
  const FULL = { full: true };

  it("walks the chain once for callers that ask while a walk runs, in slices of 250 events, and again afterwards", async () => {
    const reads: number[] = [];
    // A backend without the off-thread capability (in-memory, test stores): the walk in slices on the event loop.
    const counting = Object.assign(Object.create(store) as SqliteAuditStore, {
      verifyOffThread: undefined,
      readRange: async (afterSeq: number, limit: number) => {
        reads.push(afterSeq);
        return store.readRange(afterSeq, limit);
      },
    });
    const audit = new AuditService(counting);
    const [first, second, third] = await Promise.all([audit.verify(FULL), audit.verify(FULL), audit.verify(FULL)]);
    expect(first).toEqual({ ok: true, checked: 600 });
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(reads).toEqual([0, 250, 500]);
    expect(await audit.verify(FULL)).toEqual({ ok: true, checked: 600 });
    expect(reads).toEqual([0, 250, 500, 0, 250, 500]);
  });

  it("runs one worker for callers that ask while it runs, reads nothing on the server's connection, and again afterwards", async () => {
    const reads: number[] = [];
    let workers = 0;
    const counting = Object.assign(Object.create(store) as SqliteAuditStore, {
      readRange: async (afterSeq: number, limit: number) => {
        reads.push(afterSeq);
        return store.readRange(afterSeq, limit);
      },
      verifyOffThread: () => {
        workers += 1;
        return store.verifyOffThread?.() ?? Promise.reject(new Error("a file database verifies off thread"));
      },
    });
    const audit = new AuditService(counting);
    const [first, second, third] = await Promise.all([audit.verify(FULL), audit.verify(FULL), audit.verify(FULL)]);
    expect(first).toEqual({ ok: true, checked: 600 });
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(workers).toBe(1);
    expect(await audit.verify(FULL)).toEqual({ ok: true, checked: 600 });
    expect(workers).toBe(2);
    expect(reads).toEqual([]);
  });

  it("answers a failed worker with the error to every caller sharing it, and tries again on the next call", async () => {
    let calls = 0;
    const failing = Object.assign(Object.create(store) as SqliteAuditStore, {
      verifyOffThread: () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error("audit verify failed: the worker crashed")) : (store.verifyOffThread?.() ?? Promise.reject(new Error("no")));
      },
    });
    const audit = new AuditService(failing);
    const outcomes = await Promise.allSettled([audit.verify(FULL), audit.verify(FULL)]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(calls).toBe(1);
    expect(await audit.verify(FULL)).toEqual({ ok: true, checked: 600 });
  });

  it("walks a small incremental range on the event loop and a full one on the worker (issue 14)", async () => {
    let workers = 0;
    const counting = Object.assign(Object.create(store) as SqliteAuditStore, {
      verifyOffThread: (from?: Parameters<NonNullable<SqliteAuditStore["verifyOffThread"]>>[0]) => {
        workers += 1;
        return store.verifyOffThread?.(from) ?? Promise.reject(new Error("a file database verifies off thread"));
      },
    });
    const audit = new AuditService(counting);
    expect(await audit.verify(FULL)).toEqual({ ok: true, checked: 600 });
    expect(workers).toBe(1);
    expect(await audit.verify()).toEqual({ ok: true, checked: 0, from_seq: 600 });
    expect(workers).toBe(1);
  });
});
