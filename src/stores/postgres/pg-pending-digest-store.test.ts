import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { addSums, addWrite, DIGEST_MAX_KEYS, metricRowText, sumOfRows, ZERO_SUM, type PendingDigest, type RunDataRows } from "../../audit/run-data-digest.js";
import { parsePostgresUri } from "./connection-uri.js";
import { PG_LATEST_SCHEMA_VERSION, PG_MIGRATIONS, upgradePostgres } from "./migrations.js";
import { PgDatabase } from "./pg-database.js";
import { PgPendingDigestStore } from "./pg-pending-digest-store.js";
import { openMigratedPgDatabase } from "./test-support/pg-store-fixture.js";
import { createTempPgDatabase } from "./test-support/temp-database.js";
import { PENDING_DIGEST_COLUMNS, pendingDigestValues } from "../sql/pending-digest-rows.js";

/**
 * PgPendingDigestStore.add (issue 14 part 6): addWrite's merge done by one upsert, with 256-bit addition in SQL
 * (schema/007). Each case compares the database's result with what addWrite/addSums compute in the process.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const migrated = async (): Promise<{ db: PgDatabase; uri: string }> => {
  const opened = await openMigratedPgDatabase();
  cleanups.push(opened.cleanup);
  return opened;
};

const actor = { name: "ada", verified: true };
const hex = (): string => randomBytes(32).toString("hex");

/** The run's pending digest as it stands (lock() in a unit of its own). */
const read = (store: PgPendingDigestStore, db: PgDatabase, runId: string): Promise<PendingDigest | undefined> => db.transaction(() => store.lock(runId));

/**
 * Adds `writes` one at a time through add() (each in its own transaction) and through addWrite; both results. After
 * every add, the count add() returned and the stored digest are checked against addWrite's.
 */
const both = async (store: PgPendingDigestStore, db: PgDatabase, runId: string, writes: RunDataRows[], start?: PendingDigest) => {
  let expected = start;
  for (const [i, rows] of writes.entries()) {
    const write = { runId, rows, time: 1000 + i, actor: i % 2 === 0 ? actor : { name: "bob", verified: false }, requestId: `q${i}` };
    expected = addWrite(expected, write);
    expect(await db.transaction(() => store.add(addWrite(undefined, write)))).toBe(expected.writes);
    expect(await read(store, db, runId)).toEqual(expected);
  }
  return { expected, got: await read(store, db, runId) };
};

