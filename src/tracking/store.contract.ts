import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DatasetInput, Metric, MetricWithRunId, Run } from "../protocol/mlflow/entities.js";
import { orderSampledHistory, sampleMetricHistory } from "./metric-sampling.js";
import type { Comparator, FilterEntity, FilterExpression, OrderByClause } from "./search/ast.js";
import { filterRuns, sortRuns } from "./search/evaluate.js";
import type { NewRun, RunSearch, TrackingStore } from "./store.js";
import { rejection } from "../core/test-support/rejection.js";

/**
 * The contract every TrackingStore backend passes (the SQLite store now, PostgreSQL later). Each test gets a fresh,
 * empty store (only the Default experiment) and asserts exact values, so two backends that pass behave the same.
 */
export type OpenTrackingStore = () => Promise<{ store: TrackingStore; cleanup(): Promise<void> }>;

const location = (id: string): string => `mlflow-artifacts:/${id}`;

const cmp = (entity: FilterEntity, key: string, comparator: Comparator, value: number | string | string[]): FilterExpression => ({
  kind: "compare",
  entity,
  key,
  comparator,
  value,
});
const isNull = (entity: "metric" | "param" | "tag" | "attribute", key: string, negated = false): FilterExpression => ({
  kind: "null-check",
  entity,
  key,
  negated,
});
const and = (...operands: FilterExpression[]): FilterExpression => ({ kind: "and", operands });
const or = (...operands: FilterExpression[]): FilterExpression => ({ kind: "or", operands });
const order = (entity: OrderByClause["entity"], key: string, ascending: boolean): OrderByClause => ({
  entity,
  key,
  ascending,
});
const metric = (key: string, value: number, step: number, timestamp: number): Metric => ({ key, value, step, timestamp });

