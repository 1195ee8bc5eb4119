import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ModelVersion, RegisteredModel } from "../protocol/mlflow/registry-entities.js";
import type { NewModelVersion, RegistryComparison, RegistryOrderBy, RegistryStore } from "./store.js";
import { rejection } from "../core/test-support/rejection.js";

/**
 * The contract every RegistryStore backend passes (SQLite now, PostgreSQL later). Each test gets a fresh, empty
 * store and asserts exact values, so two backends that pass behave the same. The rules are MLflow's sqlalchemy
 * registry store's: version numbering, latest_versions, stage transitions, alias moves, cascades, which calls
 * stamp last_updated_timestamp, search filters, order and paging.
 */
export type OpenRegistryStore = () => Promise<{ store: RegistryStore; cleanup(): Promise<void> }>;

const cmp = (
  entity: RegistryComparison["entity"],
  key: string,
  comparator: RegistryComparison["comparator"],
  value: RegistryComparison["value"],
): RegistryComparison => ({ entity, key, comparator, value });

const order = (key: string, ascending: boolean): RegistryOrderBy => ({ key, ascending });

const modelNotFound = (name: string) => ({
  code: "RESOURCE_DOES_NOT_EXIST",
  message: `Registered Model with name=${name} not found`,
});
const versionNotFound = (name: string, version: string) => ({
  code: "RESOURCE_DOES_NOT_EXIST",
  message: `Model Version (name=${name}, version=${version}) not found`,
});

