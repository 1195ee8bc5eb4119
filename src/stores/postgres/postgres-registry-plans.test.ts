import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileModelVersionSearch, compileRegisteredModelSearch } from "../sql/registry-search-compiler.js";
import { PgRegistryStore } from "./pg-registry-store.js";
import { MODEL_JSON, VERSION_JSON } from "./pg-registry-rows.js";
import { postgresDialect } from "./postgres-dialect.js";
import { openRegistryTestDatabase, type RegistryTestDatabase } from "./test-support/registry-database.js";

/** Plans of the registry's hot reads over a seeded, analysed database: index scans, never a scan of a whole table. */
describe("PostgreSQL registry store: hot reads use indexes", () => {
  let opened: RegistryTestDatabase;

  beforeAll(async () => {
    opened = await openRegistryTestDatabase();
    const { db } = opened;
    // 2,000 models of 5 versions each, an alias per model, a tag per model and version: enough rows for the planner
    // to prefer indexes, seeded in set-based statements.
    await db.query(
      `INSERT INTO registered_models (name, creation_time, last_updated_time, last_version)
       SELECT 'model-' || lpad(i::text, 5, '0'), i, i, 5 FROM generate_series(1, 2000) AS i`,
    );
    await db.query(
      `INSERT INTO model_versions (model_key, name, version, creation_time, last_updated_time, current_stage, source, run_id, status)
       SELECT m.model_key, m.name, v, m.creation_time + v, m.creation_time + v, 'None', 's3://b/' || m.name || '/' || v,
              md5(m.name || v), 'READY'
       FROM registered_models m CROSS JOIN generate_series(1, 5) AS v`,
    );
    await db.query("INSERT INTO registered_model_tags (model_key, key, value) SELECT model_key, 'team', 'team-' || (model_key % 50) FROM registered_models");
    await db.query("INSERT INTO model_version_tags (version_key, key, value) SELECT version_key, 'stage', 'x' || (version % 3) FROM model_versions");
    await db.query(
      `INSERT INTO registered_model_aliases (model_key, alias, version_key)
       SELECT model_key, 'champion', version_key FROM model_versions WHERE version = 3`,
    );
    await db.query("ANALYZE");
  });
  afterAll(async () => {
    await opened.cleanup();
  });

  const plan = async (sql: string, params: unknown[]): Promise<string> =>
    (await opened.db.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params)).map((row) => row["QUERY PLAN"]).join("\n");

  it("looks an alias up through the models' name key and the aliases' primary key", async () => {
    const text = await plan(
      `SELECT ${VERSION_JSON} AS j FROM registered_models m
       JOIN registered_model_aliases ra ON ra.model_key = m.model_key AND ra.alias = $2
       JOIN model_versions v ON v.version_key = ra.version_key WHERE m.name = $1`,
      ["model-01234", "champion"],
    );
    expect(text).toContain("registered_models_name_key");
    expect(text).toContain("registered_model_aliases_pkey");
    expect(text).not.toContain("Seq Scan");
    expect((await new PgRegistryStore(opened.db).getVersionByAlias("model-01234", "champion"))?.version).toBe("3");
  });

  it("loads a model (tags, aliases, latest versions) by index", async () => {
    const text = await plan(`SELECT ${MODEL_JSON} AS j FROM registered_models m WHERE m.name = $1`, ["model-01234"]);
    expect(text).not.toContain("Seq Scan");
  });

  it("searches models by a name prefix (an index range: LIKE ... ESCAPE '' on a \"C\" column) and in the default order from indexes", async () => {
    const search = (filter: Parameters<typeof compileRegisteredModelSearch>[1]["filter"]) =>
      compileRegisteredModelSearch(postgresDialect, { filter, orderBy: [], limit: 101, offset: 0, columns: `${MODEL_JSON} AS j` });
    const prefix = search([{ entity: "attribute", key: "name", comparator: "LIKE", value: "model-012%" }]);
    const prefixPlan = await plan(prefix.sql, prefix.params);
    expect(prefixPlan).toContain("Index Cond: ((name >= 'model-012'::text) AND (name < 'model-013'::text))");
    const all = search([]);
    const allPlan = await plan(all.sql, all.params);
    expect(allPlan).toContain("Index Scan using registered_models_name_key");
    // The page comes off the name index in order: no sort of the table (the subplans sort a model's few stages).
    expect(allPlan.split("SubPlan")[0]).not.toMatch(/Seq Scan|Sort Key/);
    // A tag filter is driven from the tags' value index (a hash index: values may be 5,000 characters), the key
    // checked on the rows found; the small models table may then be read whole.
    const tagged = search([{ entity: "tag", key: "team", comparator: "=", value: "team-7" }]);
    const taggedPlan = await plan(tagged.sql, tagged.params);
    expect(taggedPlan).toContain("registered_model_tags_key_value");
    expect(taggedPlan).toContain("Index Cond: (value = 'team-7'::text)");
    expect(taggedPlan).not.toMatch(/Seq Scan on registered_model_tags/);
    const page = await new PgRegistryStore(opened.db).searchRegisteredModels({
      filter: [{ entity: "attribute", key: "name", comparator: "LIKE", value: "model-012%" }],
      orderBy: [],
      maxResults: 3,
    });
    expect(page.items.map((model) => [model.name, model.aliases, model.latest_versions.map((v) => v.version)])).toEqual([
      ["model-01200", [{ alias: "champion", version: "3" }], ["5"]],
      ["model-01201", [{ alias: "champion", version: "3" }], ["5"]],
      ["model-01202", [{ alias: "champion", version: "3" }], ["5"]],
    ]);
  });

  it("searches versions of a model and by run id from indexes", async () => {
    for (const filter of [
      [{ entity: "attribute" as const, key: "name", comparator: "=" as const, value: "model-01234" }],
      [{ entity: "attribute" as const, key: "run_id", comparator: "=" as const, value: "abc" }],
    ]) {
      const compiled = compileModelVersionSearch(postgresDialect, { filter, orderBy: [], limit: 101, offset: 0, columns: `${VERSION_JSON} AS j` });
      const text = await plan(compiled.sql, compiled.params);
        expect(text).not.toMatch(/Seq Scan on model_versions\b/);
    }
  });
});
