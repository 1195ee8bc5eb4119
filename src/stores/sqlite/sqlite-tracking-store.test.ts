import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { describeTrackingStoreContract } from "../../tracking/store.contract.js";
import { LATEST_SCHEMA_VERSION, openSqliteTrackingStore, SQLITE_MIGRATIONS } from "./index.js";

describeTrackingStoreContract("sqlite", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-store-"));
  const store = await openSqliteTrackingStore(path.join(dir, "nested", "tracking.db"));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe("SQLite tracking store: file and schema", () => {
  const dirs: string[] = [];
  const tempDb = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-sqlite-"));
    dirs.push(dir);
    return path.join(dir, "a", "b", "tracking.db");
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("stamps a fresh database with the latest schema version, in WAL mode with foreign keys", async () => {
    const file = await tempDb();
    const store = await openSqliteTrackingStore(file);
    expect(LATEST_SCHEMA_VERSION).toBe(SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]?.version);
    expect(store.database.prepare("SELECT version FROM schema_version").all()).toEqual([{ version: LATEST_SCHEMA_VERSION }]);
    expect(store.database.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.database.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(store.database.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
    await store.close();
  });

  it("creates the Default experiment with the configured artifact location", async () => {
    const store = await openSqliteTrackingStore(await tempDb(), {
      defaultExperimentArtifactLocation: "file:///srv/artifacts/0",
      now: () => 42,
    });
    expect(await store.getExperiment("0")).toEqual({
      experiment_id: "0",
      name: "Default",
      artifact_location: "file:///srv/artifacts/0",
      lifecycle_stage: "active",
      creation_time: 42,
      last_update_time: 42,
      tags: [],
    });
    await store.close();
  });

  it("refuses a database stamped with a newer schema version", async () => {
    const file = await tempDb();
    await (await openSqliteTrackingStore(file)).close();
    const raw = new Database(file);
    raw.prepare("UPDATE schema_version SET version = ?").run(LATEST_SCHEMA_VERSION + 6);
    raw.close();
    await expect(openSqliteTrackingStore(file)).rejects.toThrow(
      `database schema version ${LATEST_SCHEMA_VERSION + 6} is newer than this Cairn (${LATEST_SCHEMA_VERSION}); upgrade Cairn`,
    );
  });

  it("keeps data across reopening and does not re-run migrations", async () => {
    const file = await tempDb();
    const first = await openSqliteTrackingStore(file);
    const id = await first.createExperiment({ name: "kept", defaultArtifactLocation: (e) => `x/${e}`, tags: [], now: 7 });
    await first.createRun({ runId: "r1", experimentId: id, userId: "u", runName: "n", status: "RUNNING", startTime: 1, artifactUri: "a", tags: [] });
    await first.logBatch("r1", { metrics: [{ key: "m", value: 2.5, step: 3, timestamp: 4 }], params: [{ key: "p", value: "v" }], tags: [] });
    await first.close();
    const second = await openSqliteTrackingStore(file);
    expect((await second.getExperimentByName("kept"))?.experiment_id).toBe(id);
    const run = await second.getRun("r1");
    expect(run?.data.metrics).toEqual([{ key: "m", value: 2.5, step: 3, timestamp: 4 }]);
    expect(run?.data.params).toEqual([{ key: "p", value: "v" }]);
    expect(await second.createExperiment({ name: "next", defaultArtifactLocation: (e) => `x/${e}`, tags: [], now: 8 })).toBe("2");
    await second.close();
  });

  it("shares one file between two open stores (another process or a CLI next to the server)", async () => {
    const file = await tempDb();
    const one = await openSqliteTrackingStore(file);
    const two = await openSqliteTrackingStore(file);
    const id = await one.createExperiment({ name: "shared", defaultArtifactLocation: (e) => `x/${e}`, tags: [], now: 1 });
    await two.createRun({ runId: "r1", experimentId: id, userId: "u", runName: "n", status: "RUNNING", startTime: 1, artifactUri: "a", tags: [] });
    await one.logBatch("r1", { metrics: [{ key: "m", value: 1, step: 0, timestamp: 0 }], params: [], tags: [] });
    expect((await two.getRun("r1"))?.data.metrics).toEqual([{ key: "m", value: 1, step: 0, timestamp: 0 }]);
    expect((await one.getRun("r1"))?.info.experiment_id).toBe(id);
    await one.close();
    await two.close();
  });

  it("applies only pending migrations, in order, in one transaction", async () => {
    const { migrate } = await import("./migrations.js");
    const db = new Database(":memory:");
    const steps = [
      { version: 1, description: "one", sql: "CREATE TABLE one (x INTEGER)" },
      { version: 2, description: "two", sql: "CREATE TABLE two (x INTEGER)" },
    ];
    expect(migrate(db, steps.slice(0, 1))).toBe(1);
    expect(migrate(db, steps)).toBe(2);
    expect(migrate(db, steps)).toBe(2);
    const broken = [...steps, { version: 3, description: "bad", sql: "CREATE TABLE three (x INTEGER); SELEC nonsense" }];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.prepare("SELECT version FROM schema_version").get()).toEqual({ version: 2 });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'three'").get()).toBeUndefined();
    db.close();
  });
});
