import { afterEach, describe, expect, it } from "vitest";
import { DATA_DIGEST_ACTION, sumOfRows, metricRowText, addSums, ZERO_SUM } from "../../audit/run-data-digest.js";
import { AuditService } from "../../audit/service.js";
import { parsePostgresUri } from "./connection-uri.js";
import { PgAuditStore } from "./pg-audit-store.js";
import { PgDatabase } from "./pg-database.js";
import { PgTrackingStore } from "./pg-tracking-store.js";
import { openMigratedPgDatabase } from "./test-support/pg-store-fixture.js";
import { pgRunDataWriter } from "./test-support/run-data-writer.js";

/**
 * Issue 14 part 3: three processes' worth of pools (one PgDatabase each, as three replicas would have) appending to
 * one database at once keep one valid chain, and their writes to one run are each in exactly one digest.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const replicas = async (n: number): Promise<Array<{ db: PgDatabase; service: AuditService; store: PgAuditStore }>> => {
  const { uri, cleanup } = await openMigratedPgDatabase();
  cleanups.push(cleanup);
  return Array.from({ length: n }, () => {
    const db = new PgDatabase(parsePostgresUri(uri), { maxConnections: 4 });
    cleanups.push(() => db.close());
    const store = new PgAuditStore(db, parsePostgresUri(uri));
    return { db, store, service: new AuditService(store, { digests: { everyWrites: 7 } }) };
  });
};

describe("PostgreSQL audit chain across replicas", () => {
  it("keeps one valid chain when three pools append hundreds of events concurrently", async () => {
    const pools = await replicas(3);
    const PER_REPLICA = 150;
    await Promise.all(
      pools.map(({ service }, r) =>
        Promise.all(
          Array.from({ length: PER_REPLICA }, (_, i) =>
            service.atomically(() =>
              service.record({ actor: { name: `replica-${r}`, verified: true }, requestId: `r${r}-${i}` }, {
                action: "registry.alias.set",
                entityType: "registered_model",
                entityId: `m${i % 5}`,
                after: { i },
              }),
            ),
          ),
        ),
      ),
    );
    const [first] = pools;
    if (first === undefined) throw new Error("no replica");
    expect(await first.store.lastAssignedSeq()).toBe(3 * PER_REPLICA);
    const events = await first.store.readRange(0, 10_000);
    expect(new Set(events.map((e) => e.requestId)).size).toBe(3 * PER_REPLICA);
    // Verified on the worker thread (its own connection and snapshot) and by the walk in slices: both ok.
    expect(await first.service.verify({ full: true })).toEqual({ ok: true, checked: 3 * PER_REPLICA });
    const sliced = new AuditService(Object.assign(Object.create(first.store) as PgAuditStore, { verifyOffThread: undefined }));
    expect(await sliced.verify({ full: true })).toEqual({ ok: true, checked: 3 * PER_REPLICA });
  });

  it("puts every write of three replicas to one run in exactly one digest, collected while they write", async () => {
    const pools = await replicas(3);
    const [first] = pools;
    if (first === undefined) throw new Error("no replica");
    const WRITES = 60;
    const firstRow = { key: "m0", value: -1, timestamp: 999, step: -1 };
    await pgRunDataWriter(first.db)("run-x", { metrics: [firstRow], params: [], tags: [] });
    let expectedSum = sumOfRows([metricRowText(firstRow.key, firstRow.value, firstRow.timestamp, firstRow.step)]);
    let writing = true;
    // Every replica collects while all of them write: waiting (as a run's end does) and not (as the timer does).
    const collectors = pools.map(async ({ service }, r) => {
      while (writing) await service.collectCommitted(r === 0);
    });
    await Promise.all(
      pools.map(({ db }, r) =>
        Promise.all(
          Array.from({ length: WRITES }, (_, i) => {
            const metric = { key: `m${r}`, value: i * 0.5, timestamp: 1000 + i, step: i };
            expectedSum = addSums(expectedSum, sumOfRows([metricRowText(metric.key, metric.value, metric.timestamp, metric.step)]));
            return new PgTrackingStore(db).logBatch("run-x", { metrics: [metric], params: [], tags: [] });
          }),
        ),
      ),
    );
    writing = false;
    await Promise.all(collectors);
    await first.service.atomically(() => first.service.closeRunData("run-x", "run_end"));
    const digests = (await first.store.readRange(0, 10_000)).filter((e) => e.action === DATA_DIGEST_ACTION);
    const snapshots = digests.map((e) => JSON.parse(e.afterJson ?? "{}") as { reason: string; writes: number; metrics: number; content_sum: string });
    expect(snapshots.reduce((n, s) => n + s.writes, 0)).toBe(3 * WRITES + 1);
    expect(snapshots.reduce((n, s) => n + s.metrics, 0)).toBe(3 * WRITES + 1);
    // Each closed once it covered everyWrites (7) writes, a collection's worth at a time; the run's end closed the rest
    // (nothing, when the last collection had just closed a digest).
    const closedAtEnd = snapshots.at(-1)?.reason === "run_end" ? 1 : 0;
    expect(snapshots.slice(0, snapshots.length - closedAtEnd).every((s) => s.reason === "writes" && s.writes >= 7)).toBe(true);
    expect(snapshots.reduce((sum, s) => addSums(sum, s.content_sum), ZERO_SUM)).toBe(expectedSum);
    expect(await first.db.query("SELECT run_id FROM audit_pending_digests")).toEqual([]);
    expect(await first.service.verify({ full: true })).toEqual({ ok: true, checked: digests.length });
  });
});
