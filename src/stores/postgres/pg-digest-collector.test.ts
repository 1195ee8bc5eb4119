import { afterEach, describe, expect, it } from "vitest";
import { addSums, DATA_DIGEST_ACTION, metricRowText, paramRowText, sumOfRows, tagRowText, ZERO_SUM } from "../../audit/run-data-digest.js";
import { AuditService } from "../../audit/service.js";
import { parsePostgresUri } from "./connection-uri.js";
import { PgAuditStore } from "./pg-audit-store.js";
import type { PgDatabase } from "./pg-database.js";
import { PgDigestCollector } from "./pg-digest-collector.js";
import { PgTrackingStore } from "./pg-tracking-store.js";
import { openMigratedPgDatabase } from "./test-support/pg-store-fixture.js";
import { pgRunDataWriter } from "./test-support/run-data-writer.js";

/**
 * Run-data digests on PostgreSQL are collected from the rows (schema/009): each row carries the id of the transaction
 * that wrote it, and a collection takes the rows of the transactions that have ended. These tests hold transactions
 * open across collections to show that commit order, not id order, cannot lose or repeat a row.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const open = async () => {
  const { db, uri, cleanup } = await openMigratedPgDatabase();
  cleanups.push(cleanup);
  const store = new PgAuditStore(db, parsePostgresUri(uri));
  const write = pgRunDataWriter(db);
  return { db, store, write, tracking: new PgTrackingStore(db), service: new AuditService(store, { digests: { everyWrites: 1000 } }) };
};

const metric = (step: number) => ({ key: "loss", value: 1 / (step + 1), timestamp: 1000 + step, step });
const metricSum = (...steps: number[]) => sumOfRows(steps.map((s) => metricRowText("loss", 1 / (s + 1), 1000 + s, s)));

/** The run's digest, appended now (closeRunData), as its snapshot; undefined when nothing was pending. */
const closeAndRead = async (store: PgAuditStore, service: AuditService, runId: string) => {
  await service.atomically(() => service.closeRunData(runId, "run_end"));
  const events = (await store.readRange(0, 1000)).filter((e) => e.action === DATA_DIGEST_ACTION && e.entityId === runId);
  return events.map((e) => JSON.parse(e.afterJson ?? "{}") as { writes: number; metrics: number; params: number; tags: number; content_sum: string });
};

/** Runs `work` in a transaction of its own that stays open until the returned commit() is called. */
const holdOpen = async (db: PgDatabase, work: () => Promise<void>): Promise<{ commit(): Promise<void> }> => {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let written: () => void = () => undefined;
  const didWrite = new Promise<void>((resolve) => {
    written = resolve;
  });
  const transaction = db.transaction(async () => {
    await work();
    written();
    await released;
  });
  await didWrite;
  return {
    commit: async () => {
      release();
      await transaction;
    },
  };
};