describe("PgPendingDigestStore.add: the 256-bit sum (content_sum + content_sum_added, schema 007)", () => {
  /** One write's digest whose sum is `sum` (the other fields do not matter here). */
  const addition = (runId: string, sum: string, i = 0): PendingDigest => ({
    ...addWrite(undefined, { runId, rows: { metrics: [{ key: "loss", value: i, timestamp: i, step: i }], params: [], tags: [] }, time: 1, actor, requestId: "q" }),
    contentSum: sum,
  });

  it("adds modulo 2^256 exactly as addSums, carries past 2^256 included", async () => {
    const { db } = await migrated();
    const store = new PgPendingDigestStore(db);
    const max = "f".repeat(64);
    const sumOf = async (runId: string, sums: string[]): Promise<string | undefined> => {
      for (const sum of sums) await db.transaction(() => store.add(addition(runId, sum)));
      return (await read(store, db, runId))?.contentSum;
    };
    expect(await sumOf("carry", [max, `${"0".repeat(63)}2`])).toBe(`${"0".repeat(63)}1`);
    expect(await sumOf("max", [max, max, max])).toBe(addSums(addSums(max, max), max));
    expect(await sumOf("zero", [ZERO_SUM, ZERO_SUM])).toBe(ZERO_SUM);
    expect(await sumOf("half", [`8${"0".repeat(63)}`, `8${"0".repeat(63)}`])).toBe(ZERO_SUM);
    const random = Array.from({ length: 50 }, hex);
    expect(await sumOf("random", random)).toBe(random.reduce(addSums, ZERO_SUM));
    // What take() returns is the same sum, and the row is gone.
    expect((await db.transaction(() => store.take("random")))?.contentSum).toBe(random.reduce(addSums, ZERO_SUM));
    expect(await db.one("SELECT 1 FROM audit_pending_digests WHERE run_id = 'random'")).toBeUndefined();
  });

  it("adds to a sum saved as hex by save(): the two parts add up modulo 2^256, and save() resets the added part", async () => {
    const { db } = await migrated();
    const store = new PgPendingDigestStore(db);
    const saved = { ...addition("s", `f${"e".repeat(63)}`), writes: 5 };
    await db.transaction(() => store.save(saved));
    const more = [hex(), `f${"0".repeat(63)}`];
    for (const sum of more) await db.transaction(() => store.add(addition("s", sum)));
    const got = await read(store, db, "s");
    expect(got?.writes).toBe(7);
    expect(got?.contentSum).toBe(more.reduce(addSums, saved.contentSum));
    const locked = await db.transaction(async () => {
      const pending = await store.lock("s");
      await store.save({ ...(pending as PendingDigest), contentSum: ZERO_SUM });
      return pending;
    });
    expect(locked?.contentSum).toBe(got?.contentSum);
    expect((await db.transaction(() => store.take("s")))?.contentSum).toBe(ZERO_SUM);
  });

  it("sums 1,000 rows' hashes as sumOfRows does (the running sum wraps around 2^256 hundreds of times)", async () => {
    const { db } = await migrated();
    const store = new PgPendingDigestStore(db);
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: "loss", value: i / 7, timestamp: 1_700_000_000_000 + i, step: i }));
    await db.transaction(async () => {
      for (const metric of metrics) await store.add(addWrite(undefined, { runId: "many", rows: { metrics: [metric], params: [], tags: [] }, time: 1, actor, requestId: "q" }));
    });
    const taken = await db.transaction(() => store.take("many"));
    expect(taken?.writes).toBe(1000);
    expect(taken?.contentSum).toBe(sumOfRows(metrics.map((m) => metricRowText(m.key, m.value, m.timestamp, m.step))));
  });
});

