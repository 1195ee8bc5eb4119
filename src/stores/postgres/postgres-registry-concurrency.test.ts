import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parsePostgresUri } from "./connection-uri.js";
import { PgDatabase } from "./pg-database.js";
import { PgRegistryStore } from "./pg-registry-store.js";
import { openRegistryTestDatabase, type RegistryTestDatabase } from "./test-support/registry-database.js";

/**
 * Several server processes on one database: each "process" here is its own PgDatabase pool, and the calls run
 * concurrently (Promise.all), so the statements of different pools interleave on the server as replicas' do.
 */
describe("PostgreSQL registry store: several processes on one database", () => {
  let opened: RegistryTestDatabase;
  let other: PgDatabase;
  let a: PgRegistryStore;
  let b: PgRegistryStore;

  beforeEach(async () => {
    opened = await openRegistryTestDatabase();
    other = new PgDatabase(parsePostgresUri(opened.uri), { maxConnections: 4 });
    a = new PgRegistryStore(opened.db);
    b = new PgRegistryStore(other);
    await a.createRegisteredModel({ name: "m", tags: [], now: 1 });
  });
  afterEach(async () => {
    await other.close();
    await opened.cleanup();
  });

  it("numbers concurrently created versions 1..N without gaps or duplicates", async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).createModelVersion({ name: "m", source: `s${i}`, tags: [], now: 2 + i })),
    );
    const numbers = created.map((version) => Number(version.version)).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const page = await b.searchModelVersions({ filter: [], orderBy: [{ key: "version_number", ascending: true }], maxResults: 100 });
    expect(page.items.map((version) => version.version)).toEqual(numbers.map(String));
    // Each version holds the source it was created with: no two creations shared a number.
    expect(new Set(page.items.map((version) => version.source)).size).toBe(40);
    expect((await a.getRegisteredModel("m"))?.latest_versions.map((version) => version.version)).toEqual(["40"]);
    // The counter continues after the concurrent burst, and a deleted number is not reused.
    await a.deleteModelVersion("m", "40");
    expect((await b.createModelVersion({ name: "m", source: "after", tags: [], now: 100 })).version).toBe("41");
  });

  it("reports each alias move's previous target once when moves race (the model row serialises them)", async () => {
    for (let i = 0; i < 10; i++) await a.createModelVersion({ name: "m", source: "s", tags: [], now: 2 + i });
    await a.setAlias("m", "champion", "1", 20);
    const moves = await Promise.all(
      Array.from({ length: 9 }, (_, i) => (i % 2 === 0 ? a : b).setAlias("m", "champion", String(i + 2), 30 + i)),
    );
    const previous = moves.map((move) => move.previousVersion);
    // A chain: every move replaced a different target; the initial one and all but the last move's are replaced once.
    expect(new Set(previous).size).toBe(9);
    expect(previous).toContain("1");
    const final = (await b.getVersionByAlias("m", "champion"))?.version;
    expect(final).toBeDefined();
    expect(previous).not.toContain(final);
    expect((await a.getRegisteredModel("m"))?.aliases).toEqual([{ alias: "champion", version: final }]);
  });

  it("leaves exactly one version in Production when archiving transitions race", async () => {
    for (let i = 0; i < 8; i++) await a.createModelVersion({ name: "m", source: "s", tags: [], now: 2 + i });
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).transitionStage("m", String(i + 1), "Production", true, 50 + i)));
    const page = await a.searchModelVersions({ filter: [], orderBy: [], maxResults: 100 });
    expect(page.items.filter((version) => version.current_stage === "Production")).toHaveLength(1);
    expect(page.items.filter((version) => version.current_stage === "Archived")).toHaveLength(7);
  });

  it("creates a name once when two processes create it at once; the other gets MLflow's error", async () => {
    const results = await Promise.allSettled([a, b, a, b].map((store, i) => store.createRegisteredModel({ name: "n", tags: [], now: 10 + i })));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") {
        expect(result.reason).toMatchObject({ code: "RESOURCE_ALREADY_EXISTS", message: "Registered Model (name=n) already exists." });
      }
    }
  });
});