export function describeRegistryStoreContract(name: string, open: OpenRegistryStore): void {
  describe(`RegistryStore contract: ${name}`, () => {
    let store: RegistryStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    const createModel = (modelName: string, now = 1000, tags: { key: string; value: string }[] = []) =>
      store.createRegisteredModel({ name: modelName, tags, now });

    const createVersion = (modelName: string, now: number, overrides: Partial<NewModelVersion> = {}) =>
      store.createModelVersion({ name: modelName, source: `mlflow-artifacts:/0/r/artifacts/model`, tags: [], now, ...overrides });

    const names = (page: { items: { name: string }[] }): string[] => page.items.map((item) => item.name);
    const versionIds = (items: readonly ModelVersion[]): string[] => items.map((v) => `${v.name}/${v.version}`);

    describe("registered models", () => {
      it("creates a model with description, user and tags (a repeated key keeps its last value), returned whole", async () => {
        const created = await store.createRegisteredModel({
          name: "churn",
          description: "predicts churn",
          userId: "alice",
          tags: [
            { key: "team", value: "a" },
            { key: "domain", value: "crm" },
            { key: "team", value: "b" },
          ],
          now: 1234,
        });
        const expected: RegisteredModel = {
          name: "churn",
          creation_timestamp: 1234,
          last_updated_timestamp: 1234,
          user_id: "alice",
          description: "predicts churn",
          latest_versions: [],
          tags: [
            { key: "domain", value: "crm" },
            { key: "team", value: "b" },
          ],
          aliases: [],
        };
        expect(created).toEqual(expected);
        expect(await store.getRegisteredModel("churn")).toEqual(expected);
      });

      it("leaves optional fields out when not given", async () => {
        expect(await createModel("bare", 5)).toEqual({
          name: "bare",
          creation_timestamp: 5,
          last_updated_timestamp: 5,
          latest_versions: [],
          tags: [],
          aliases: [],
        });
      });

      it("refuses a taken name; names are case-sensitive", async () => {
        await createModel("m");
        expect(await rejection(createModel("m"))).toEqual({
          code: "RESOURCE_ALREADY_EXISTS",
          message: "Registered Model (name=m) already exists.",
        });
        await createModel("M");
        expect((await store.getRegisteredModel("M"))?.name).toBe("M");
        expect(await store.getRegisteredModel("mm")).toBeUndefined();
      });

      it("updates the description and last_updated_timestamp; an absent description clears it", async () => {
        await store.createRegisteredModel({ name: "m", description: "old", tags: [], now: 1000 });
        expect(await store.updateRegisteredModel("m", { description: "new" }, 2000)).toMatchObject({
          description: "new",
          creation_timestamp: 1000,
          last_updated_timestamp: 2000,
        });
        const cleared = await store.updateRegisteredModel("m", {}, 3000);
        expect(cleared.description).toBeUndefined();
        expect(cleared.last_updated_timestamp).toBe(3000);
        expect(await rejection(store.updateRegisteredModel("nope", { description: "x" }, 1))).toEqual(modelNotFound("nope"));
      });

      it("renames with versions, tags and aliases following; stamps the model and every version", async () => {
        await createModel("old", 1000, [{ key: "k", value: "v" }]);
        await createVersion("old", 1100);
        await createVersion("old", 1200);
        await store.setModelVersionTag("old", "2", { key: "vk", value: "vv" }, 1250);
        await store.setAlias("old", "champion", "2", 1300);
        const renamed = await store.renameRegisteredModel("old", "new", 5000);
        expect(renamed).toMatchObject({
          name: "new",
          creation_timestamp: 1000,
          last_updated_timestamp: 5000,
          tags: [{ key: "k", value: "v" }],
          aliases: [{ alias: "champion", version: "2" }],
        });
        expect(await store.getRegisteredModel("old")).toBeUndefined();
        expect(await store.getModelVersion("old", "1")).toBeUndefined();
        expect(await store.getModelVersion("new", "2")).toMatchObject({
          name: "new",
          version: "2",
          creation_timestamp: 1200,
          last_updated_timestamp: 5000,
          tags: [{ key: "vk", value: "vv" }],
          aliases: ["champion"],
        });
        expect((await store.getModelVersion("new", "1"))?.last_updated_timestamp).toBe(5000);
        expect((await store.getVersionByAlias("new", "champion"))?.version).toBe("2");
        expect((await createVersion("new", 6000)).version).toBe("3");
      });

      it("refuses a rename onto a taken name or of a missing model; renaming to the same name is allowed", async () => {
        await createModel("a");
        await createModel("b");
        expect(await rejection(store.renameRegisteredModel("a", "b", 2000))).toMatchObject({
          code: "RESOURCE_ALREADY_EXISTS",
          message: expect.stringMatching(/^Registered Model \(name=b\) already exists\./),
        });
        expect((await store.getRegisteredModel("a"))?.last_updated_timestamp).toBe(1000);
        expect(await rejection(store.renameRegisteredModel("nope", "c", 2000))).toEqual(modelNotFound("nope"));
        expect((await store.renameRegisteredModel("a", "a", 3000)).last_updated_timestamp).toBe(3000);
      });

      it("deletes a model with its versions, tags and aliases; the name can be used again from version 1", async () => {
        await createModel("m", 1000, [{ key: "k", value: "v" }]);
        await createVersion("m", 1100, { runId: "run1", tags: [{ key: "t", value: "1" }] });
        await createVersion("m", 1200);
        await store.setAlias("m", "champion", "1", 1300);
        await store.deleteRegisteredModel("m");
        expect(await store.getRegisteredModel("m")).toBeUndefined();
        expect(await store.getModelVersion("m", "1")).toBeUndefined();
        expect(await store.getVersionByAlias("m", "champion")).toBeUndefined();
        expect(await store.findModelVersionsByRunIds(["run1"])).toEqual([]);
        expect((await store.searchModelVersions({ filter: [], orderBy: [], maxResults: 10 })).items).toEqual([]);
        expect(await rejection(store.deleteRegisteredModel("m"))).toEqual(modelNotFound("m"));
        await createModel("m", 2000);
        const again = await createVersion("m", 2100);
        expect(again).toMatchObject({ version: "1", tags: [], aliases: [] });
        expect((await store.getRegisteredModel("m"))?.tags).toEqual([]);
      });

      it("sets (upserts) and deletes model tags without stamping the model; deleting a missing key is a no-op", async () => {
        await createModel("m", 1000);
        await store.setRegisteredModelTag("m", { key: "b", value: "1" }, 2000);
        await store.setRegisteredModelTag("m", { key: "a", value: "2" }, 2000);
        await store.setRegisteredModelTag("m", { key: "b", value: "3" }, 2000);
        expect(await store.getRegisteredModel("m")).toMatchObject({
          last_updated_timestamp: 1000,
          tags: [
            { key: "a", value: "2" },
            { key: "b", value: "3" },
          ],
        });
        await store.deleteRegisteredModelTag("m", "b", 3000);
        await store.deleteRegisteredModelTag("m", "missing", 3000);
        expect(await store.getRegisteredModel("m")).toMatchObject({
          last_updated_timestamp: 1000,
          tags: [{ key: "a", value: "2" }],
        });
        expect(await rejection(store.setRegisteredModelTag("nope", { key: "a", value: "b" }, 1))).toEqual(modelNotFound("nope"));
        expect(await rejection(store.deleteRegisteredModelTag("nope", "a", 1))).toEqual(modelNotFound("nope"));
      });
    });

    describe("model versions", () => {
      it("creates versions 1, 2, ... per model, READY in stage None, and stamps the model", async () => {
        await createModel("m", 1000);
        await createModel("other", 1000);
        const first = await store.createModelVersion({
          name: "m",
          source: "runs:/abc/model",
          runId: "abc",
          runLink: "http://x/abc",
          description: "first",
          userId: "bob",
          tags: [
            { key: "z", value: "1" },
            { key: "a", value: "2" },
          ],
          now: 2000,
        });
        const expected: ModelVersion = {
          name: "m",
          version: "1",
          creation_timestamp: 2000,
          last_updated_timestamp: 2000,
          user_id: "bob",
          current_stage: "None",
          description: "first",
          source: "runs:/abc/model",
          run_id: "abc",
          status: "READY",
          tags: [
            { key: "a", value: "2" },
            { key: "z", value: "1" },
          ],
          run_link: "http://x/abc",
          aliases: [],
        };
        expect(first).toEqual(expected);
        expect(await store.getModelVersion("m", "1")).toEqual(expected);
        expect((await createVersion("m", 3000)).version).toBe("2");
        expect((await createVersion("other", 3000)).version).toBe("1");
        expect((await store.getRegisteredModel("m"))?.last_updated_timestamp).toBe(3000);
        expect(await createVersion("m", 4000)).toEqual({
          name: "m",
          version: "3",
          creation_timestamp: 4000,
          last_updated_timestamp: 4000,
          current_stage: "None",
          source: "mlflow-artifacts:/0/r/artifacts/model",
          status: "READY",
          tags: [],
          aliases: [],
        });
        expect(await rejection(createVersion("nope", 1))).toEqual(modelNotFound("nope"));
      });

      it("keeps the logged model a version registers (MLflow 3 model_id) in get, search and the model's latest versions", async () => {
        await createModel("m", 1000);
        const modelId = "m-0123456789abcdef0123456789abcdef";
        const created = await store.createModelVersion({ name: "m", source: `models:/${modelId}`, runId: "abc", modelId, tags: [], now: 2000 });
        expect(created).toMatchObject({ version: "1", source: `models:/${modelId}`, run_id: "abc", model_id: modelId });
        expect((await store.getModelVersion("m", "1"))?.model_id).toBe(modelId);
        const found = await store.searchModelVersions({ filter: [], orderBy: [], maxResults: 10 });
        expect(found.items.map((version) => version.model_id)).toEqual([modelId]);
        expect((await store.getRegisteredModel("m"))?.latest_versions[0]?.model_id).toBe(modelId);
        // Versions without one have no model_id field at all (as MLflow leaves unset proto fields out).
        expect("model_id" in (await createVersion("m", 3000))).toBe(false);
      });

      it("never reuses a deleted version's number", async () => {
        await createModel("m");
        for (const now of [1, 2, 3]) await createVersion("m", now);
        await store.deleteModelVersion("m", "3");
        await store.deleteModelVersion("m", "2");
        expect((await createVersion("m", 4)).version).toBe("4");
      });

      it("returns undefined for missing or malformed versions", async () => {
        await createModel("m");
        await createVersion("m", 1);
        expect(await store.getModelVersion("m", "2")).toBeUndefined();
        expect(await store.getModelVersion("m", "one")).toBeUndefined();
        expect(await store.getModelVersion("nope", "1")).toBeUndefined();
      });

      it("updates a version's description, stamping the version but not the model", async () => {
        await createModel("m", 1000);
        await createVersion("m", 2000, { description: "old" });
        expect(await store.updateModelVersion("m", "1", { description: "new" }, 3000)).toMatchObject({
          description: "new",
          creation_timestamp: 2000,
          last_updated_timestamp: 3000,
        });
        expect((await store.updateModelVersion("m", "1", {}, 3500)).description).toBeUndefined();
        expect((await store.getRegisteredModel("m"))?.last_updated_timestamp).toBe(2000);
        expect(await rejection(store.updateModelVersion("m", "9", {}, 1))).toEqual(versionNotFound("m", "9"));
      });

      it("deletes a version with its tags and aliases and stamps the model when given a time", async () => {
        await createModel("m", 1000);
        await createVersion("m", 1100, { tags: [{ key: "k", value: "v" }] });
        await createVersion("m", 1200);
        await store.setAlias("m", "champion", "1", 1300);
        await store.setAlias("m", "other", "2", 1300);
        await store.deleteModelVersion("m", "1", 5000);
        expect(await store.getModelVersion("m", "1")).toBeUndefined();
        expect(await store.getVersionByAlias("m", "champion")).toBeUndefined();
        expect(await store.getRegisteredModel("m")).toMatchObject({
          last_updated_timestamp: 5000,
          aliases: [{ alias: "other", version: "2" }],
        });
        await store.deleteModelVersion("m", "2");
        expect((await store.getRegisteredModel("m"))?.last_updated_timestamp).toBe(5000);
        expect(await rejection(store.deleteModelVersion("m", "1", 6000))).toEqual(versionNotFound("m", "1"));
        expect(await rejection(store.deleteModelVersion("nope", "1", 6000))).toEqual(versionNotFound("nope", "1"));
      });

      it("sets and deletes version tags without stamping; a missing version is not found", async () => {
        await createModel("m");
        await createVersion("m", 2000);
        await store.setModelVersionTag("m", "1", { key: "b", value: "1" }, 3000);
        await store.setModelVersionTag("m", "1", { key: "a", value: "1" }, 3000);
        await store.setModelVersionTag("m", "1", { key: "b", value: "2" }, 3000);
        expect(await store.getModelVersion("m", "1")).toMatchObject({
          last_updated_timestamp: 2000,
          tags: [
            { key: "a", value: "1" },
            { key: "b", value: "2" },
          ],
        });
        await store.deleteModelVersionTag("m", "1", "a", 4000);
        await store.deleteModelVersionTag("m", "1", "missing", 4000);
        expect((await store.getModelVersion("m", "1"))?.tags).toEqual([{ key: "b", value: "2" }]);
        expect(await rejection(store.setModelVersionTag("m", "2", { key: "a", value: "b" }, 1))).toEqual(versionNotFound("m", "2"));
        expect(await rejection(store.deleteModelVersionTag("m", "2", "a", 1))).toEqual(versionNotFound("m", "2"));
      });

      it("finds versions by run ids, ordered by model name then version", async () => {
        await createModel("b");
        await createModel("a");
        await createVersion("b", 1, { runId: "r1" });
        await createVersion("a", 2, { runId: "r2" });
        await createVersion("a", 3, { runId: "r1" });
        await createVersion("a", 4, { runId: "r3" });
        expect(versionIds(await store.findModelVersionsByRunIds(["r1", "r2"]))).toEqual(["a/1", "a/2", "b/1"]);
        expect(await store.findModelVersionsByRunIds([])).toEqual([]);
        expect(await store.findModelVersionsByRunIds(["none"])).toEqual([]);
      });
    });

    describe("stages", () => {
      it("transitions a version, stamping it and the model; other versions keep their stage", async () => {
        await createModel("m", 1000);
        await createVersion("m", 1100);
        await createVersion("m", 1200);
        await store.transitionStage("m", "1", "Production", false, 2000);
        const moved = await store.transitionStage("m", "2", "Production", false, 3000);
        expect(moved).toMatchObject({ version: "2", current_stage: "Production", last_updated_timestamp: 3000 });
        expect(await store.getModelVersion("m", "1")).toMatchObject({ current_stage: "Production", last_updated_timestamp: 2000 });
        expect((await store.getRegisteredModel("m"))?.last_updated_timestamp).toBe(3000);
      });

      it("archives the other versions of the target stage with archive_existing_versions", async () => {
        await createModel("m", 1000);
        for (const now of [1100, 1200, 1300, 1400]) await createVersion("m", now);
        await store.transitionStage("m", "1", "Production", false, 2000);
        await store.transitionStage("m", "2", "Production", false, 2000);
        await store.transitionStage("m", "3", "Staging", false, 2000);
        await store.transitionStage("m", "4", "Production", true, 3000);
        const stages = await Promise.all(
          ["1", "2", "3", "4"].map(async (v) => {
            const version = await store.getModelVersion("m", v);
            return [version?.current_stage, version?.last_updated_timestamp];
          }),
        );
        expect(stages).toEqual([
          ["Archived", 3000],
          ["Archived", 3000],
          ["Staging", 2000],
          ["Production", 3000],
        ]);
      });

      it("refuses archive_existing_versions for a non-active stage and transitions of missing versions", async () => {
        await createModel("m");
        await createVersion("m", 1);
        for (const stage of ["None", "Archived"] as const) {
          expect(await rejection(store.transitionStage("m", "1", stage, true, 2))).toEqual({
            code: "INVALID_PARAMETER_VALUE",
            message:
              `Model version transition cannot archive existing model versions because '${stage}' is not an Active ` +
              "stage. Valid stages are ['Staging', 'Production']",
          });
        }
        expect((await store.transitionStage("m", "1", "Archived", false, 3)).current_stage).toBe("Archived");
        expect(await rejection(store.transitionStage("m", "7", "Staging", false, 2))).toEqual(versionNotFound("m", "7"));
        expect(await rejection(store.transitionStage("nope", "1", "Staging", false, 2))).toEqual(versionNotFound("nope", "1"));
      });

      it("keeps per stage the newest version, stages ordered by their lowest version (MLflow's latest_versions)", async () => {
        await createModel("m");
        for (const now of [1, 2, 3, 4, 5]) await createVersion("m", now);
        await store.transitionStage("m", "2", "Production", false, 10);
        await store.transitionStage("m", "4", "Staging", false, 10);
        await store.transitionStage("m", "1", "Staging", false, 10);
        // None: 3, 5; Staging: 1, 4; Production: 2  ->  Staging (from 1), Production (from 2), None (from 3).
        const latest = await store.getLatestVersions("m", []);
        expect(latest.map((v) => [v.version, v.current_stage])).toEqual([
          ["4", "Staging"],
          ["2", "Production"],
          ["5", "None"],
        ]);
        expect((await store.getRegisteredModel("m"))?.latest_versions).toEqual(latest);
        expect((await store.getLatestVersions("m", ["None", "Production"])).map((v) => v.version)).toEqual(["2", "5"]);
        expect(await store.getLatestVersions("m", ["Archived"])).toEqual([]);
        expect(await rejection(store.getLatestVersions("nope", []))).toEqual(modelNotFound("nope"));
      });

      it("drops a deleted version from latest_versions", async () => {
        await createModel("m");
        await createVersion("m", 1);
        await createVersion("m", 2);
        await store.deleteModelVersion("m", "2", 3);
        expect((await store.getLatestVersions("m", [])).map((v) => v.version)).toEqual(["1"]);
        await store.deleteModelVersion("m", "1", 4);
        expect(await store.getLatestVersions("m", [])).toEqual([]);
      });
    });

    describe("aliases", () => {
      it("sets, moves and deletes an alias, reporting the version it pointed to, without stamping anything", async () => {
        await createModel("m", 1000);
        await createVersion("m", 1100);
        await createVersion("m", 1200);
        expect(await store.setAlias("m", "champion", "1", 2000)).toEqual({});
        expect(await store.setAlias("m", "champion", "2", 2100)).toEqual({ previousVersion: "1" });
        expect(await store.setAlias("m", "champion", "2", 2200)).toEqual({ previousVersion: "2" });
        await store.setAlias("m", "backup", "1", 2300);
        expect(await store.getRegisteredModel("m")).toMatchObject({
          last_updated_timestamp: 1200,
          aliases: [
            { alias: "backup", version: "1" },
            { alias: "champion", version: "2" },
          ],
        });
        expect(await store.getModelVersion("m", "2")).toMatchObject({ aliases: ["champion"], last_updated_timestamp: 1200 });
        expect(await store.getVersionByAlias("m", "champion")).toEqual(await store.getModelVersion("m", "2"));
        expect(await store.deleteAlias("m", "champion", 3000)).toEqual({ previousVersion: "2" });
        expect(await store.deleteAlias("m", "champion", 3000)).toEqual({});
        expect(await store.getVersionByAlias("m", "champion")).toBeUndefined();
        expect((await store.getModelVersion("m", "2"))?.aliases).toEqual([]);
      });

      it("gives a version all its aliases, and keeps aliases per model", async () => {
        await createModel("a");
        await createModel("b");
        await createVersion("a", 1);
        await createVersion("b", 1);
        await store.setAlias("a", "prod", "1", 2);
        await store.setAlias("a", "canary", "1", 2);
        await store.setAlias("b", "prod", "1", 2);
        expect((await store.getModelVersion("a", "1"))?.aliases).toEqual(["canary", "prod"]);
        await store.deleteAlias("a", "prod", 3);
        expect((await store.getVersionByAlias("b", "prod"))?.name).toBe("b");
      });

      it("refuses an alias on a missing version or model, and an alias delete on a missing model", async () => {
        await createModel("m");
        await createVersion("m", 1);
        expect(await rejection(store.setAlias("m", "x", "5", 2))).toEqual(versionNotFound("m", "5"));
        expect(await rejection(store.setAlias("nope", "x", "1", 2))).toEqual(versionNotFound("nope", "1"));
        expect(await rejection(store.deleteAlias("nope", "x", 2))).toEqual(modelNotFound("nope"));
        expect(await store.getVersionByAlias("nope", "x")).toBeUndefined();
      });
    });

    describe("search registered models", () => {
      const seed = async (): Promise<void> => {
        await createModel("alpha", 3000, [{ key: "team", value: "risk" }]);
        await createModel("Beta", 1000, [{ key: "team", value: "growth" }]);
        await createModel("beta-2", 2000);
        await createModel("gamma", 4000, [
          { key: "team", value: "Risk" },
          { key: "tier", value: "1" },
        ]);
      };
      const search = (filter: RegistryComparison[], orderBy: RegistryOrderBy[] = [], maxResults = 100, pageToken?: string) =>
        store.searchRegisteredModels({ filter, orderBy, maxResults, pageToken });

      it("lists all models by name ascending (binary order) by default, whole", async () => {
        await seed();
        await createVersion("alpha", 3500);
        const page = await search([]);
        expect(names(page)).toEqual(["Beta", "alpha", "beta-2", "gamma"]);
        expect(page.nextPageToken).toBeUndefined();
        expect(page.items[1]).toEqual(await store.getRegisteredModel("alpha"));
        expect(page.items[1]?.latest_versions.map((v) => v.version)).toEqual(["1"]);
      });

      it("filters on name with =, !=, case-sensitive LIKE and ILIKE", async () => {
        await seed();
        expect(names(await search([cmp("attribute", "name", "=", "alpha")]))).toEqual(["alpha"]);
        expect(names(await search([cmp("attribute", "name", "=", "ALPHA")]))).toEqual([]);
        expect(names(await search([cmp("attribute", "name", "!=", "alpha")]))).toEqual(["Beta", "beta-2", "gamma"]);
        expect(names(await search([cmp("attribute", "name", "LIKE", "beta%")]))).toEqual(["beta-2"]);
        expect(names(await search([cmp("attribute", "name", "LIKE", "%a")]))).toEqual(["Beta", "alpha", "gamma"]);
        expect(names(await search([cmp("attribute", "name", "ILIKE", "BETA%")]))).toEqual(["Beta", "beta-2"]);
        expect(names(await search([cmp("attribute", "name", "LIKE", "_eta")]))).toEqual(["Beta"]);
      });

      it("filters on tags (the tag must exist) and ANDs comparisons", async () => {
        await seed();
        expect(names(await search([cmp("tag", "team", "=", "risk")]))).toEqual(["alpha"]);
        expect(names(await search([cmp("tag", "team", "ILIKE", "risk")]))).toEqual(["alpha", "gamma"]);
        expect(names(await search([cmp("tag", "team", "!=", "risk")]))).toEqual(["Beta", "gamma"]);
        expect(names(await search([cmp("tag", "team", "LIKE", "R%")]))).toEqual(["gamma"]);
        expect(
          names(await search([cmp("tag", "team", "ILIKE", "r%"), cmp("tag", "tier", "=", "1"), cmp("attribute", "name", "LIKE", "g%")])),
        ).toEqual(["gamma"]);
        expect(names(await search([cmp("tag", "missing", "!=", "x")]))).toEqual([]);
      });

      it("keeps tag values of MLflow's maximum length (5,000 characters, incompressible) and finds them by value", async () => {
        // Printable characters from a fixed pseudo-random sequence: nothing a database could compress much.
        let seed = 7;
        const long = Array.from({ length: 5000 }, () => String.fromCharCode(33 + ((seed = (seed * 48271) % 2147483647) % 94))).join("");
        await createModel("long", 1, [{ key: "notes", value: long }]);
        await createVersion("long", 2, { tags: [{ key: "notes", value: long }] });
        expect((await store.getRegisteredModel("long"))?.tags).toEqual([{ key: "notes", value: long }]);
        expect(names(await search([cmp("tag", "notes", "=", long)]))).toEqual(["long"]);
        const versions = await store.searchModelVersions({ filter: [cmp("tag", "notes", "=", long)], orderBy: [], maxResults: 10 });
        expect(versionIds(versions.items)).toEqual(["long/1"]);
      });

      it("orders by timestamps with name as the tie-breaker", async () => {
        await seed();
        await createModel("delta", 2000);
        expect(names(await search([], [order("creation_timestamp", true)]))).toEqual(["Beta", "beta-2", "delta", "alpha", "gamma"]);
        await store.updateRegisteredModel("Beta", { description: "x" }, 9000);
        expect(names(await search([], [order("last_updated_timestamp", false)]))).toEqual([
          "Beta",
          "gamma",
          "alpha",
          "beta-2",
          "delta",
        ]);
        expect(names(await search([], [order("name", false)]))).toEqual(["gamma", "delta", "beta-2", "alpha", "Beta"]);
      });

      it("pages with opaque tokens and refuses a foreign token", async () => {
        await seed();
        const first = await search([], [], 3);
        expect(names(first)).toEqual(["Beta", "alpha", "beta-2"]);
        expect(first.nextPageToken).toEqual(expect.any(String));
        const second = await search([], [], 3, first.nextPageToken);
        expect(names(second)).toEqual(["gamma"]);
        expect(second.nextPageToken).toBeUndefined();
        const exact = await search([], [], 4);
        expect(exact.nextPageToken).toBeUndefined();
        expect((await rejection(search([], [], 3, "not a token"))).code).toBe("INVALID_PARAMETER_VALUE");
      });
    });

    describe("search and prompts", () => {
      const PROMPT = "mlflow.prompt.is_prompt";
      const seed = async (): Promise<void> => {
        await createModel("model", 1);
        await createModel("prompt", 1, [{ key: PROMPT, value: "true" }]);
        await createModel("flagged-false", 1, [{ key: PROMPT, value: "false" }]);
        await createVersion("model", 2);
        await createVersion("prompt", 3, { tags: [{ key: PROMPT, value: "true" }] });
      };
      const models = async (filter: RegistryComparison[]): Promise<string[]> =>
        names(await store.searchRegisteredModels({ filter, orderBy: [], maxResults: 100 }));
      const versions = async (filter: RegistryComparison[]): Promise<string[]> =>
        versionIds((await store.searchModelVersions({ filter, orderBy: [], maxResults: 100 })).items);

      it("leaves prompts out and ignores the prompt-tag clause that MLflow clients append", async () => {
        await seed();
        expect(await models([])).toEqual(["flagged-false", "model"]);
        expect(await models([cmp("attribute", "name", "LIKE", "%"), cmp("tag", PROMPT, "!=", "true")])).toEqual([
          "flagged-false",
          "model",
        ]);
        expect(await models([cmp("tag", PROMPT, "=", "false")])).toEqual(["flagged-false", "model"]);
        expect(await versions([])).toEqual(["model/1"]);
        expect(await versions([cmp("tag", PROMPT, "!=", "true")])).toEqual(["model/1"]);
      });

      it("returns only prompts when the filter asks for them (= 'true' or != 'false', any case)", async () => {
        await seed();
        expect(await models([cmp("tag", PROMPT, "=", "TRUE")])).toEqual([]);
        expect(await models([cmp("tag", PROMPT, "=", "true")])).toEqual(["prompt"]);
        expect(await models([cmp("tag", PROMPT, "!=", "false")])).toEqual(["prompt"]);
        expect(await versions([cmp("tag", PROMPT, "=", "true")])).toEqual(["prompt/1"]);
      });
    });

    describe("search model versions", () => {
      const seed = async (): Promise<void> => {
        await createModel("a", 1);
        await createModel("b", 1);
        await createVersion("a", 10, { runId: "r1", source: "runs:/r1/model" });
        await createVersion("a", 20, { runId: "r2", source: "mlflow-artifacts:/1/r2/artifacts/model" });
        await createVersion("b", 20, { runId: "r1", source: "runs:/r1/other", tags: [{ key: "ok", value: "yes" }] });
        await createVersion("b", 5, { tags: [{ key: "ok", value: "no" }] });
        await createVersion("a", 30);
      };
      const search = (filter: RegistryComparison[], orderBy: RegistryOrderBy[] = [], maxResults = 100, pageToken?: string) =>
        store.searchModelVersions({ filter, orderBy, maxResults, pageToken });

      it("orders by last_updated_timestamp DESC, name ASC, version DESC by default, versions whole", async () => {
        await seed();
        const page = await search([]);
        expect(versionIds(page.items)).toEqual(["a/3", "a/2", "b/1", "a/1", "b/2"]);
        await store.setAlias("b", "champion", "1", 40);
        expect((await search([])).items[2]).toEqual(await store.getModelVersion("b", "1"));
      });

      it("filters on name, run_id (= and IN), source_path, version_number and tags", async () => {
        await seed();
        expect(versionIds((await search([cmp("attribute", "name", "=", "b")])).items)).toEqual(["b/1", "b/2"]);
        expect(versionIds((await search([cmp("attribute", "run_id", "=", "r1")])).items)).toEqual(["b/1", "a/1"]);
        expect(versionIds((await search([cmp("attribute", "run_id", "IN", ["r1", "r2"])])).items)).toEqual(["a/2", "b/1", "a/1"]);
        expect(versionIds((await search([cmp("attribute", "run_id", "!=", "r1")])).items)).toEqual(["a/2"]);
        expect(versionIds((await search([cmp("attribute", "source_path", "LIKE", "runs:/%")])).items)).toEqual(["b/1", "a/1"]);
        expect(versionIds((await search([cmp("attribute", "version_number", ">", 1)])).items)).toEqual(["a/3", "a/2", "b/2"]);
        expect(versionIds((await search([cmp("attribute", "version_number", "<=", 1), cmp("attribute", "name", "ILIKE", "A")])).items)).toEqual(["a/1"]);
        expect(versionIds((await search([cmp("tag", "ok", "=", "yes")])).items)).toEqual(["b/1"]);
        expect(versionIds((await search([cmp("tag", "ok", "LIKE", "%")])).items)).toEqual(["b/1", "b/2"]);
        expect(versionIds((await search([cmp("attribute", "run_id", "IN", ["zzz"])])).items)).toEqual([]);
      });

      it("compares version_number with a fraction or a number beyond BIGINT as numbers (MLflow accepts them)", async () => {
        await seed();
        expect(versionIds((await search([cmp("attribute", "version_number", ">", 1.5)])).items)).toEqual(["a/3", "a/2", "b/2"]);
        expect(versionIds((await search([cmp("attribute", "version_number", "=", 1.5)])).items)).toEqual([]);
        expect(versionIds((await search([cmp("attribute", "version_number", "!=", 2.5)])).items)).toEqual(["a/3", "a/2", "b/1", "a/1", "b/2"]);
        expect(versionIds((await search([cmp("attribute", "version_number", "<", 1e30)])).items)).toEqual(["a/3", "a/2", "b/1", "a/1", "b/2"]);
      });

      it("orders by given keys, then name ASC and version DESC", async () => {
        await seed();
        expect(versionIds((await search([], [order("version_number", true)])).items)).toEqual(["a/1", "b/1", "a/2", "b/2", "a/3"]);
        expect(versionIds((await search([], [order("creation_timestamp", true)])).items)).toEqual(["b/2", "a/1", "a/2", "b/1", "a/3"]);
        expect(versionIds((await search([], [order("name", false)])).items)).toEqual(["b/2", "b/1", "a/3", "a/2", "a/1"]);
      });

      it("pages through every version exactly once", async () => {
        await seed();
        const seen: string[] = [];
        let token: string | undefined;
        do {
          const page = await search([], [], 2, token);
          seen.push(...versionIds(page.items));
          token = page.nextPageToken;
        } while (token !== undefined);
        expect(seen).toEqual(["a/3", "a/2", "b/1", "a/1", "b/2"]);
      });

      it("does not list deleted versions", async () => {
        await seed();
        await store.deleteModelVersion("a", "2", 50);
        expect(versionIds((await search([cmp("attribute", "name", "=", "a")])).items)).toEqual(["a/3", "a/1"]);
      });
    });
  });
}
