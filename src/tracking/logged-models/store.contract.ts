import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeyValue, Metric } from "../../protocol/mlflow/entities.js";
import type { LoggedModel } from "../../protocol/mlflow/logged-model-entities.js";
import type { TrackingStore } from "../store.js";
import type { LoggedModelComparison, LoggedModelOrderBy } from "./search-filter.js";
import type { LoggedModelSearch, LoggedModelStore, NewLoggedModel } from "./store.js";
import { rejection } from "../../core/test-support/rejection.js";

/**
 * The contract every LoggedModelStore backend passes, with the TrackingStore of the same backend (metrics linked to
 * a model are written through its logBatch; experiments and runs live there). Fresh, empty stores per test; exact
 * values asserted.
 */
export type OpenLoggedModelStores = () => Promise<{ tracking: TrackingStore; loggedModels: LoggedModelStore; cleanup(): Promise<void> }>;

const hex = (n: number): string => n.toString(16).padStart(32, "0");
const modelId = (n: number): string => `m-${hex(n)}`;
const runId = (n: number): string => `r${n.toString(16).padStart(31, "0")}`;

export function describeLoggedModelStoreContract(name: string, open: OpenLoggedModelStores): void {
  describe(`LoggedModelStore contract: ${name}`, () => {
    let tracking: TrackingStore;
    let store: LoggedModelStore;
    let cleanup: () => Promise<void>;
    let experimentId: string;

    beforeEach(async () => {
      ({ tracking, loggedModels: store, cleanup } = await open());
      experimentId = await tracking.createExperiment({
        name: "models",
        defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`,
        tags: [],
        now: 10,
      });
    });
    afterEach(async () => {
      await cleanup();
    });

    const create = (n: number, overrides: Partial<NewLoggedModel> = {}): Promise<LoggedModel> =>
      store.create({
        modelId: modelId(n),
        experimentId,
        name: `model-${n}`,
        artifactUri: `mlflow-artifacts:/${experimentId}/models/${modelId(n)}/artifacts`,
        params: [],
        tags: [],
        now: 1000 + n,
        ...overrides,
      });

    const createRun = async (n: number): Promise<string> => {
      await tracking.createRun({
        runId: runId(n),
        experimentId,
        userId: "ada",
        runName: `run-${n}`,
        status: "RUNNING",
        startTime: 100,
        artifactUri: `mlflow-artifacts:/${experimentId}/${runId(n)}/artifacts`,
        tags: [],
      });
      return runId(n);
    };

    const logModelMetrics = async (run: string, metrics: Metric[]): Promise<void> =>
      tracking.logBatch(run, { metrics, params: [], tags: [] });

    const search = (query: Partial<LoggedModelSearch> = {}) =>
      store.search({ experimentIds: [experimentId], filter: [], datasets: [], orderBy: [], maxResults: 100, ...query });
    const ids = async (query: Partial<LoggedModelSearch> = {}): Promise<string[]> =>
      (await search(query)).items.map((model) => model.info.model_id);
    const where = (...filter: LoggedModelComparison[]) => ids({ filter });

    it("creates a pending model and reads it back whole", async () => {
      await createRun(1);
      const params: KeyValue[] = [
        { key: "lr", value: "0.1" },
        { key: "alpha", value: "2" },
      ];
      const created = await create(1, { modelType: "Classifier", sourceRunId: runId(1), params, tags: [{ key: "mlflow.user", value: "ada" }] });
      const expected: LoggedModel = {
        info: {
          model_id: modelId(1),
          experiment_id: experimentId,
          name: "model-1",
          creation_timestamp_ms: 1001,
          last_updated_timestamp_ms: 1001,
          artifact_uri: `mlflow-artifacts:/${experimentId}/models/${modelId(1)}/artifacts`,
          status: "LOGGED_MODEL_PENDING",
          model_type: "Classifier",
          source_run_id: runId(1),
          tags: [{ key: "mlflow.user", value: "ada" }],
          registrations: [],
        },
        data: {
          params: [
            { key: "alpha", value: "2" },
            { key: "lr", value: "0.1" },
          ],
          metrics: [],
        },
      };
      expect(created).toEqual(expected);
      expect(await store.get(modelId(1))).toEqual(expected);
      expect(await store.get(modelId(2))).toBeUndefined();
    });

    it("finalizes with a status and message, and answers undefined for a missing model", async () => {
      await create(1);
      const ready = await store.finalize(modelId(1), { status: "LOGGED_MODEL_UPLOAD_FAILED", statusMessage: "disk full", now: 5000 });
      expect(ready?.info).toMatchObject({ status: "LOGGED_MODEL_UPLOAD_FAILED", status_message: "disk full", last_updated_timestamp_ms: 5000 });
      const again = await store.finalize(modelId(1), { status: "LOGGED_MODEL_READY", now: 6000 });
      expect(again?.info.status).toBe("LOGGED_MODEL_READY");
      expect(again?.info.status_message).toBeUndefined();
      expect(await store.finalize(modelId(9), { status: "LOGGED_MODEL_READY", now: 1 })).toBeUndefined();
    });

    it("keeps params write-once: the same value is a no-op, another value fails the whole call", async () => {
      await create(1, { params: [{ key: "lr", value: "0.1" }] });
      expect(await store.logParams(modelId(1), [{ key: "lr", value: "0.1" }, { key: "depth", value: "3" }], 2000)).toBe(true);
      const error = await rejection(store.logParams(modelId(1), [{ key: "seed", value: "7" }, { key: "lr", value: "0.2" }], 3000));
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
      expect(error.message).toContain("Param with key='lr' was already logged with value='0.1'");
      const model = await store.get(modelId(1));
      expect(model?.data.params).toEqual([
        { key: "depth", value: "3" },
        { key: "lr", value: "0.1" },
      ]);
      expect(model?.info.last_updated_timestamp_ms).toBe(2000);
      expect(await store.logParams(modelId(9), [{ key: "a", value: "b" }], 1)).toBe(false);
    });

    it("sets, overwrites and deletes tags", async () => {
      await create(1, { tags: [{ key: "a", value: "1" }] });
      expect(await store.setTags(modelId(1), [{ key: "a", value: "2" }, { key: "b", value: "3" }], 2000)).toBe(true);
      expect((await store.get(modelId(1)))?.info.tags).toEqual([
        { key: "a", value: "2" },
        { key: "b", value: "3" },
      ]);
      expect(await store.deleteTag(modelId(1), "a", 3000)).toBe("deleted");
      expect(await store.deleteTag(modelId(1), "a", 3000)).toBe("missing-tag");
      expect(await store.deleteTag(modelId(9), "a", 3000)).toBe("missing-model");
      expect(await store.setTags(modelId(9), [{ key: "a", value: "1" }], 1)).toBe(false);
      const model = await store.get(modelId(1));
      expect(model?.info.tags).toEqual([{ key: "b", value: "3" }]);
      expect(model?.info.last_updated_timestamp_ms).toBe(3000);
    });

    it("deletes a model: hidden from get, search and every write", async () => {
      await create(1);
      await create(2);
      expect(await store.delete(modelId(1), 4000)).toBe(true);
      expect(await store.delete(modelId(1), 4000)).toBe(false);
      expect(await store.get(modelId(1))).toBeUndefined();
      expect(await ids()).toEqual([modelId(2)]);
      expect(await store.setTags(modelId(1), [{ key: "a", value: "1" }], 1)).toBe(false);
      const run = await createRun(1);
      const error = await rejection(logModelMetrics(run, [{ key: "acc", value: 1, step: 0, timestamp: 1, model_id: modelId(1) }]));
      expect(error).toEqual({ code: "RESOURCE_DOES_NOT_EXIST", message: `Logged model with ID '${modelId(1)}' not found.` });
    });

    it("hides the models of a deleted experiment and brings them back on restore", async () => {
      await create(1);
      await tracking.setExperimentLifecycle(experimentId, "deleted", 5000);
      expect(await store.get(modelId(1))).toBeUndefined();
      expect(await ids()).toEqual([]);
      expect(await store.finalize(modelId(1), { status: "LOGGED_MODEL_READY", now: 1 })).toBeUndefined();
      await tracking.setExperimentLifecycle(experimentId, "active", 6000);
      expect((await store.get(modelId(1)))?.info.status).toBe("LOGGED_MODEL_PENDING");
      expect(await ids()).toEqual([modelId(1)]);
    });

    it("answers the metrics logged with the model's id: latest per key and dataset, the run's own metrics unchanged", async () => {
      await create(1);
      const run = await createRun(1);
      await logModelMetrics(run, [
        { key: "acc", value: 0.5, step: 0, timestamp: 10 },
        { key: "acc", value: 0.7, step: 1, timestamp: 20, model_id: modelId(1) },
        { key: "acc", value: 0.6, step: 0, timestamp: 15, model_id: modelId(1) },
        { key: "acc", value: 0.9, step: 1, timestamp: 30, model_id: modelId(1), dataset_name: "test", dataset_digest: "d1" },
        { key: "loss", value: Number.NaN, step: 2, timestamp: 40, model_id: modelId(1) },
      ]);
      expect((await store.get(modelId(1)))?.data.metrics).toEqual([
        { key: "acc", value: 0.7, timestamp: 20, step: 1, run_id: run, model_id: modelId(1) },
        { key: "acc", value: 0.9, timestamp: 30, step: 1, run_id: run, model_id: modelId(1), dataset_name: "test", dataset_digest: "d1" },
        { key: "loss", value: Number.NaN, timestamp: 40, step: 2, run_id: run, model_id: modelId(1) },
      ]);
      const runMetrics = (await tracking.getRun(run))?.data.metrics;
      expect(runMetrics).toEqual([
        { key: "acc", value: 0.9, timestamp: 30, step: 1 },
        { key: "loss", value: Number.NaN, timestamp: 40, step: 2 },
      ]);
      expect((await tracking.getMetricHistory(run, "acc", { maxResults: 100 })).items).toHaveLength(4);
    });

    it("fails a whole batch whose metric names a missing model", async () => {
      const run = await createRun(1);
      const error = await rejection(
        logModelMetrics(run, [
          { key: "a", value: 1, step: 0, timestamp: 1 },
          { key: "b", value: 1, step: 0, timestamp: 1, model_id: modelId(7) },
        ]),
      );
      expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
      expect((await tracking.getRun(run))?.data.metrics).toEqual([]);
    });

    it("links runs to their output and input models, once each", async () => {
      const run = await createRun(1);
      expect((await tracking.getRun(run))?.outputs).toBeUndefined();
      await tracking.logOutputs(run, [{ model_id: modelId(1), step: 0 }]);
      await tracking.logOutputs(run, [{ model_id: modelId(1), step: 0 }, { model_id: modelId(2), step: 3 }]);
      await tracking.logInputs(run, [], [{ model_id: modelId(3) }, { model_id: modelId(3) }]);
      const loaded = await tracking.getRun(run);
      expect(loaded?.outputs).toEqual({
        model_outputs: [
          { model_id: modelId(1), step: 0 },
          { model_id: modelId(2), step: 3 },
        ],
      });
      expect(loaded?.inputs).toEqual({ dataset_inputs: [], model_inputs: [{ model_id: modelId(3) }] });
      const searched = await tracking.searchRuns({ experimentIds: [experimentId], orderBy: [], viewType: "ACTIVE_ONLY", maxResults: 10 });
      expect(searched.items[0]?.outputs).toEqual(loaded?.outputs);
    });

    describe("search", () => {
      beforeEach(async () => {
        const run = await createRun(1);
        await create(1, { name: "Alpha", modelType: "LLM", sourceRunId: run, params: [{ key: "lr", value: "0.1" }], tags: [{ key: "team", value: "red" }] });
        await create(2, { name: "beta", params: [{ key: "lr", value: "0.2" }], tags: [{ key: "team", value: "blue" }] });
        await create(3, { name: "alphabet" });
        await store.finalize(modelId(2), { status: "LOGGED_MODEL_READY", now: 9000 });
        await logModelMetrics(run, [
          { key: "acc", value: 0.8, step: 0, timestamp: 10, model_id: modelId(1), dataset_name: "test", dataset_digest: "d1" },
          { key: "acc", value: 0.95, step: 0, timestamp: 11, model_id: modelId(1), dataset_name: "train", dataset_digest: "d2" },
          { key: "acc", value: 0.9, step: 0, timestamp: 12, model_id: modelId(2), dataset_name: "test", dataset_digest: "d1" },
        ]);
      });

      it("orders newest first by default, then by model id", async () => {
        expect(await ids()).toEqual([modelId(3), modelId(2), modelId(1)]);
      });

      it("filters on attributes: exact, case-sensitive LIKE, ILIKE, IN, numbers", async () => {
        expect(await where({ entity: "attribute", key: "name", comparator: "=", value: "beta" })).toEqual([modelId(2)]);
        expect(await where({ entity: "attribute", key: "name", comparator: "LIKE", value: "alpha%" })).toEqual([modelId(3)]);
        expect(await where({ entity: "attribute", key: "name", comparator: "ILIKE", value: "alpha%" })).toEqual([modelId(3), modelId(1)]);
        expect(await where({ entity: "attribute", key: "status", comparator: "=", value: "LOGGED_MODEL_READY" })).toEqual([modelId(2)]);
        expect(await where({ entity: "attribute", key: "model_id", comparator: "IN", value: [modelId(1), modelId(3)] })).toEqual([modelId(3), modelId(1)]);
        expect(await where({ entity: "attribute", key: "source_run_id", comparator: "=", value: runId(1) })).toEqual([modelId(1)]);
        expect(await where({ entity: "attribute", key: "model_type", comparator: "!=", value: "LLM" })).toEqual([]);
        expect(await where({ entity: "attribute", key: "creation_time", comparator: ">=", value: 1002 })).toEqual([modelId(3), modelId(2)]);
        expect(await where({ entity: "attribute", key: "last_updated_time", comparator: ">", value: 5000 })).toEqual([modelId(2)]);
      });

      it("filters on metrics (any dataset, or the datasets named), params and tags, ANDed", async () => {
        expect(await where({ entity: "metric", key: "acc", comparator: ">", value: 0.85 })).toEqual([modelId(2), modelId(1)]);
        expect(await ids({ filter: [{ entity: "metric", key: "acc", comparator: ">", value: 0.85 }], datasets: [{ datasetName: "test" }] })).toEqual([modelId(2)]);
        expect(
          await ids({ filter: [{ entity: "metric", key: "acc", comparator: ">", value: 0.85 }], datasets: [{ datasetName: "train", datasetDigest: "d2" }] }),
        ).toEqual([modelId(1)]);
        expect(await ids({ datasets: [{ datasetName: "train" }] })).toEqual([modelId(1)]);
        expect(await where({ entity: "param", key: "lr", comparator: "=", value: "0.2" })).toEqual([modelId(2)]);
        expect(await where({ entity: "tag", key: "team", comparator: "LIKE", value: "%e%" })).toEqual([modelId(2), modelId(1)]);
        expect(
          await where(
            { entity: "tag", key: "team", comparator: "!=", value: "blue" },
            { entity: "metric", key: "acc", comparator: "<", value: 0.9 },
          ),
        ).toEqual([modelId(1)]);
      });

      it("orders by attributes and by a metric on a dataset, models without the value last", async () => {
        const order = (...orderBy: LoggedModelOrderBy[]) => ids({ orderBy });
        expect(await order({ kind: "attribute", key: "name", ascending: true })).toEqual([modelId(1), modelId(3), modelId(2)]);
        expect(await order({ kind: "attribute", key: "model_type", ascending: false })).toEqual([modelId(1), modelId(3), modelId(2)]);
        // Without a dataset the latest value by timestamp counts: model 1's is 0.95 (train), model 2's 0.9.
        expect(await order({ kind: "metric", key: "acc", ascending: false })).toEqual([modelId(1), modelId(2), modelId(3)]);
        expect(await order({ kind: "metric", key: "acc", ascending: true, datasetName: "test" })).toEqual([modelId(1), modelId(2), modelId(3)]);
        expect(await order({ kind: "metric", key: "acc", ascending: false, datasetName: "train", datasetDigest: "d2" })).toEqual([
          modelId(1),
          modelId(3),
          modelId(2),
        ]);
      });

      it("pages through a metric order, past the models without a value (a NaN latest value counts as none)", async () => {
        await create(4);
        await logModelMetrics(runId(1), [
          { key: "acc", value: 0.99, step: 0, timestamp: 5, model_id: modelId(4) },
          { key: "acc", value: Number.NaN, step: 0, timestamp: 20, model_id: modelId(4) },
        ]);
        const orderBy: LoggedModelOrderBy[] = [{ kind: "metric", key: "acc", ascending: false }];
        expect(await ids({ orderBy })).toEqual([modelId(1), modelId(2), modelId(4), modelId(3)]);
        for (const size of [1, 2, 3]) {
          const seen: string[] = [];
          let pageToken: string | undefined;
          for (let page = 0; page < 6; page += 1) {
            const answer = await search({ orderBy, maxResults: size, ...(pageToken ? { pageToken } : {}) });
            seen.push(...answer.items.map((model) => model.info.model_id));
            pageToken = answer.nextPageToken;
            if (pageToken === undefined) break;
          }
          expect(seen, `pages of ${size}`).toEqual([modelId(1), modelId(2), modelId(4), modelId(3)]);
        }
        const ascending = await ids({ orderBy: [{ kind: "metric", key: "acc", ascending: true }, { kind: "attribute", key: "name", ascending: true }] });
        expect(ascending).toEqual([modelId(2), modelId(1), modelId(3), modelId(4)]);
      });

      it("pages with tokens until the last page, which has none", async () => {
        const first = await search({ maxResults: 2 });
        expect(first.items.map((model) => model.info.model_id)).toEqual([modelId(3), modelId(2)]);
        expect(first.nextPageToken).toEqual(expect.any(String));
        const second = await search({ maxResults: 2, ...(first.nextPageToken ? { pageToken: first.nextPageToken } : {}) });
        expect(second.items.map((model) => model.info.model_id)).toEqual([modelId(1)]);
        expect(second.nextPageToken).toBeUndefined();
        expect((await rejection(search({ pageToken: "not a token" }))).code).toBe("INVALID_PARAMETER_VALUE");
      });

      it("searches only the experiments named", async () => {
        const other = await tracking.createExperiment({ name: "other", defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], now: 1 });
        await create(4, { experimentId: other });
        expect(await ids({ experimentIds: [other] })).toEqual([modelId(4)]);
        expect(await ids({ experimentIds: [experimentId, other] })).toEqual([modelId(4), modelId(3), modelId(2), modelId(1)]);
        expect(await ids({ experimentIds: ["12345"] })).toEqual([]);
      });
    });
  });
}
