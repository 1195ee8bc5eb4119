import { afterEach, describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import { outsideTransactions } from "../../core/transaction-scope.js";
import { parsePostgresUri } from "./connection-uri.js";
import { ensurePostgresSchema, readPgSchemaVersion, upgradePostgres } from "./migrations.js";
import { PgDatabase } from "./pg-database.js";
import { createTempPgDatabase, type TempPgDatabase } from "./test-support/temp-database.js";

const opened: PgDatabase[] = [];
const temps: TempPgDatabase[] = [];
const open = async (): Promise<PgDatabase> => {
  const temp = await createTempPgDatabase();
  temps.push(temp);
  const db = new PgDatabase(parsePostgresUri(temp.uri));
  opened.push(db);
  return db;
};
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  for (const temp of temps.splice(0)) await temp.drop();
});

describe("PgDatabase", () => {
  it("reads BIGINT as numbers and joins the transaction of the current call chain", async () => {
    const db = await open();
    await db.query("CREATE TABLE things (name TEXT PRIMARY KEY, at BIGINT NOT NULL)");
    await db.transaction(async () => {
      expect(db.inTransaction).toBe(true);
      await db.query("INSERT INTO things VALUES ($1, $2)", ["a", 1_700_000_000_123]);
      // A second "store" call inside the same chain sees the uncommitted row: same connection.
      expect(await db.query("SELECT name, at FROM things")).toEqual([{ name: "a", at: 1_700_000_000_123 }]);
    });
    await expect(
      db.transaction(async () => {
        await db.query("INSERT INTO things VALUES ($1, $2)", ["b", 2]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await db.query("SELECT name FROM things ORDER BY name")).toEqual([{ name: "a" }]);
    expect(await db.execute("UPDATE things SET at = at + 1")).toBe(1);
  });

  it("never reports a transaction whose failed statement was caught inside it as committed", async () => {
    const db = await open();
    await db.query("CREATE TABLE things (name TEXT PRIMARY KEY)");
    await db.query("INSERT INTO things VALUES ('kept')");
    // The work catches the failure (as a subscriber that logs and goes on would) and resolves: PostgreSQL has
    // aborted the transaction, and its COMMIT would roll back without an error. The caller gets the failure.
    let caught: unknown;
    const outcome = db.transaction(async () => {
      await db.query("INSERT INTO things VALUES ('lost')");
      await db.query("INSERT INTO things VALUES ('kept')").catch((error: unknown) => (caught = error));
      return "acknowledged";
    });
    await expect(outcome).rejects.toMatchObject({ code: "23505" });
    expect((caught as { code?: string }).code).toBe("23505");
    expect(await db.query("SELECT name FROM things ORDER BY name")).toEqual([{ name: "kept" }]);
    // The connection went back to the pool clean: the next transaction commits.
    await db.transaction(() => db.query("INSERT INTO things VALUES ('next')"));
    expect(await db.query("SELECT name FROM things ORDER BY name")).toEqual([{ name: "kept" }, { name: "next" }]);
    // The same through a named prepared statement.
    const prepared = db.transaction(async () => {
      await db.query("INSERT INTO things VALUES ('lost too')");
      await db.queryPrepared("insert_thing", "INSERT INTO things VALUES ($1)", ["kept"]).catch(() => undefined);
    });
    await expect(prepared).rejects.toMatchObject({ code: "23505" });
    expect(await db.query("SELECT name FROM things ORDER BY name")).toEqual([{ name: "kept" }, { name: "next" }]);
  });

  it("keeps background work started inside a transaction off its connection", async () => {
    const db = await open();
    await db.query("CREATE TABLE things (name TEXT PRIMARY KEY)");
    let late: Promise<unknown> | undefined;
    let detached: unknown;
    await db.transaction(async () => {
      await db.query("INSERT INTO things VALUES ('inside')");
      // Work escaping the transaction does not see its uncommitted row: it runs on another connection.
      detached = await outsideTransactions(() => db.query("SELECT name FROM things"));
      // A timer created inside fires after the commit: its query goes to the pool, not to the released client.
      late = new Promise((resolve, reject) => setTimeout(() => db.query("SELECT name FROM things").then(resolve, reject), 30));
    });
    expect(detached).toEqual([]);
    expect(await late).toEqual([{ name: "inside" }]);
  });

  it("reads one snapshot in a read-only transaction, and joins a transaction already in progress", async () => {
    const db = await open();
    await db.query("CREATE TABLE things (name TEXT PRIMARY KEY)");
    await expect(db.transaction(() => db.query("INSERT INTO things VALUES ('x')"), { readOnlySnapshot: true })).rejects.toThrow(
      "cannot execute INSERT in a read-only transaction",
    );
    await db.transaction(async () => {
      await db.query("INSERT INTO things VALUES ('y')");
      expect(await db.transaction(() => db.query("SELECT name FROM things"), { readOnlySnapshot: true })).toEqual([{ name: "y" }]);
    });
  });

  it("reads doubles back exactly even when the database rounds them for display (extra_float_digits = 0)", async () => {
    const temp = await createTempPgDatabase();
    temps.push(temp);
    const admin = new PgDatabase(parsePostgresUri(temp.uri));
    opened.push(admin);
    await admin.query(`ALTER DATABASE ${parsePostgresUri(temp.uri).database} SET extra_float_digits = 0`);
    const db = new PgDatabase(parsePostgresUri(temp.uri));
    opened.push(db);
    const values = [0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308];
    expect(await db.query("SELECT unnest($1::float8[]) AS v", [values])).toEqual(values.map((v) => ({ v })));
    expect((await db.one<{ j: number[] }>("SELECT json_build_array(($1::float8[])[1]) AS j", [values]))?.j).toEqual([0.1 + 0.2]);
  });

  it("answers a NUL character in text with a 400 naming it, not a 500", async () => {
    const db = await open();
    await db.query("CREATE TABLE things (name TEXT)");
    const error = await db.query("INSERT INTO things VALUES ($1)", ["a\u0000b"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).status).toBe(400);
    expect((error as CairnError).message).toBe("text values must not contain NUL characters (\\u0000)");
  });

  it("serializes work under one advisory lock key across connections", async () => {
    const db = await open();
    await db.query("CREATE TABLE counter (n INTEGER NOT NULL)");
    await db.query("INSERT INTO counter VALUES (0)");
    // Read-then-write with a pause between: without the lock, concurrent increments would be lost.
    const increment = (): Promise<void> =>
      db.withAdvisoryLock(42n, async () => {
        const row = await db.one<{ n: number }>("SELECT n FROM counter");
        await new Promise((resolve) => setTimeout(resolve, 5));
        await db.query("UPDATE counter SET n = $1", [(row?.n ?? 0) + 1]);
      });
    await Promise.all(Array.from({ length: 8 }, increment));
    expect(await db.one("SELECT n FROM counter")).toEqual({ n: 8 });
  });

  it("delivers NOTIFY payloads to a listener, after commit only", async () => {
    const db = await open();
    const received: string[] = [];
    const stop = await db.listen("cairn_test", (payload) => received.push(payload));
    await db.transaction(async () => {
      await db.notify("cairn_test", "inside");
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received).toEqual([]);
    });
    await db.notify("cairn_test", "outside");
    for (let i = 0; i < 100 && received.length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toEqual(["inside", "outside"]);
    await stop();
  });

  it("turns an unreachable server into a 503 CairnError that does not show the password", async () => {
    const db = new PgDatabase(parsePostgresUri("postgresql://u:hunter2@127.0.0.1:1/nowhere"), { connectionTimeoutMs: 2_000 });
    opened.push(db);
    const error = await db.query("SELECT 1").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).status).toBe(503);
    expect((error as CairnError).message).toBe("the PostgreSQL backend store is unavailable; retry later");
  });
});

describe("PostgreSQL migrations", () => {
  const migrations = [
    { version: 1, description: "a", sql: "CREATE TABLE a (x INTEGER)" },
    { version: 2, description: "b", sql: "CREATE TABLE b (y INTEGER)" },
  ];

  it("creates an empty database at the latest version, once, even when replicas start together", async () => {
    const db = await open();
    await Promise.all([ensurePostgresSchema(db, migrations), ensurePostgresSchema(db, migrations), ensurePostgresSchema(db, migrations)]);
    expect(await readPgSchemaVersion(db)).toBe(2);
    expect(await db.query("SELECT count(*)::int AS n FROM schema_version")).toEqual([{ n: 1 }]);
  });

  it("refuses an older database at start (upgrade is explicit) and a newer one always", async () => {
    const db = await open();
    expect(await upgradePostgres(db, migrations.slice(0, 1))).toEqual({ from: 0, to: 1 });
    await expect(ensurePostgresSchema(db, migrations)).rejects.toThrow(
      "database schema version 1 is older than this Cairn (2); run 'cairn db upgrade --backend-store-uri URI' first",
    );
    expect(await upgradePostgres(db, migrations)).toEqual({ from: 1, to: 2 });
    expect(await upgradePostgres(db, migrations)).toEqual({ from: 2, to: 2 });
    await expect(ensurePostgresSchema(db, migrations.slice(0, 1))).rejects.toThrow(
      "database schema version 2 is newer than this Cairn (1); upgrade Cairn",
    );
  });
});

describe("openPostgresMetadataStores at start-up", () => {
  it("names the store with its password redacted and PostgreSQL's reason", async () => {
    const { openPostgresMetadataStores } = await import("./open-stores.js");
    const admin = new URL(process.env.CAIRN_TEST_POSTGRES_URL ?? "");
    const missing = `postgresql://postgres:hunter2@${admin.host}/no_such_database_here`;
    const error = await openPostgresMetadataStores(missing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CairnError);
    expect((error as Error).message).toBe(
      `cannot open the PostgreSQL backend store postgresql://postgres:***@${admin.host}/no_such_database_here: database "no_such_database_here" does not exist`,
    );
  });
});

describe("PgDatabase when the server goes away and comes back", () => {
  it("answers 503 while it is down and recovers without being reopened", async () => {
    const { startPostgresCluster } = await import("./test-support/postgres-cluster.js");
    const cluster = await startPostgresCluster({ fast: true });
    const db = new PgDatabase(parsePostgresUri(cluster.adminUrl), { connectionTimeoutMs: 1_000 });
    try {
      await db.query("CREATE TABLE kept (n INTEGER)");
      await db.query("INSERT INTO kept VALUES (1)");
      cluster.pause();
      const down = await db.query("SELECT n FROM kept").catch((caught: unknown) => caught);
      expect(down).toBeInstanceOf(CairnError);
      expect((down as CairnError).status).toBe(503);
      const inTransaction = await db.transaction(() => db.query("SELECT 1")).catch((caught: unknown) => caught);
      expect((inTransaction as CairnError).status).toBe(503);
      cluster.resume();
      expect(await db.query("SELECT n FROM kept")).toEqual([{ n: 1 }]);
    } finally {
      await db.close();
      cluster.stop();
    }
  });
});
