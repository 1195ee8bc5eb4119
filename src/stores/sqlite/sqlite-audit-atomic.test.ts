import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { NewAuditRecord } from "../../audit/event.js";
import { AuditService } from "../../audit/service.js";
import { openDatabase } from "./open-database.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";

/** atomically(): a change on the shared connection and the events that describe it commit together or not at all. */
const dirs: string[] = [];
const databases: Database[] = [];
const openTemp = async (): Promise<Database> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-audit-atomic-"));
  dirs.push(dir);
  const db = openDatabase(path.join(dir, "cairn.db"));
  databases.push(db);
  db.exec("CREATE TABLE things (name TEXT PRIMARY KEY)");
  return db;
};
afterEach(async () => {
  for (const db of databases.splice(0)) if (db.open) db.close();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const event = (name: string): NewAuditRecord => ({
  time: 1,
  actor: { name: "ada", verified: false },
  action: "test.thing.create",
  entityType: "thing",
  entityId: name,
  beforeJson: null,
  afterJson: null,
  requestId: `req-${name}`,
});

/** A store write as the SQLite stores make them: synchronous SQL inside an async method. */
const insertThing = async (db: Database, name: string): Promise<void> => {
  db.transaction(() => db.prepare("INSERT INTO things (name) VALUES (?)").run(name)).immediate();
};
const things = (db: Database): string[] => (db.prepare("SELECT name FROM things ORDER BY name").all() as { name: string }[]).map((row) => row.name);
const events = (db: Database): string[] =>
  (db.prepare("SELECT entity_id FROM audit_events ORDER BY seq").all() as { entity_id: string }[]).map((row) => row.entity_id);

describe("SqliteAuditStore.atomically", () => {
  it("commits the change and its event in one transaction: both are visible, the event chained", async () => {
    const db = await openTemp();
    const store = new SqliteAuditStore(db);
    const record = await store.atomically(async () => {
      await insertThing(db, "a");
      // Inside the unit the event is written now, not at the next loop turn.
      const appended = await store.append(event("a"));
      expect(db.inTransaction).toBe(true);
      return appended;
    });
    expect(db.inTransaction).toBe(false);
    expect(record.seq).toBe(1);
    expect(things(db)).toEqual(["a"]);
    expect(events(db)).toEqual(["a"]);
    expect(store.spannedUnits).toBe(0);
  });

  it("rolls back the change and its event together when the work throws", async () => {
    const db = await openTemp();
    const store = new SqliteAuditStore(db);
    await expect(
      store.atomically(async () => {
        await insertThing(db, "a");
        await store.append(event("a"));
        throw new Error("follower failed");
      }),
    ).rejects.toThrow("follower failed");
    // The group's transaction commits at the end of the loop turn, without the unit that failed.
    await new Promise((resolve) => setImmediate(resolve));
    expect(db.inTransaction).toBe(false);
    expect(things(db)).toEqual([]);
    expect(events(db)).toEqual([]);
    // The chain goes on from where it was: the rolled-back event left no gap.
    await store.atomically(async () => {
      await insertThing(db, "b");
      await store.append(event("b"));
    });
    expect((await store.readRange(0, 10)).map((r) => [r.seq, r.entityId])).toEqual([[1, "b"]]);
  });

  it("commits the units of one loop turn together, a failing one undone alone, the chain without a gap", async () => {
    const db = await openTemp();
    const store = new SqliteAuditStore(db);
    const unit = (name: string) =>
      store.atomically(async () => {
        await insertThing(db, name);
        await store.append(event(name));
        if (name === "b") throw new Error("b failed");
        return name;
      });
    const outcomes = await Promise.allSettled(["a", "b", "c"].map(unit));
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(things(db)).toEqual(["a", "c"]);
    expect((await store.readRange(0, 10)).map((r) => [r.seq, r.entityId])).toEqual([
      [1, "a"],
      [2, "c"],
    ]);
    expect((await new AuditService(store).verify()).ok).toBe(true);
  });

  it("runs concurrent units one after another and joins a nested one into its parent", async () => {
    const db = await openTemp();
    const store = new SqliteAuditStore(db);
    const unit = (name: string) =>
      store.atomically(async () => {
        await insertThing(db, name);
        await store.atomically(async () => store.append(event(name)));
        return name;
      });
    expect(await Promise.all(["a", "b", "c", "d"].map(unit))).toEqual(["a", "b", "c", "d"]);
    expect(things(db)).toEqual(["a", "b", "c", "d"]);
    expect(events(db)).toEqual(["a", "b", "c", "d"]);
    expect((await store.readRange(0, 10)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it("commits a unit whose work waits for I/O at the next loop turn, so no other write waits in it, and counts it", async () => {
    const db = await openTemp();
    const store = new SqliteAuditStore(db);
    await store.atomically(async () => {
      await insertThing(db, "a");
      await new Promise((resolve) => setTimeout(resolve, 5));
      // Committed already: another request's write here is its own transaction again.
      expect(db.inTransaction).toBe(false);
      await store.append(event("a"));
    });
    expect(store.spannedUnits).toBe(1);
    expect(things(db)).toEqual(["a"]);
    expect(events(db)).toEqual(["a"]);
  });

  it("keeps appends outside a unit group-committed as before", async () => {
    const db = await openTemp();
    const store = new SqliteAuditStore(db);
    const appended = await Promise.all([store.append(event("x")), store.append(event("y"))]);
    expect(appended.map((r) => r.seq)).toEqual([1, 2]);
  });
});