describe("PostgreSQL run-data digests collected from committed rows", () => {
  it("takes a write that committed after a later one at the collection after its commit: never skipped, never twice", async () => {
    const { db, store, write, tracking, service } = await open();
    await write("run-a", { metrics: [metric(0)], params: [], tags: [] });
    await service.collectCommitted(true);
    // Transaction A takes its id first and stays open; B, later, commits first. (A logs another key: the run's latest
    // value of a key is one row, which A would hold locked until its commit.)
    const accuracy = { key: "accuracy", value: 0.5, timestamp: 1001, step: 1 };
    const a = await holdOpen(db, () => tracking.logBatch("run-a", { metrics: [accuracy], params: [], tags: [] }));
    await write("run-a", { metrics: [metric(2)], params: [], tags: [] });
    // A rolled-back write is in no digest.
    await expect(
      db.transaction(async () => {
        await tracking.logBatch("run-a", { metrics: [metric(99)], params: [], tags: [] });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    // Not waiting: A is still running, so the collection stops below it and B (above A) waits too.
    await service.collectCommitted(false);
    const pendingWhileOpen = await db.query<{ writes: number }>("SELECT writes FROM audit_pending_digests WHERE run_id = 'run-a'");
    expect(pendingWhileOpen).toEqual([{ writes: 1 }]);
    await a.commit();
    const digests = await closeAndRead(store, service, "run-a");
    expect(digests.map((d) => [d.writes, d.metrics])).toEqual([[3, 3]]);
    expect(digests[0]?.content_sum).toBe(addSums(metricSum(0, 2), sumOfRows([metricRowText("accuracy", 0.5, 1001, 1)])));
  });

  it("counts what the rows hold: a retried identical metric once, an overwritten tag with each value, params and tags by kind", async () => {
    const { store, write, service } = await open();
    await write("run-b", { metrics: [metric(0)], params: [{ key: "lr", value: "0.1" }], tags: [{ key: "stage", value: "a" }] });
    await service.collectCommitted(true);
    await write("run-b", { metrics: [metric(0)], params: [], tags: [{ key: "stage", value: "b" }] });
    const [digest] = await closeAndRead(store, service, "run-b");
    // The retried metric stored no row: the second write holds only the tag's new value.
    expect(digest).toMatchObject({ writes: 2, metrics: 1, params: 1, tags: 2 });
    const expected = [metricRowText("loss", 1, 1000, 0), paramRowText("lr", "0.1"), tagRowText("stage", "a"), tagRowText("stage", "b")];
    expect(digest?.content_sum).toBe(sumOfRows(expected));
  });

  it("reads back what was written, exactly: NaN, ±Infinity, the smallest and largest doubles, keys with quotes and accents", async () => {
    const { store, write, service } = await open();
    const metrics = [
      { key: 'q"uo\\te', value: Number.NaN, timestamp: 1, step: 0 },
      { key: "élan", value: Number.POSITIVE_INFINITY, timestamp: 2, step: -3 },
      { key: "neg", value: Number.NEGATIVE_INFINITY, timestamp: 3, step: 2 ** 40 },
      { key: "tiny", value: 5e-324, timestamp: 4, step: 0 },
      { key: "huge", value: 1.7976931348623157e308, timestamp: 5, step: 0 },
      { key: "tenth", value: 0.1 + 0.2, timestamp: 6, step: 0 },
    ];
    await write("run-f", { metrics, params: [{ key: "p\n", value: "line\nbreak\u0001" }], tags: [{ key: "t", value: "☃" }] });
    const [digest] = await closeAndRead(store, service, "run-f");
    const texts = [...metrics.map((m) => metricRowText(m.key, m.value, m.timestamp, m.step)), paramRowText("p\n", "line\nbreak\u0001"), tagRowText("t", "☃")];
    expect(digest).toMatchObject({ writes: 1, metrics: 6, params: 1, tags: 1, content_sum: sumOfRows(texts) });
  });

  it("never collects a row without a transaction id (stored before schema 9 or copied by db migrate)", async () => {
    const { db, store, write, service } = await open();
    await write("run-c", { metrics: [metric(0)], params: [], tags: [] });
    await db.query("INSERT INTO metrics (run_key, key, step, timestamp, value, is_nan, audit_xid) SELECT run_key, 'old', 0, 1, 1, 0, NULL FROM runs WHERE run_uuid = 'run-c'");
    const digests = await closeAndRead(store, service, "run-c");
    expect(digests.map((d) => [d.writes, d.metrics, d.content_sum])).toEqual([[1, 1, metricSum(0)]]);
  });

  it("reads whole transactions about `limit` rows at a time, and goes past one transaction larger than the limit", async () => {
    const { db, write } = await open();
    const steps = Array.from({ length: 5 }, (_, i) => i);
    for (const step of steps) await write("run-d", { metrics: [metric(step)], params: [], tags: [] });
    await write("run-d", { metrics: steps.map((s) => metric(100 + s)), params: [], tags: [] });
    const collector = new PgDigestCollector(db);
    // Other tests' transactions on this PostgreSQL server hold the horizon back too: let them end.
    expect(await collector.settle(10_000)).toBe(true);
    const batches: Array<{ metrics: number; writes: number; more: boolean }> = [];
    let sum = ZERO_SUM;
    for (;;) {
      const batch = await db.transaction(() => collector.next(true, 2));
      if (batch === undefined) throw new Error("the collection's row is locked by nobody else");
      const run = batch.runs[0];
      batches.push({ metrics: run?.rows.metrics.length ?? 0, writes: run?.writes ?? 0, more: batch.more });
      for (const m of run?.rows.metrics ?? []) sum = addSums(sum, sumOfRows([metricRowText(m.key, m.value, m.timestamp, m.step)]));
      if (!batch.more) break;
    }
    // 2 + 2 + 1 single-row writes (the third batch ends before the 5-row transaction's first row), then it alone.
    expect(batches).toEqual([
      { metrics: 2, writes: 2, more: true },
      { metrics: 2, writes: 2, more: true },
      { metrics: 1, writes: 1, more: true },
      { metrics: 5, writes: 1, more: false },
    ]);
    expect(sum).toBe(metricSum(0, 1, 2, 3, 4, 100, 101, 102, 103, 104));
  });

  it("settles: waits for older transactions to end, up to its time limit", async () => {
    const { db, tracking, write } = await open();
    await write("run-e", { metrics: [metric(0)], params: [], tags: [] });
    const collector = new PgDigestCollector(db);
    const open1 = await holdOpen(db, () => tracking.logBatch("run-e", { metrics: [metric(1)], params: [], tags: [] }));
    expect(await collector.settle(50)).toBe(false);
    const settled = collector.settle(10_000);
    await open1.commit();
    expect(await settled).toBe(true);
  });

  it("refuses to collect when the collection's row was removed behind its back, rather than start over or skip", async () => {
    const { db, service } = await open();
    await db.query("DELETE FROM audit_digest_collection");
    await expect(service.collectCommitted(false)).rejects.toThrow("audit_digest_collection has no row");
    await expect(service.collectCommitted(true)).rejects.toThrow("audit_digest_collection has no row");
  });
});
