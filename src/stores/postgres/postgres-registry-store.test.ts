import { describe, expect, it } from "vitest";
import { describeRegistryStoreContract } from "../../registry/store.contract.js";
import { PgRegistryStore } from "./pg-registry-store.js";
import { openPgRegistryStores } from "./registry-stores.js";
import { openRegistryTestDatabase } from "./test-support/registry-database.js";

describeRegistryStoreContract("postgresql", async () => {
  const opened = await openRegistryTestDatabase();
  return { store: new PgRegistryStore(opened.db), cleanup: opened.cleanup };
});

describe("PostgreSQL registry store: PostgreSQL specifics", () => {
  it("treats quotes, backslashes and LIKE metacharacters in names as data (LIKE ... ESCAPE '')", async () => {
    const opened = await openRegistryTestDatabase();
    try {
      const store = new PgRegistryStore(opened.db);
      for (const name of ["it's", "a\\b", "a\\%", "a%d", "a_c", "abc", "plain"]) await store.createRegisteredModel({ name, tags: [], now: 1 });
      const search = async (comparator: "=" | "LIKE" | "ILIKE", value: string): Promise<string[]> =>
        (await store.searchRegisteredModels({ filter: [{ entity: "attribute", key: "name", comparator, value }], orderBy: [], maxResults: 100 })).items.map(
          (model) => model.name,
        );
      expect(await search("=", "it's")).toEqual(["it's"]);
      // A backslash is a literal character, not an escape: 'a\%' is "a\" followed by anything.
      expect(await search("LIKE", "a\\%")).toEqual(["a\\%", "a\\b"]);
      expect(await search("LIKE", "a_c")).toEqual(["a_c", "abc"]);
      expect(await search("LIKE", "a%")).toEqual(["a%d", "a\\%", "a\\b", "a_c", "abc"]);
      expect(await search("ILIKE", "PLAIN")).toEqual(["plain"]);
      expect(await search("LIKE", "PLAIN")).toEqual([]);
    } finally {
      await opened.cleanup();
    }
  });

  it("orders names by code unit as SQLite does, whatever the server's locale (COLLATE \"C\")", async () => {
    const opened = await openRegistryTestDatabase();
    try {
      const store = new PgRegistryStore(opened.db);
      for (const name of ["b", "B", "_x", "a-b", "ab", "Ä", "a b"]) await store.createRegisteredModel({ name, tags: [], now: 1 });
      const page = await store.searchRegisteredModels({ filter: [], orderBy: [], maxResults: 100 });
      expect(page.items.map((model) => model.name)).toEqual(["B", "_x", "a b", "a-b", "ab", "b", "Ä"]);
    } finally {
      await opened.cleanup();
    }
  });

  it("cascades through foreign keys: a model row deleted directly takes its versions, tags, aliases and manifests", async () => {
    const opened = await openRegistryTestDatabase();
    try {
      const store = new PgRegistryStore(opened.db);
      await store.createRegisteredModel({ name: "m", tags: [{ key: "k", value: "v" }], now: 1 });
      await store.createModelVersion({ name: "m", source: "s", tags: [{ key: "k", value: "v" }], now: 2 });
      await store.setAlias("m", "a", "1", 3);
      await opened.db.query(
        "INSERT INTO model_version_manifests (version_key, root_key, root_is_file, origin, recorded_time) SELECT version_key, 'r', 0, 'registration', 4 FROM model_versions",
      );
      await opened.db.query("INSERT INTO model_version_files (version_key, path, size, sha256) SELECT version_key, 'f', 1, 'x' FROM model_versions");
      await opened.db.query("DELETE FROM registered_models WHERE name = 'm'");
      const tables = ["registered_model_tags", "model_versions", "model_version_tags", "registered_model_aliases", "model_version_manifests", "model_version_files"];
      const counts = await Promise.all(tables.map(async (table) => (await opened.db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n));
      expect(counts).toEqual([0, 0, 0, 0, 0, 0]);
    } finally {
      await opened.cleanup();
    }
  });

  it("joins an enclosing transaction: a failure later in it rolls the registry writes back", async () => {
    const opened = await openRegistryTestDatabase();
    try {
      const store = new PgRegistryStore(opened.db);
      await store.createRegisteredModel({ name: "m", tags: [], now: 1 });
      await expect(
        opened.db.transaction(async () => {
          await store.createModelVersion({ name: "m", source: "s", tags: [], now: 2 });
          await store.setAlias("m", "champion", "1", 3);
          throw new Error("the audit append failed");
        }),
      ).rejects.toThrow("the audit append failed");
      expect(await store.getModelVersion("m", "1")).toBeUndefined();
      expect((await store.createModelVersion({ name: "m", source: "s", tags: [], now: 4 })).version).toBe("1");
    } finally {
      await opened.cleanup();
    }
  });
});

describe("openPgRegistryStores", () => {
  it("opens the registry, governance, manifest and trace stores on one pool, each writing to the shared schema", async () => {
    const opened = await openRegistryTestDatabase();
    try {
      const stores = await openPgRegistryStores(opened.db, {});
      await stores.registry.createRegisteredModel({ name: "m", tags: [], now: 1 });
      await stores.registry.createModelVersion({ name: "m", source: "s", tags: [], now: 2 });
      const recorded = await stores.manifests?.record("m", "1", { rootKey: "r", rootIsFile: false, files: [{ path: "f", size: 1, sha256: "x" }] }, "registration", 3);
      expect(recorded?.created).toBe(true);
      expect((await stores.governance.addApproval({ name: "m", version: "1", target: "alias:champion", actor: { name: "ada", verified: true }, time: 4 })).created).toBe(true);
      const experimentId = await opened.experiment("e");
      const trace = { traceId: `tr-${"1".padStart(32, "0")}`, experimentId, requestTime: 5, state: "OK" as const, metadata: {}, tags: {} };
      expect(await stores.traces.upsertTrace(trace)).toEqual({ ...trace, assessments: [] });
    } finally {
      await opened.cleanup();
    }
  });
});