export function describeTrackingStoreContract(name: string, open: OpenTrackingStore): void {
  describe(`TrackingStore contract: ${name}`, () => {
    let store: TrackingStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    const createExperiment = (experimentName: string, now = 1000, artifactLocation?: string): Promise<string> =>
      store.createExperiment({ name: experimentName, artifactLocation, defaultArtifactLocation: location, tags: [], now });

    const createRun = (experimentId: string, runId: string, overrides: Partial<NewRun> = {}): Promise<Run> =>
      store.createRun({
        runId,
        experimentId,
        userId: "alice",
        runName: `name-${runId}`,
        status: "RUNNING",
        startTime: 100,
        artifactUri: `${location(experimentId)}/${runId}/artifacts`,
        tags: [],
        ...overrides,
      });

    const log = (runId: string, metrics: Metric[] = [], params: { key: string; value: string }[] = [], tags: { key: string; value: string }[] = []) =>
      store.logBatch(runId, { metrics, params, tags });

    describe("experiments", () => {
      it("has the Default experiment with id 0", async () => {
        const experiment = await store.getExperiment("0");
        expect(experiment).toMatchObject({ experiment_id: "0", name: "Default", lifecycle_stage: "active", tags: [] });
        expect((await store.getExperimentByName("Default"))?.experiment_id).toBe("0");
      });

      it("creates experiments with increasing ids, default or explicit artifact locations and tags", async () => {
        const first = await createExperiment("first", 1234);
        const second = await store.createExperiment({
          name: "second",
          artifactLocation: "s3://bucket/x",
          defaultArtifactLocation: location,
          tags: [
            { key: "b", value: "2" },
            { key: "a", value: "1" },
          ],
          now: 5678,
        });
        expect([first, second]).toEqual(["1", "2"]);
        expect(await store.getExperiment("1")).toEqual({
          experiment_id: "1",
          name: "first",
          artifact_location: "mlflow-artifacts:/1",
          lifecycle_stage: "active",
          creation_time: 1234,
          last_update_time: 1234,
          tags: [],
        });
        const got = await store.getExperimentByName("second");
        expect(got?.artifact_location).toBe("s3://bucket/x");
        expect(got?.creation_time).toBe(5678);
        expect(got?.tags).toEqual([
          { key: "a", value: "1" },
          { key: "b", value: "2" },
        ]);
      });

      it("rejects a duplicate name, also of a deleted experiment", async () => {
        const id = await createExperiment("dup");
        expect(await rejection(createExperiment("dup"))).toMatchObject({
          code: "RESOURCE_ALREADY_EXISTS",
          message: expect.stringMatching(/^Experiment\(name=dup\) already exists/),
        });
        await store.setExperimentLifecycle(id, "deleted", 2000);
        expect((await rejection(createExperiment("dup"))).code).toBe("RESOURCE_ALREADY_EXISTS");
      });

      it("returns undefined for unknown ids and names", async () => {
        expect(await store.getExperiment("42")).toBeUndefined();
        expect(await store.getExperiment("not-a-number")).toBeUndefined();
        expect(await store.getExperimentByName("nope")).toBeUndefined();
      });

      it("renames, updating last_update_time; refuses taken names, missing and deleted experiments", async () => {
        const id = await createExperiment("old", 1000);
        await createExperiment("taken");
        await store.renameExperiment(id, "new", 3000);
        expect(await store.getExperiment(id)).toMatchObject({ name: "new", creation_time: 1000, last_update_time: 3000 });
        expect(await store.getExperimentByName("old")).toBeUndefined();
        expect((await rejection(store.renameExperiment(id, "taken", 4000))).code).toBe("RESOURCE_ALREADY_EXISTS");
        expect(await rejection(store.renameExperiment("42", "x", 4000))).toEqual({
          code: "RESOURCE_DOES_NOT_EXIST",
          message: "No Experiment with id=42 exists",
        });
        await store.setExperimentLifecycle(id, "deleted", 5000);
        expect(await rejection(store.renameExperiment(id, "other", 6000))).toEqual({
          code: "INVALID_STATE",
          message: "Cannot rename a non-active experiment.",
        });
      });

      it("deleting an experiment deletes its runs; restoring restores them", async () => {
        const id = await createExperiment("cascade");
        await createRun(id, "r1");
        await createRun(id, "r2");
        await store.setRunLifecycle("r2", "deleted", 1500);
        await store.setExperimentLifecycle(id, "deleted", 2000);
        expect(await store.getExperiment(id)).toMatchObject({ lifecycle_stage: "deleted", last_update_time: 2000 });
        expect((await store.getRunInfo("r1"))?.lifecycle_stage).toBe("deleted");
        expect((await store.getRunInfo("r2"))?.lifecycle_stage).toBe("deleted");
        await store.setExperimentLifecycle(id, "active", 3000);
        expect(await store.getExperiment(id)).toMatchObject({ lifecycle_stage: "active", last_update_time: 3000 });
        expect((await store.getRunInfo("r1"))?.lifecycle_stage).toBe("active");
        expect((await store.getRunInfo("r2"))?.lifecycle_stage).toBe("active");
      });

      it("reports a missing experiment on lifecycle changes, and deleting twice as missing (MLflow)", async () => {
        expect(await rejection(store.setExperimentLifecycle("42", "deleted", 1))).toEqual({
          code: "RESOURCE_DOES_NOT_EXIST",
          message: "No Experiment with id=42 exists",
        });
        const id = await createExperiment("twice");
        await store.setExperimentLifecycle(id, "deleted", 2);
        expect((await rejection(store.setExperimentLifecycle(id, "deleted", 3))).code).toBe("RESOURCE_DOES_NOT_EXIST");
      });

      it("sets, overwrites and deletes experiment tags", async () => {
        const id = await createExperiment("tags");
        await store.setExperimentTag(id, { key: "k", value: "v1" });
        await store.setExperimentTag(id, { key: "k", value: "v2" });
        await store.setExperimentTag(id, { key: "a", value: "x" });
        expect((await store.getExperiment(id))?.tags).toEqual([
          { key: "a", value: "x" },
          { key: "k", value: "v2" },
        ]);
        await store.deleteExperimentTag(id, "k");
        expect((await store.getExperiment(id))?.tags).toEqual([{ key: "a", value: "x" }]);
        expect(await rejection(store.deleteExperimentTag(id, "k"))).toEqual({
          code: "RESOURCE_DOES_NOT_EXIST",
          message: `No tag with name: k in experiment with id ${id}`,
        });
        expect((await rejection(store.setExperimentTag("42", { key: "a", value: "b" }))).code).toBe(
          "RESOURCE_DOES_NOT_EXIST",
        );
      });
    });

    describe("searchExperiments", () => {
      const names = async (query: Partial<Parameters<TrackingStore["searchExperiments"]>[0]> = {}) =>
        (
          await store.searchExperiments({ viewType: "ACTIVE_ONLY", filter: [], orderBy: [], maxResults: 100, ...query })
        ).items.map((e) => e.name);

      beforeEach(async () => {
        const a = await createExperiment("Apple", 3000);
        await createExperiment("banana", 2000);
        const c = await createExperiment("cherry", 2000);
        const d = await createExperiment("dates", 4000);
        await store.setExperimentTag(a, { key: "team", value: "Fruit" });
        await store.setExperimentTag(c, { key: "team", value: "fruit" });
        await store.setExperimentLifecycle(d, "deleted", 5000);
      });

      it("orders by creation_time DESC then experiment_id ASC by default and honours the view type", async () => {
        // Default's creation time is the store's open time, far later than the fixed times above.
        expect(await names()).toEqual(["Default", "Apple", "banana", "cherry"]);
        expect(await names({ viewType: "DELETED_ONLY" })).toEqual(["dates"]);
        expect(await names({ viewType: "ALL" })).toEqual(["Default", "dates", "Apple", "banana", "cherry"]);
      });

      it("orders by the given keys, with experiment_id DESC as tie-breaker", async () => {
        expect(await names({ orderBy: [{ key: "name", ascending: true }] })).toEqual([
          "Apple",
          "Default",
          "banana",
          "cherry",
        ]);
        expect(await names({ orderBy: [{ key: "creation_time", ascending: true }] })).toEqual([
          "cherry",
          "banana",
          "Apple",
          "Default",
        ]);
        expect(await names({ orderBy: [{ key: "experiment_id", ascending: false }] })).toEqual([
          "cherry",
          "banana",
          "Apple",
          "Default",
        ]);
      });

      it("filters on name (LIKE case-sensitive, ILIKE not), times and tags", async () => {
        const by = (filter: Parameters<TrackingStore["searchExperiments"]>[0]["filter"]) => names({ filter });
        expect(await by([{ entity: "attribute", key: "name", comparator: "LIKE", value: "a%" }])).toEqual([]);
        expect(await by([{ entity: "attribute", key: "name", comparator: "ILIKE", value: "a%" }])).toEqual(["Apple"]);
        expect(await by([{ entity: "attribute", key: "name", comparator: "=", value: "banana" }])).toEqual(["banana"]);
        expect(await by([{ entity: "attribute", key: "name", comparator: "!=", value: "banana" }])).toEqual([
          "Default",
          "Apple",
          "cherry",
        ]);
        expect(await by([{ entity: "attribute", key: "creation_time", comparator: "<=", value: 2000 }])).toEqual([
          "banana",
          "cherry",
        ]);
        expect(await by([{ entity: "attribute", key: "last_update_time", comparator: ">", value: 2000 }])).toEqual([
          "Default",
          "Apple",
        ]);
        // Fractional and out-of-range times compare as numbers on both backends (PostgreSQL refused them: a 400).
        expect(await by([{ entity: "attribute", key: "creation_time", comparator: "<", value: 2000.5 }])).toEqual(["banana", "cherry"]);
        expect(await by([{ entity: "attribute", key: "creation_time", comparator: ">", value: 2999.5 }])).toEqual(["Default", "Apple"]);
        expect(await by([{ entity: "attribute", key: "creation_time", comparator: "=", value: 2000.5 }])).toEqual([]);
        expect(await by([{ entity: "attribute", key: "creation_time", comparator: "<", value: 1e30 }])).toEqual(["Default", "Apple", "banana", "cherry"]);
        expect(await by([{ entity: "tag", key: "team", comparator: "=", value: "fruit" }])).toEqual(["cherry"]);
        expect(await by([{ entity: "tag", key: "team", comparator: "ILIKE", value: "FRUIT" }])).toEqual([
          "Apple",
          "cherry",
        ]);
        // A missing tag never matches, not even `!=`.
        expect(await by([{ entity: "tag", key: "team", comparator: "!=", value: "x" }])).toEqual(["Apple", "cherry"]);
        expect(
          await by([
            { entity: "tag", key: "team", comparator: "LIKE", value: "%ruit" },
            { entity: "attribute", key: "creation_time", comparator: ">", value: 2500 },
          ]),
        ).toEqual(["Apple"]);
      });

      it("pages with opaque tokens and rejects malformed ones", async () => {
        const page1 = await store.searchExperiments({ viewType: "ALL", filter: [], orderBy: [], maxResults: 2 });
        expect(page1.items.map((e) => e.name)).toEqual(["Default", "dates"]);
        expect(page1.nextPageToken).toBeTypeOf("string");
        const page2 = await store.searchExperiments({
          viewType: "ALL",
          filter: [],
          orderBy: [],
          maxResults: 2,
          pageToken: page1.nextPageToken,
        });
        expect(page2.items.map((e) => e.name)).toEqual(["Apple", "banana"]);
        const page3 = await store.searchExperiments({
          viewType: "ALL",
          filter: [],
          orderBy: [],
          maxResults: 2,
          pageToken: page2.nextPageToken,
        });
        expect(page3.items.map((e) => e.name)).toEqual(["cherry"]);
        expect(page3.nextPageToken).toBeUndefined();
        const bad = await rejection(
          store.searchExperiments({ viewType: "ALL", filter: [], orderBy: [], maxResults: 2, pageToken: "%%%garbage" }),
        );
        expect(bad.code).toBe("INVALID_PARAMETER_VALUE");
      });
    });

    describe("runs", () => {
      let experimentId = "";
      beforeEach(async () => {
        experimentId = await createExperiment("runs");
      });

      it("creates a run with its name as the mlflow.runName tag and reads it back", async () => {
        const created = await createRun(experimentId, "r1", { tags: [{ key: "t", value: "1" }], startTime: 777 });
        const expected: Run = {
          info: {
            run_id: "r1",
            run_uuid: "r1",
            run_name: "name-r1",
            experiment_id: experimentId,
            user_id: "alice",
            status: "RUNNING",
            start_time: 777,
            artifact_uri: `mlflow-artifacts:/${experimentId}/r1/artifacts`,
            lifecycle_stage: "active",
          },
          data: {
            metrics: [],
            params: [],
            tags: [
              { key: "mlflow.runName", value: "name-r1" },
              { key: "t", value: "1" },
            ],
          },
          inputs: { dataset_inputs: [] },
        };
        expect(created).toEqual(expected);
        expect(await store.getRun("r1")).toEqual(expected);
        expect(await store.getRunInfo("r1")).toEqual(expected.info);
        expect(await store.getRun("missing")).toBeUndefined();
        expect(await store.getRunInfo("missing")).toBeUndefined();
      });

      it("refuses a run in a missing experiment", async () => {
        expect(await rejection(createRun("42", "r1"))).toEqual({
          code: "RESOURCE_DOES_NOT_EXIST",
          message: "No Experiment with id=42 exists",
        });
      });

      it("updates status, end time and name (the name also sets the mlflow.runName tag)", async () => {
        await createRun(experimentId, "r1");
        const info = await store.updateRun("r1", { status: "FINISHED", endTime: 999, runName: "renamed" });
        expect(info).toMatchObject({ status: "FINISHED", end_time: 999, run_name: "renamed" });
        const run = await store.getRun("r1");
        expect(run?.data.tags).toEqual([{ key: "mlflow.runName", value: "renamed" }]);
        const partial = await store.updateRun("r1", { status: "KILLED" });
        expect(partial).toMatchObject({ status: "KILLED", end_time: 999, run_name: "renamed" });
        expect(await rejection(store.updateRun("nope", { status: "FAILED" }))).toEqual({
          code: "RESOURCE_DOES_NOT_EXIST",
          message: "Run with id=nope not found",
        });
      });

      it("deletes and restores runs", async () => {
        await createRun(experimentId, "r1");
        await store.setRunLifecycle("r1", "deleted", 10);
        expect((await store.getRunInfo("r1"))?.lifecycle_stage).toBe("deleted");
        await store.setRunLifecycle("r1", "active", 20);
        expect((await store.getRunInfo("r1"))?.lifecycle_stage).toBe("active");
        expect((await rejection(store.setRunLifecycle("nope", "deleted", 1))).message).toBe("Run with id=nope not found");
      });

      it("keeps the latest metric by step, then timestamp, then value, across and within batches", async () => {
        await createRun(experimentId, "r1");
        const latest = async () => (await store.getRun("r1"))?.data.metrics;
        await log("r1", [metric("m", 1, 1, 10)]);
        await log("r1", [metric("m", 5, 0, 99)]); // lower step loses despite a later timestamp
        expect(await latest()).toEqual([metric("m", 1, 1, 10)]);
        await log("r1", [metric("m", 0.5, 1, 11)]); // same step, later timestamp wins
        expect(await latest()).toEqual([metric("m", 0.5, 1, 11)]);
        await log("r1", [metric("m", 0.7, 1, 11)]); // same step and timestamp: larger value wins
        expect(await latest()).toEqual([metric("m", 0.7, 1, 11)]);
        await log("r1", [metric("m", 0.6, 1, 11)]);
        expect(await latest()).toEqual([metric("m", 0.7, 1, 11)]);
        await log("r1", [metric("n", 3, 2, 5), metric("n", 9, 2, 4), metric("n", 1, 3, 1), metric("n", 2, 3, 1)]);
        expect(await latest()).toEqual([metric("m", 0.7, 1, 11), metric("n", 2, 3, 1)]);
      });

      it("round-trips NaN and +-Infinity in latest values and history", async () => {
        await createRun(experimentId, "r1");
        await log("r1", [metric("nan", Number.NaN, 0, 1), metric("inf", Infinity, 0, 1), metric("ninf", -Infinity, 0, 1)]);
        const run = await store.getRun("r1");
        expect(run?.data.metrics).toEqual([metric("inf", Infinity, 0, 1), metric("nan", Number.NaN, 0, 1), metric("ninf", -Infinity, 0, 1)]);
        const history = await store.getMetricHistory("r1", "nan", { maxResults: 10 });
        expect(history.items).toEqual([metric("nan", Number.NaN, 0, 1)]);
        expect(Number.isNaN(history.items[0]?.value)).toBe(true);
        expect((await store.getMetricHistory("r1", "ninf", { maxResults: 10 })).items[0]?.value).toBe(-Infinity);
      });

      it("deduplicates identical metric rows, so a retried batch is idempotent", async () => {
        await createRun(experimentId, "r1");
        const batch = [metric("m", 1, 0, 10), metric("m", 2, 1, 11), metric("m", 2, 1, 11)];
        await log("r1", batch);
        await log("r1", batch);
        await log("r1", [metric("m", 3, 1, 11)]); // same step and timestamp, other value: a new row
        const history = await store.getMetricHistory("r1", "m", { maxResults: 100 });
        expect(history.items).toEqual([metric("m", 1, 0, 10), metric("m", 2, 1, 11), metric("m", 3, 1, 11)]);
      });

      it("keeps params write-once and stores nothing of a conflicting batch", async () => {
        await createRun(experimentId, "r1");
        await log("r1", [], [{ key: "lr", value: "0.1" }]);
        await log("r1", [], [{ key: "lr", value: "0.1" }]);
        const error = await rejection(
          log("r1", [metric("m", 1, 0, 1)], [{ key: "new", value: "x" }, { key: "lr", value: "0.2" }], [{ key: "t", value: "v" }]),
        );
        expect(error).toEqual({
          code: "INVALID_PARAMETER_VALUE",
          message:
            "Changing param values is not allowed. Param with key='lr' was already logged with value='0.1' for run " +
            "ID='r1'. Attempted logging new value '0.2'.",
        });
        const run = await store.getRun("r1");
        expect(run?.data.params).toEqual([{ key: "lr", value: "0.1" }]);
        expect(run?.data.metrics).toEqual([]);
        expect(run?.data.tags.map((t) => t.key)).toEqual(["mlflow.runName"]);
      });

      it("overwrites tags, renames through mlflow.runName and deletes tags", async () => {
        await createRun(experimentId, "r1");
        await log("r1", [], [], [{ key: "t", value: "1" }]);
        await log("r1", [], [], [{ key: "t", value: "2" }, { key: "mlflow.runName", value: "via-tag" }]);
        const run = await store.getRun("r1");
        expect(run?.info.run_name).toBe("via-tag");
        expect(run?.data.tags).toEqual([
          { key: "mlflow.runName", value: "via-tag" },
          { key: "t", value: "2" },
        ]);
        await store.deleteTag("r1", "t");
        expect((await store.getRun("r1"))?.data.tags).toEqual([{ key: "mlflow.runName", value: "via-tag" }]);
        expect(await rejection(store.deleteTag("r1", "t"))).toEqual({
          code: "RESOURCE_DOES_NOT_EXIST",
          message: "No tag with name: t in run with id r1",
        });
        expect((await rejection(store.deleteTag("nope", "t"))).message).toBe("Run with id=nope not found");
      });

      it("reports a missing run on logBatch and history", async () => {
        expect(await rejection(log("nope", [metric("m", 1, 0, 1)]))).toEqual({
          code: "RESOURCE_DOES_NOT_EXIST",
          message: "Run with id=nope not found",
        });
        expect((await rejection(store.getMetricHistory("nope", "m", { maxResults: 10 }))).code).toBe(
          "RESOURCE_DOES_NOT_EXIST",
        );
      });

      it("logs dataset inputs once per run and shares datasets per experiment", async () => {
        await createRun(experimentId, "r1");
        await createRun(experimentId, "r2");
        const train: DatasetInput = {
          tags: [{ key: "mlflow.data.context", value: "training" }],
          dataset: { name: "iris", digest: "abc", source_type: "local", source: "/data/iris.csv", schema: "{}", profile: "{\"rows\":150}" },
        };
        const evalSet: DatasetInput = {
          tags: [],
          dataset: { name: "iris", digest: "def", source_type: "local", source: "/data/iris-eval.csv" },
        };
        await store.logInputs("r1", [train, evalSet, train]);
        await store.logInputs("r1", [{ ...train, tags: [{ key: "mlflow.data.context", value: "changed" }] }]);
        await store.logInputs("r2", [{ ...train, dataset: { ...train.dataset, source: "ignored" } }]);
        expect((await store.getRun("r1"))?.inputs.dataset_inputs).toEqual([train, evalSet]);
        // The dataset row is shared: the first logging's source stands.
        expect((await store.getRun("r2"))?.inputs.dataset_inputs).toEqual([train]);
        expect((await rejection(store.logInputs("nope", [train]))).code).toBe("RESOURCE_DOES_NOT_EXIST");
      });

      it("pages a metric history ordered by step, then timestamp", async () => {
        await createRun(experimentId, "r1");
        await log("r1", [metric("m", 5, 2, 1), metric("m", 4, 1, 9), metric("m", 3, 1, 2), metric("m", 2, 0, 5), metric("m", 1, 0, 4)]);
        await log("r1", [metric("other", 1, 0, 0)]);
        const seen: Metric[][] = [];
        let pageToken: string | undefined;
        do {
          const page = await store.getMetricHistory("r1", "m", { maxResults: 2, pageToken });
          seen.push(page.items);
          pageToken = page.nextPageToken;
        } while (pageToken !== undefined);
        expect(seen).toEqual([
          [metric("m", 1, 0, 4), metric("m", 2, 0, 5)],
          [metric("m", 3, 1, 2), metric("m", 4, 1, 9)],
          [metric("m", 5, 2, 1)],
        ]);
        expect((await store.getMetricHistory("r1", "absent", { maxResults: 5 })).items).toEqual([]);
      });

      it("pages a long metric history (past the backends' read chunks) in order, with ties on step and timestamp", async () => {
        await createRun(experimentId, "r1");
        // Three values per step at one timestamp (-Infinity and +Infinity among them now and then), and a NaN
        // alone at a later timestamp every 1,000 steps: 10,010 rows.
        const rows: Metric[] = [];
        for (let step = 0; step < 3334; step += 1) {
          rows.push(metric("m", step % 500 === 0 ? -Infinity : step, step, 7), metric("m", step + 0.5, step, 7), metric("m", step % 700 === 0 ? Infinity : step + 0.75, step, 7));
          if (step % 1000 === 999) rows.push(metric("m", Number.NaN, step, 8));
        }
        for (let i = 0; i < rows.length; i += 1000) await log("r1", rows.slice(i, i + 1000).reverse());
        const first = await store.getMetricHistory("r1", "m", { maxResults: 9000 });
        expect(first.items).toEqual(rows.slice(0, 9000));
        expect(first.nextPageToken).toBeDefined();
        const rest = await store.getMetricHistory("r1", "m", { maxResults: 9000, pageToken: first.nextPageToken });
        expect(rest.items).toEqual(rows.slice(9000));
        expect(rest.nextPageToken).toBeUndefined();
        const whole = await store.getMetricHistory("r1", "m", { maxResults: 1_000_000 });
        expect(whole.items.length).toBe(rows.length);
        expect(whole.items).toEqual(rows);
        expect(whole.nextPageToken).toBeUndefined();
      });

      it("returns metric histories of several runs within a step range", async () => {
        await createRun(experimentId, "rb");
        await createRun(experimentId, "ra");
        await log("rb", [metric("m", 1, 0, 1), metric("m", 2, 5, 2), metric("m", 3, 10, 3), metric("x", 9, 5, 1)]);
        await log("ra", [metric("m", 7, 6, 2), metric("m", 6, 6, 1), metric("m", 8, 11, 1)]);
        const rows = await store.getMetricHistoryForRuns({ runIds: ["rb", "ra", "missing"], key: "m", startStep: 5, endStep: 10 });
        expect(rows).toEqual([
          { key: "m", value: 6, step: 6, timestamp: 1, run_id: "ra" },
          { key: "m", value: 7, step: 6, timestamp: 2, run_id: "ra" },
          { key: "m", value: 2, step: 5, timestamp: 2, run_id: "rb" },
          { key: "m", value: 3, step: 10, timestamp: 3, run_id: "rb" },
        ]);
      });
    });

    describe("getSampledMetricHistory", () => {
      let experimentId = "";
      beforeEach(async () => {
        experimentId = await createExperiment("sampling");
      });

      // A small generator of reproducible histories (runs with gaps, shared and own steps, several values per step).
      const random = (seed: number) => () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };

      it("samples exactly as MLflow's rule (metric-sampling.ts) on the whole history, for random histories and ranges", async () => {
        const next = random(7);
        const runIds = ["sa", "sb", "sc"];
        const everything: MetricWithRunId[] = [];
        for (const [index, runId] of runIds.entries()) {
          await createRun(experimentId, runId);
          const metrics: Metric[] = [];
          const first = index * 7 - 3;
          for (let step = first; step < first + 120 + index * 40; step += 1 + Math.floor(next() * 3)) {
            metrics.push(metric("loss", Math.round(next() * 1000) / 10, step, 1000 + step));
            if (next() < 0.1) metrics.push(metric("loss", 0.5, step, 999 + step));
          }
          metrics.push(metric("other", 1, 5, 5));
          await log(runId, metrics);
          everything.push(...metrics.filter((m) => m.key === "loss").map((m) => ({ ...m, run_id: runId })));
        }
        const cases: Array<{ maxResults: number; range?: { startStep: number; endStep: number } }> = [
          { maxResults: 10 },
          { maxResults: 1 },
          { maxResults: 1000 },
          { maxResults: 17, range: { startStep: 20, endStep: 90 } },
          { maxResults: 5, range: { startStep: -10, endStep: 400 } },
          { maxResults: 3, range: { startStep: 150, endStep: 160 } },
          { maxResults: 50, range: { startStep: 500, endStep: 600 } },
        ];
        for (const { maxResults, range } of cases) {
          const requested = ["sc", "sa", "missing", "sc"];
          const expected = sampleMetricHistory(requested, everything, maxResults, range);
          const sampled = await store.getSampledMetricHistory({ runIds: ["sc", "sa", "missing"], key: "loss", maxResults, ...(range ? { range } : {}) });
          expect(orderSampledHistory(requested, sampled)).toEqual(expected);
        }
        expect(await store.getSampledMetricHistory({ runIds: ["sa"], key: "absent", maxResults: 10 })).toEqual([]);
      });
    });

    describe("searchRuns", () => {
      let a = "";
      let b = "";
      const search = async (filter?: FilterExpression, orderBy: OrderByClause[] = [], extra: Partial<RunSearch> = {}) =>
        (
          await store.searchRuns({ experimentIds: [a], filter, orderBy, viewType: "ACTIVE_ONLY", maxResults: 100, ...extra })
        ).items.map((run) => run.info.run_name);

      beforeEach(async () => {
        a = await createExperiment("search-a");
        b = await createExperiment("search-b");
        await createRun(a, "r1", { runName: "alpha", startTime: 100, userId: "alice" });
        await createRun(a, "r2", { runName: "beta", startTime: 200, userId: "bob" });
        await createRun(a, "r3", { runName: "Gamma", startTime: 300, userId: "alice" });
        await createRun(a, "r4", { runName: "delta", startTime: 300, userId: "carol" });
        await createRun(a, "r6", { runName: "deleted-run", startTime: 500 });
        await createRun(b, "r5", { runName: "other", startTime: 50 });
        await store.updateRun("r1", { status: "FINISHED", endTime: 200 });
        await store.updateRun("r3", { status: "FAILED", endTime: 400 });
        await store.updateRun("r4", { status: "FINISHED", endTime: 350 });
        await store.setRunLifecycle("r6", "deleted", 600);
        await log("r1", [metric("acc", 0.9, 0, 1), metric("loss", 0.3, 0, 1)], [{ key: "lr", value: "0.1" }, { key: "model", value: "CNN" }], [{ key: "team", value: "Vision" }]);
        await log("r2", [metric("acc", 0.5, 0, 1), metric("loss", Number.NaN, 0, 1)], [{ key: "lr", value: "0.01" }, { key: "model", value: "cnn" }], [{ key: "team", value: "nlp" }]);
        await log("r3", [], [{ key: "lr", value: "0.1" }], [{ key: "team", value: "vision" }]);
        await log("r4", [metric("acc", 0.1, 0, 1), metric("acc", 0.7, 1, 1)], [{ key: "model", value: "a*b[c]?" }]);
        await log("r5", [metric("acc", 1, 0, 1)]);
        await store.logInputs("r1", [
          { tags: [{ key: "mlflow.data.context", value: "training" }], dataset: { name: "train", digest: "d1", source_type: "local", source: "s" } },
        ]);
        await store.logInputs("r2", [
          { tags: [{ key: "mlflow.data.context", value: "validation" }], dataset: { name: "eval", digest: "d2", source_type: "local", source: "s" } },
        ]);
      });

      it("orders by start_time DESC then run id by default", async () => {
        expect(await search()).toEqual(["Gamma", "delta", "beta", "alpha"]);
      });

      it("returns whole runs (latest metrics, params, tags, inputs)", async () => {
        const [run] = (await store.searchRuns({ experimentIds: [a], filter: cmp("attribute", "run_id", "=", "r4"), orderBy: [], viewType: "ALL", maxResults: 10 })).items;
        expect(run?.data).toEqual({
          metrics: [metric("acc", 0.7, 1, 1)],
          params: [{ key: "model", value: "a*b[c]?" }],
          tags: [{ key: "mlflow.runName", value: "delta" }],
        });
        const [withInputs] = (await store.searchRuns({ experimentIds: [a], filter: cmp("attribute", "run_id", "=", "r1"), orderBy: [], viewType: "ALL", maxResults: 10 })).items;
        expect(withInputs?.inputs.dataset_inputs.map((i) => i.dataset.name)).toEqual(["train"]);
      });

      it("filters on latest metric values; a missing metric never matches; NaN only matches !=", async () => {
        expect(await search(cmp("metric", "acc", ">", 0.6))).toEqual(["delta", "alpha"]);
        expect(await search(cmp("metric", "acc", "!=", 0.9))).toEqual(["delta", "beta"]);
        expect(await search(cmp("metric", "acc", "<=", 0.5))).toEqual(["beta"]);
        expect(await search(cmp("metric", "acc", "=", 0.1))).toEqual([]);
        expect(await search(cmp("metric", "loss", "=", 0.3))).toEqual(["alpha"]);
        expect(await search(cmp("metric", "loss", ">", 0))).toEqual(["alpha"]);
        expect(await search(cmp("metric", "loss", "!=", 0.3))).toEqual(["beta"]);
        expect(await search(cmp("metric", "loss", "=", 0))).toEqual([]);
      });

      it("filters params and tags: =, !=, case-sensitive LIKE, ILIKE", async () => {
        expect(await search(cmp("param", "model", "=", "CNN"))).toEqual(["alpha"]);
        expect(await search(cmp("param", "model", "!=", "CNN"))).toEqual(["delta", "beta"]);
        expect(await search(cmp("param", "model", "LIKE", "c%"))).toEqual(["beta"]);
        expect(await search(cmp("param", "model", "ILIKE", "c%"))).toEqual(["beta", "alpha"]);
        expect(await search(cmp("param", "lr", "=", "0.1"))).toEqual(["Gamma", "alpha"]);
        expect(await search(cmp("tag", "team", "=", "vision"))).toEqual(["Gamma"]);
        expect(await search(cmp("tag", "team", "ILIKE", "VISION"))).toEqual(["Gamma", "alpha"]);
        expect(await search(cmp("tag", "team", "LIKE", "%i%"))).toEqual(["Gamma", "alpha"]);
        expect(await search(cmp("tag", "mlflow.runName", "=", "beta"))).toEqual(["beta"]);
      });

      it("treats glob and regex characters in LIKE values literally, with _ as one character", async () => {
        expect(await search(cmp("param", "model", "LIKE", "a*b[c]_"))).toEqual(["delta"]);
        expect(await search(cmp("param", "model", "LIKE", "a*%"))).toEqual(["delta"]);
        expect(await search(cmp("param", "model", "LIKE", "a?%"))).toEqual([]);
        expect(await search(cmp("param", "model", "LIKE", "a_b[c]?"))).toEqual(["delta"]);
        expect(await search(cmp("param", "model", "LIKE", "%[c]%"))).toEqual(["delta"]);
        expect(await search(cmp("param", "model", "LIKE", "[c]%"))).toEqual([]);
        expect(await search(cmp("param", "model", "ILIKE", "A*B[C]?"))).toEqual(["delta"]);
      });

      it("filters attributes: strings, IN / NOT IN, times, run id, null end time", async () => {
        expect(await search(cmp("attribute", "status", "IN", ["FINISHED", "FAILED"]))).toEqual(["Gamma", "delta", "alpha"]);
        expect(await search(cmp("attribute", "status", "NOT IN", ["FINISHED"]))).toEqual(["Gamma", "beta"]);
        expect(await search(cmp("attribute", "run_name", "LIKE", "g%"))).toEqual([]);
        expect(await search(cmp("attribute", "run_name", "ILIKE", "g%"))).toEqual(["Gamma"]);
        expect(await search(cmp("attribute", "run_name", "=", "beta"))).toEqual(["beta"]);
        expect(await search(cmp("attribute", "start_time", ">=", 200))).toEqual(["Gamma", "delta", "beta"]);
        expect(await search(cmp("attribute", "end_time", "<", 360))).toEqual(["delta", "alpha"]);
        expect(await search(cmp("attribute", "end_time", "!=", 200))).toEqual(["Gamma", "delta"]);
        expect(await search(cmp("attribute", "run_id", "=", "r2"))).toEqual(["beta"]);
        expect(await search(cmp("attribute", "user_id", "=", "alice"))).toEqual(["Gamma", "alpha"]);
        expect(await search(cmp("attribute", "artifact_uri", "LIKE", `%/r3/%`))).toEqual(["Gamma"]);
        expect(await search(isNull("attribute", "end_time"))).toEqual(["beta"]);
        expect(await search(isNull("attribute", "end_time", true))).toEqual(["Gamma", "delta", "alpha"]);
      });

      it("compares times with fractional, huge and infinite numbers exactly, on both backends", async () => {
        // start times: alpha 100, beta 200, Gamma 300, delta 300; end times: alpha 200, Gamma 400, delta 350, beta none.
        expect(await search(cmp("attribute", "start_time", ">", 199.5))).toEqual(["Gamma", "delta", "beta"]);
        expect(await search(cmp("attribute", "start_time", ">=", 199.5))).toEqual(["Gamma", "delta", "beta"]);
        expect(await search(cmp("attribute", "start_time", ">", 200.5))).toEqual(["Gamma", "delta"]);
        expect(await search(cmp("attribute", "start_time", "<", 200.5))).toEqual(["beta", "alpha"]);
        expect(await search(cmp("attribute", "start_time", "<=", 199.5))).toEqual(["alpha"]);
        expect(await search(cmp("attribute", "start_time", "=", 200.5))).toEqual([]);
        expect(await search(cmp("attribute", "start_time", "!=", 200.5))).toEqual(["Gamma", "delta", "beta", "alpha"]);
        expect(await search(cmp("attribute", "start_time", "<", -0.5))).toEqual([]);
        expect(await search(cmp("attribute", "start_time", ">", 1e30))).toEqual([]);
        expect(await search(cmp("attribute", "start_time", "<=", 1e30))).toEqual(["Gamma", "delta", "beta", "alpha"]);
        expect(await search(cmp("attribute", "start_time", ">", -1e30))).toEqual(["Gamma", "delta", "beta", "alpha"]);
        expect(await search(cmp("attribute", "start_time", "<", Number.NEGATIVE_INFINITY))).toEqual([]);
        // A NULL end time matches no comparison, not even != (as for whole numbers).
        expect(await search(cmp("attribute", "end_time", "!=", 1e30))).toEqual(["Gamma", "delta", "alpha"]);
        expect(await search(cmp("attribute", "end_time", "<", 350.5))).toEqual(["delta", "alpha"]);
      });

      it("supports IS [NOT] NULL on metrics, params and tags", async () => {
        expect(await search(isNull("metric", "acc"))).toEqual(["Gamma"]);
        expect(await search(isNull("metric", "loss", true))).toEqual(["beta", "alpha"]);
        expect(await search(isNull("param", "model", true))).toEqual(["delta", "beta", "alpha"]);
        expect(await search(isNull("tag", "team"))).toEqual(["delta"]);
      });

      it("combines with AND, OR and nesting", async () => {
        expect(
          await search(and(or(cmp("metric", "acc", ">", 0.8), cmp("param", "lr", "=", "0.01")), cmp("attribute", "user_id", "!=", "carol"))),
        ).toEqual(["beta", "alpha"]);
        expect(await search(or(cmp("tag", "team", "=", "nlp"), isNull("metric", "acc")))).toEqual(["Gamma", "beta"]);
        expect(await search(and(cmp("param", "lr", "=", "0.1"), cmp("metric", "acc", ">", 0)))).toEqual(["alpha"]);
        expect(await search(and())).toEqual(["Gamma", "delta", "beta", "alpha"]);
        expect(await search(or())).toEqual([]);
      });

      it("filters on datasets: name, digest, context", async () => {
        expect(await search(cmp("dataset", "name", "=", "train"))).toEqual(["alpha"]);
        expect(await search(cmp("dataset", "name", "!=", "train"))).toEqual(["beta"]);
        expect(await search(cmp("dataset", "digest", "IN", ["d1", "d2"]))).toEqual(["beta", "alpha"]);
        expect(await search(cmp("dataset", "context", "=", "validation"))).toEqual(["beta"]);
        expect(await search(cmp("dataset", "context", "LIKE", "%ing"))).toEqual(["alpha"]);
      });

      it("orders by metrics with NaN after values and missing last, in both directions", async () => {
        expect(await search(undefined, [order("metric", "acc", true)])).toEqual(["beta", "delta", "alpha", "Gamma"]);
        expect(await search(undefined, [order("metric", "acc", false)])).toEqual(["alpha", "delta", "beta", "Gamma"]);
        expect(await search(undefined, [order("metric", "loss", true)])).toEqual(["alpha", "beta", "Gamma", "delta"]);
        expect(await search(undefined, [order("metric", "loss", false)])).toEqual(["alpha", "beta", "Gamma", "delta"]);
      });

      it("orders by params, tags and attributes with missing values last", async () => {
        expect(await search(undefined, [order("param", "model", true)])).toEqual(["alpha", "delta", "beta", "Gamma"]);
        expect(await search(undefined, [order("param", "model", false)])).toEqual(["beta", "delta", "alpha", "Gamma"]);
        expect(await search(undefined, [order("tag", "team", true)])).toEqual(["alpha", "beta", "Gamma", "delta"]);
        expect(await search(undefined, [order("attribute", "start_time", true)])).toEqual(["alpha", "beta", "Gamma", "delta"]);
        expect(await search(undefined, [order("attribute", "end_time", false)])).toEqual(["Gamma", "delta", "alpha", "beta"]);
        expect(await search(undefined, [order("attribute", "end_time", true)])).toEqual(["alpha", "delta", "Gamma", "beta"]);
        expect(await search(undefined, [order("attribute", "run_name", true)])).toEqual(["Gamma", "alpha", "beta", "delta"]);
        expect(await search(undefined, [order("param", "lr", true), order("metric", "acc", false)])).toEqual([
          "beta",
          "alpha",
          "Gamma",
          "delta",
        ]);
      });

      it("scopes by view type and experiment ids", async () => {
        expect(await search(undefined, [], { viewType: "DELETED_ONLY" })).toEqual(["deleted-run"]);
        expect(await search(undefined, [], { viewType: "ALL" })).toEqual(["deleted-run", "Gamma", "delta", "beta", "alpha"]);
        expect(await search(undefined, [], { experimentIds: [a, b] })).toEqual(["Gamma", "delta", "beta", "alpha", "other"]);
        expect(await search(cmp("metric", "acc", ">=", 1), [], { experimentIds: [b] })).toEqual(["other"]);
        expect(await search(undefined, [], { experimentIds: ["42"] })).toEqual([]);
        expect(await search(undefined, [], { experimentIds: [] })).toEqual([]);
      });

      it("pages with tokens and rejects a malformed token", async () => {
        const first = await store.searchRuns({ experimentIds: [a], orderBy: [], viewType: "ACTIVE_ONLY", maxResults: 3 });
        expect(first.items.map((r) => r.info.run_name)).toEqual(["Gamma", "delta", "beta"]);
        const second = await store.searchRuns({
          experimentIds: [a],
          orderBy: [],
          viewType: "ACTIVE_ONLY",
          maxResults: 3,
          pageToken: first.nextPageToken,
        });
        expect(second.items.map((r) => r.info.run_name)).toEqual(["alpha"]);
        expect(second.nextPageToken).toBeUndefined();
        const exact = await store.searchRuns({ experimentIds: [a], orderBy: [], viewType: "ACTIVE_ONLY", maxResults: 4 });
        expect(exact.nextPageToken).toBeUndefined();
        const bad = await rejection(
          store.searchRuns({ experimentIds: [a], orderBy: [], viewType: "ACTIVE_ONLY", maxResults: 3, pageToken: "not a token" }),
        );
        expect(bad.code).toBe("INVALID_PARAMETER_VALUE");
      });

      it("binds keys and values, so quotes and SQL in them are plain text", async () => {
        await log("r2", [], [{ key: "k'; DROP TABLE runs; --", value: "v' OR '1'='1" }]);
        expect(await search(cmp("param", "k'; DROP TABLE runs; --", "=", "v' OR '1'='1"))).toEqual(["beta"]);
        expect(await search(cmp("param", "k'; DROP TABLE runs; --", "=", "x' OR '1'='1"))).toEqual([]);
        expect(await search()).toEqual(["Gamma", "delta", "beta", "alpha"]);
      });
    });

    describe("searchRuns agrees with the in-memory evaluator on random filters and orders", () => {
      // A small deterministic PRNG, so a failure names a reproducible case.
      const prng = (seed: number) => () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      const pick = <T,>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const METRIC_VALUES = [0, 1, 2, 2.5, -1, Number.NaN, Infinity, -Infinity];
      const STRINGS = ["a", "A", "ab", "aB", "b%c", "b_c", "b*c", "[x]", "?", "é", "éclair", ""];
      const PATTERNS = ["a%", "A%", "%b", "_", "__", "b_c", "b%", "%*%", "[%", "%?", "é%", "%", "_é%"];

      it("returns the same runs in the same order, page by page", async () => {
        const random = prng(7);
        const experimentId = await createExperiment("oracle");
        const runIds: string[] = [];
        for (let i = 0; i < 24; i++) {
          const runId = `run${String(i).padStart(2, "0")}`;
          runIds.push(runId);
          await createRun(experimentId, runId, {
            runName: pick(random, STRINGS) + String(i % 3),
            userId: pick(random, ["alice", "Alice", "bob"]),
            startTime: Math.floor(random() * 5) * 10,
          });
          if (random() < 0.6) await store.updateRun(runId, { status: pick(random, ["FINISHED", "FAILED"] as const), endTime: Math.floor(random() * 4) });
          const metrics: Metric[] = [];
          for (const key of ["m1", "m2"]) {
            if (random() < 0.75) metrics.push(metric(key, pick(random, METRIC_VALUES), Math.floor(random() * 3), 1));
          }
          const params = ["p1", "p2"].filter(() => random() < 0.7).map((key) => ({ key, value: pick(random, STRINGS) }));
          const tags = random() < 0.7 ? [{ key: "t1", value: pick(random, STRINGS) }] : [];
          await log(runId, metrics, params, tags);
          if (random() < 0.4) {
            await store.logInputs(runId, [
              {
                tags: [{ key: "mlflow.data.context", value: pick(random, ["train", "eval"]) }],
                dataset: { name: pick(random, ["ds1", "ds2"]), digest: pick(random, ["d1", "d2"]), source_type: "local", source: "s" },
              },
            ]);
          }
        }
        const all = (await Promise.all(runIds.map((id) => store.getRun(id)))).filter((run): run is Run => run !== undefined);

        const leaf = (): FilterExpression => {
          const kind = Math.floor(random() * 6);
          if (kind === 0) return cmp("metric", pick(random, ["m1", "m2"]), pick(random, ["=", "!=", ">", ">=", "<", "<="] as const), pick(random, METRIC_VALUES.filter((v) => !Number.isNaN(v))));
          if (kind === 1 || kind === 2) {
            const entity = kind === 1 ? "param" : "tag";
            const key = entity === "param" ? pick(random, ["p1", "p2"]) : "t1";
            const comparator = pick(random, ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"] as const);
            if (comparator === "IN" || comparator === "NOT IN") return cmp(entity, key, comparator, [pick(random, STRINGS), pick(random, STRINGS)]);
            return cmp(entity, key, comparator, comparator.endsWith("LIKE") ? pick(random, PATTERNS) : pick(random, STRINGS));
          }
          if (kind === 3) {
            const key = pick(random, ["run_name", "user_id", "status", "start_time", "end_time"]);
            if (key === "start_time" || key === "end_time") return cmp("attribute", key, pick(random, ["=", "!=", ">", "<="] as const), Math.floor(random() * 5) * 10);
            const comparator = pick(random, ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"] as const);
            const values = key === "status" ? ["RUNNING", "FINISHED", "FAILED"] : key === "user_id" ? ["alice", "Alice", "bob"] : STRINGS;
            if (comparator === "IN" || comparator === "NOT IN") return cmp("attribute", key, comparator, [pick(random, values), pick(random, values)]);
            return cmp("attribute", key, comparator, comparator.endsWith("LIKE") ? pick(random, ["a%", "%1", "_%", "ALICE", "%ice"]) : pick(random, values));
          }
          if (kind === 4) {
            const key = pick(random, ["name", "digest", "context"]);
            const values = key === "name" ? ["ds1", "ds2"] : key === "digest" ? ["d1", "d2"] : ["train", "eval"];
            return cmp("dataset", key, pick(random, ["=", "!="] as const), pick(random, values));
          }
          const [entity, key] = pick(random, [["metric", "m1"], ["param", "p1"], ["tag", "t1"], ["attribute", "end_time"]] as const);
          return isNull(entity, key, random() < 0.5);
        };
        const tree = (depth: number): FilterExpression => {
          if (depth === 0 || random() < 0.4) return leaf();
          const operands = Array.from({ length: 1 + Math.floor(random() * 3) }, () => tree(depth - 1));
          return random() < 0.5 ? and(...operands) : or(...operands);
        };
        const ORDER_KEYS: OrderByClause[] = [
          order("metric", "m1", true), order("metric", "m2", false), order("param", "p1", true), order("tag", "t1", false),
          order("attribute", "start_time", true), order("attribute", "end_time", false), order("attribute", "run_name", true),
        ];

        for (let round = 0; round < 150; round++) {
          const filter = random() < 0.1 ? undefined : tree(3);
          const orderBy = ORDER_KEYS.filter(() => random() < 0.25).map((clause) => ({ ...clause, ascending: random() < 0.5 }));
          const expected = sortRuns(filterRuns(all, filter), orderBy).map((run) => run.info.run_id);
          const maxResults = 1 + Math.floor(random() * 10);
          const got: string[] = [];
          let pageToken: string | undefined;
          do {
            const page = await store.searchRuns({ experimentIds: [experimentId], filter, orderBy, viewType: "ALL", maxResults, pageToken });
            got.push(...page.items.map((run) => run.info.run_id));
            pageToken = page.nextPageToken;
          } while (pageToken !== undefined);
          expect({ round, filter, orderBy, ids: got }).toEqual({ round, filter, orderBy, ids: expected });
        }
      });
    });

    describe("listDatasetSources", () => {
      const dataInput = (name: string, digest: string, sourceType: string, source: string): DatasetInput => ({
        tags: [],
        dataset: { name, digest, source_type: sourceType, source },
      });

      it("lists each source of a source type once, sorted, across experiments and deleted runs, paged after a key", async () => {
        const other = await createExperiment("other-sources");
        await createRun("0", "r1");
        await createRun(other, "r2");
        await createRun("0", "gone");
        await store.logInputs("r1", [dataInput("a", "d1", "cairn-data", "s-c"), dataInput("b", "d2", "local", "s-local")]);
        await store.logInputs("r2", [dataInput("a", "d1", "cairn-data", "s-c"), dataInput("c", "d3", "cairn-data", "s-a")]);
        await store.logInputs("gone", [dataInput("d", "d4", "cairn-data", "s-b")]);
        await store.setRunLifecycle("gone", "deleted", 500);

        expect(await store.listDatasetSources("cairn-data", 10)).toEqual(["s-a", "s-b", "s-c"]);
        expect(await store.listDatasetSources("cairn-data", 2)).toEqual(["s-a", "s-b"]);
        expect(await store.listDatasetSources("cairn-data", 2, "s-b")).toEqual(["s-c"]);
        expect(await store.listDatasetSources("cairn-data", 2, "s-c")).toEqual([]);
        expect(await store.listDatasetSources("local", 10)).toEqual(["s-local"]);
        expect(await store.listDatasetSources("none", 10)).toEqual([]);
      });
    });

    describe("findRunsByDataset", () => {
      const input = (name: string, digest: string, context?: string): DatasetInput => ({
        tags: context === undefined ? [] : [{ key: "mlflow.data.context", value: context }],
        dataset: { name, digest, source_type: "local", source: `/data/${name}` },
      });

      it("lists the active runs of every experiment that used the dataset, oldest first, with each use's context", async () => {
        const other = await createExperiment("other");
        await createRun("0", "r1", { startTime: 300 });
        await createRun(other, "r2", { startTime: 100 });
        await createRun("0", "r3", { startTime: 200 });
        await createRun("0", "r4", { startTime: 50 });
        await createRun("0", "gone", { startTime: 10 });
        await store.logInputs("r1", [input("churn", "d1", "training"), input("other", "d9", "training")]);
        await store.logInputs("r2", [input("churn", "d2", "eval")]);
        await store.logInputs("r3", [input("churn", "d1")]);
        await store.logInputs("r4", [input("other", "d1", "training")]);
        await store.logInputs("gone", [input("churn", "d1", "training")]);
        await store.setRunLifecycle("gone", "deleted", 500);

        const all = await store.findRunsByDataset("churn");
        expect(all.map(({ run, context }) => [run.run_id, run.experiment_id, run.run_name, context])).toEqual([
          ["r2", other, "name-r2", "eval"],
          ["r3", "0", "name-r3", undefined],
          ["r1", "0", "name-r1", "training"],
        ]);
        expect(all[1]).toEqual({ run: (await store.getRunInfo("r3"))! });
        expect((await store.findRunsByDataset("churn", "d1")).map(({ run }) => run.run_id)).toEqual(["r3", "r1"]);
        expect(await store.findRunsByDataset("churn", "nope")).toEqual([]);
        expect(await store.findRunsByDataset("unknown")).toEqual([]);
      });

      it("lists a run once per digest of the dataset it used", async () => {
        await createRun("0", "r1");
        await store.logInputs("r1", [input("churn", "d1", "training"), input("churn", "d2", "eval")]);
        expect((await store.findRunsByDataset("churn")).map(({ run, context }) => [run.run_id, context])).toEqual([
          ["r1", "training"],
          ["r1", "eval"],
        ]);
      });
    });
  });
}