describe("PgPendingDigestStore.add", () => {
  it("merges writes as addWrite: counts, sum, bounds, first and last time, last writer, keys in order", async () => {
    const { db } = await migrated();
    const store = new PgPendingDigestStore(db);
    const writes: RunDataRows[] = [
      { metrics: [{ key: "loss", value: 0.5, timestamp: 50, step: 3 }], params: [], tags: [] },
      { metrics: [{ key: "loss", value: Number.NaN, timestamp: 40, step: 7 }], params: [{ key: "lr", value: "0.1" }], tags: [] },
      { metrics: [], params: [], tags: [{ key: "note", value: "x" }, { key: "loss", value: "t" }] },
      { metrics: [{ key: "acc", value: -Infinity, timestamp: 90, step: -2 }, { key: "loss", value: 1, timestamp: 10, step: 1 }], params: [], tags: [] },
    ];
    const { expected, got } = await both(store, db, "run-a", writes);
    expect(got).toEqual(expected);
    expect(got?.keys).toEqual(["m:loss", "p:lr", "t:note", "t:loss", "m:acc"]);
    expect(await db.transaction(() => store.take("run-a"))).toEqual(expected);
  });

  it("keeps the first 50 distinct keys across writes, as addWrite", async () => {
    const { db } = await migrated();
    const store = new PgPendingDigestStore(db);
    const metrics = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: i, timestamp: i, step: i }));
    const writes: RunDataRows[] = [
      { metrics: metrics(0, 30), params: [], tags: [] },
      { metrics: [...metrics(20, 15), ...metrics(0, 3)], params: [], tags: [] },
      { metrics: metrics(40, 30), params: [{ key: "p", value: "1" }], tags: [] },
      { metrics: metrics(100, 5), params: [], tags: [] },
    ];
    const { expected, got } = await both(store, db, "run-k", writes);
    expect(got).toEqual(expected);
    expect(got?.keys).toHaveLength(DIGEST_MAX_KEYS);
    expect(got?.keys.at(-1)).toBe("m:k54");
  });

  it("adds to a row that lock() left as a placeholder, and to rows saved before schema 007", async () => {
    const temp = await createTempPgDatabase("cairn_digest7");
    const db = new PgDatabase(parsePostgresUri(temp.uri));
    cleanups.push(() => temp.drop(), () => db.close());
    // At version 6, a pending row written the old way (hex text sum) and a placeholder of zero writes.
    await upgradePostgres(db, PG_MIGRATIONS.filter((m) => m.version <= 6));
    const store = new PgPendingDigestStore(db);
    const first = addWrite(undefined, { runId: "old", rows: { metrics: [{ key: "loss", value: 2, timestamp: 5, step: 5 }], params: [], tags: [] }, time: 10, actor, requestId: "a" });
    // As the store before schema 007 wrote them: save()'s row, and lock()'s placeholder.
    const insert = `INSERT INTO audit_pending_digests (${PENDING_DIGEST_COLUMNS}) VALUES (${PENDING_DIGEST_COLUMNS.split(", ").map((_, i) => `$${i + 1}`)})`;
    await db.query(insert, pendingDigestValues(first));
    await db.query(insert, ["placeholder", 0, 0, 0, 0, "[]", null, null, null, null, ZERO_SUM, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, "", 0, ""]);
    expect(await upgradePostgres(db)).toEqual({ from: 6, to: PG_LATEST_SCHEMA_VERSION });

    const more: RunDataRows[] = [
      { metrics: [{ key: "loss", value: 3, timestamp: 6, step: 6 }], params: [], tags: [] },
      { metrics: [{ key: "acc", value: 1, timestamp: 4, step: 9 }], params: [], tags: [] },
    ];
    const old = await both(store, db, "old", more, first);
    expect(old.got).toEqual(old.expected);
    expect(old.got?.writes).toBe(3);
    const placeholder = await both(store, db, "placeholder", more);
    // The placeholder's own first_time (a sentinel) and empty keys are replaced by the first write's.
    expect(placeholder.got).toEqual(placeholder.expected);
    expect(placeholder.got?.firstTime).toBe(1000);
  });

  it("serialises concurrent writers of one run from several pools: exact counts and sum", async () => {
    const { uri } = await migrated();
    const pools = Array.from({ length: 3 }, () => {
      const db = new PgDatabase(parsePostgresUri(uri), { maxConnections: 4 });
      cleanups.push(() => db.close());
      return { db, store: new PgPendingDigestStore(db) };
    });
    const WRITES = 40;
    let expectedSum = ZERO_SUM;
    await Promise.all(
      pools.flatMap(({ db, store }, r) =>
        Array.from({ length: WRITES }, (_, i) => {
          const rows = { metrics: [{ key: `m${r}`, value: i, timestamp: 100 + i, step: i }], params: [], tags: [] };
          expectedSum = addSums(expectedSum, sumOfRows([metricRowText(`m${r}`, i, 100 + i, i)]));
          return db.transaction(() => store.add(addWrite(undefined, { runId: "run-c", rows, time: 500 + i, actor, requestId: `r${r}-${i}` })));
        }),
      ),
    );
    const [first] = pools;
    const taken = await first?.db.transaction(() => first.store.take("run-c"));
    expect(taken).toMatchObject({ writes: 3 * WRITES, metrics: 3 * WRITES, contentSum: expectedSum, stepMin: 0, stepMax: WRITES - 1, timeMin: 100, timeMax: 100 + WRITES - 1 });
    expect([...(taken?.keys ?? [])].sort()).toEqual(["m:m0", "m:m1", "m:m2"]);
  });
});
