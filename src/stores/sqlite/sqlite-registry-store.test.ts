import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeRegistryStoreContract } from "../../registry/store.contract.js";
import { openDatabase } from "./open-database.js";
import { SqliteRegistryStore } from "./sqlite-registry-store.js";

describeRegistryStoreContract("sqlite", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-registry-"));
  const db = openDatabase(path.join(dir, "cairn.db"));
  const store = new SqliteRegistryStore(db);
  return {
    store,
    cleanup: async () => {
      await store.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe("SQLite registry store: SQLite specifics", () => {
  const withFile = async (work: (file: string) => Promise<void>): Promise<void> => {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-registry-"));
    try {
      await work(path.join(dir, "cairn.db"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it("numbers versions without gaps or duplicates when two connections create them interleaved", async () => {
    await withFile(async (file) => {
      const one = openDatabase(file);
      const two = openDatabase(file);
      try {
        const a = new SqliteRegistryStore(one);
        const b = new SqliteRegistryStore(two);
        await a.createRegisteredModel({ name: "m", tags: [], now: 1 });
        const created: string[] = [];
        for (let i = 0; i < 20; i++) {
          const store = i % 2 === 0 ? a : b;
          created.push((await store.createModelVersion({ name: "m", source: "s", tags: [], now: 2 + i })).version);
        }
        expect(created).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
        expect((await b.getRegisteredModel("m"))?.latest_versions.map((v) => v.version)).toEqual(["20"]);
      } finally {
        one.close();
        two.close();
      }
    });
  });

  it("treats quotes, GLOB and LIKE metacharacters in names as data", async () => {
    await withFile(async (file) => {
      const db = openDatabase(file);
      try {
        const store = new SqliteRegistryStore(db);
        for (const name of ["it's", "a*b", "a[1]", "a?c", "a%d", "plain"]) {
          await store.createRegisteredModel({ name, tags: [], now: 1 });
        }
        const search = async (comparator: "=" | "LIKE" | "ILIKE", value: string): Promise<string[]> =>
          (
            await store.searchRegisteredModels({
              filter: [{ entity: "attribute", key: "name", comparator, value }],
              orderBy: [],
              maxResults: 100,
            })
          ).items.map((m) => m.name);
        expect(await search("=", "it's")).toEqual(["it's"]);
        expect(await search("LIKE", "a*%")).toEqual(["a*b"]);
        expect(await search("LIKE", "a[%")).toEqual(["a[1]"]);
        expect(await search("LIKE", "a?%")).toEqual(["a?c"]);
        expect(await search("LIKE", "a_c")).toEqual(["a?c"]);
        expect(await search("LIKE", "a%")).toEqual(["a%d", "a*b", "a?c", "a[1]"]);
        expect(await search("ILIKE", "PLAIN")).toEqual(["plain"]);
      } finally {
        db.close();
      }
    });
  });

  it("cascades through foreign keys too: a model row deleted directly takes its versions, tags and aliases", async () => {
    await withFile(async (file) => {
      const db = openDatabase(file);
      try {
        const store = new SqliteRegistryStore(db);
        await store.createRegisteredModel({ name: "m", tags: [{ key: "k", value: "v" }], now: 1 });
        await store.createModelVersion({ name: "m", source: "s", tags: [{ key: "k", value: "v" }], now: 2 });
        await store.setAlias("m", "a", "1", 3);
        db.prepare("DELETE FROM registered_models WHERE name = 'm'").run();
        const counts = ["registered_model_tags", "model_versions", "model_version_tags", "registered_model_aliases"].map(
          (table) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n,
        );
        expect(counts).toEqual([0, 0, 0, 0]);
      } finally {
        db.close();
      }
    });
  });
});
