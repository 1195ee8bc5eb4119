import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { addSums, addWrite, DIGEST_MAX_KEYS, metricRowText, sumOfRows, ZERO_SUM, type PendingDigest, type RunDataRows } from "../../audit/run-data-digest.js";
import { parsePostgresUri } from "./connection-uri.js";
import { PG_MIGRATIONS, upgradePostgres } from "./migrations.js";
import { PgDatabase } from "./pg-database.js";
import { PgPendingDigestStore } from "./pg-pending-digest-store.js";
import { openMigratedPgDatabase } from "./test-support/pg-store-fixture.js";
import { createTempPgDatabase } from "./test-support/temp-database.js";

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

/** Adds `writes` one at a time through add() (each in its own transaction) and through addWrite; both results. */
const both = async (store: PgPendingDigestStore, db: PgDatabase, runId: string, writes: RunDataRows[], start?: PendingDigest) => {
  let expected = start;
  let got: PendingDigest | undefined;
  for (const [i, rows] of writes.entries()) {
    const write = { runId, rows, time: 1000 + i, actor: i % 2 === 0 ? actor : { name: "bob", verified: false }, requestId: `q${i}` };
    expected = addWrite(expected, write);
    got = await db.transaction(() => store.add(addWrite(undefined, write)));
  }
  return { expected, got };
};

describe("PostgreSQL 256-bit sums (schema 007)", () => {
  it("adds modulo 2^256 exactly as addSums, carries past 2^256 included", async () => {
    const { db } = await migrated();
    const add = async (a: string, b: string): Promise<string> => (await db.one<{ s: string }>("SELECT cairn_sum256_add($1, $2) AS s", [a, b]))?.s ?? "";
    const max = "f".repeat(64);
    expect(await add(max, `${"0".repeat(63)}2`)).toBe(`${"0".repeat(63)}1`);
    expect(await add(max, max)).toBe(addSums(max, max));
    expect(await add(ZERO_SUM, ZERO_SUM)).toBe(ZERO_SUM);
    expect(await add(`8${"0".repeat(63)}`, `8${"0".repeat(63)}`)).toBe(ZERO_SUM);
    // A carry through every 32-bit group.
    expect(await add(`0${"f".repeat(63)}`, `${"0".repeat(63)}1`)).toBe(`1${"0".repeat(63)}`);
    for (let i = 0; i < 50; i += 1) {
      const [a, b] = [hex(), hex()];
      expect(await add(a, b)).toBe(addSums(a, b));
    }
  });

  it("sums many rows' hashes as sumOfRows does (the fold in SQL over 2,000 values)", async () => {
    const { db } = await migrated();
    const texts = Array.from({ length: 2000 }, (_, i) => metricRowText("loss", i / 7, 1_700_000_000_000 + i, i));
    const hashes = texts.map((text) => sumOfRows([text]));
    // Most hashes are above 2^255: the running sum wraps around 2^256 hundreds of times.
    const folded = await db.one<{ s: string }>(
      `WITH RECURSIVE f(i, s) AS (SELECT 0, $1::text UNION ALL SELECT f.i + 1, cairn_sum256_add(f.s, ($2::text[])[f.i + 1]) FROM f WHERE f.i < $3)
       SELECT s FROM f ORDER BY i DESC LIMIT 1`,
      [ZERO_SUM, hashes, hashes.length],
    );
    expect(folded?.s).toBe(sumOfRows(texts));
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

  it("adds to a row that lock() left as a placeholder, and to a row saved by lock + save (before schema 007)", async () => {
    const temp = await createTempPgDatabase("cairn_digest7");
    const db = new PgDatabase(parsePostgresUri(temp.uri));
    cleanups.push(() => temp.drop(), () => db.close());
    // At version 6, a pending row written the old way (hex text sum) and a placeholder of zero writes.
    await upgradePostgres(db, PG_MIGRATIONS.filter((m) => m.version <= 6));
    const store = new PgPendingDigestStore(db);
    const first = addWrite(undefined, { runId: "old", rows: { metrics: [{ key: "loss", value: 2, timestamp: 5, step: 5 }], params: [], tags: [] }, time: 10, actor, requestId: "a" });
    await db.transaction(() => store.save(first));
    await db.transaction(() => store.lock("placeholder"));
    expect(await upgradePostgres(db)).toEqual({ from: 6, to: 7 });

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
