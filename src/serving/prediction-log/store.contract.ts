import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PredictionRecord } from "./records.js";
import type { PredictionLogStore } from "./store.js";

/**
 * The contract every PredictionLogStore backend passes (SQLite now). Each test gets a fresh, empty store and asserts
 * exact values, so two backends that pass behave the same.
 */
export type OpenPredictionLogStore = () => Promise<{ store: PredictionLogStore; cleanup(): Promise<void> }>;

export const predictionRecord = (i: number, overrides: Partial<PredictionRecord> = {}): PredictionRecord => ({
  deployment: "churn",
  version: "1",
  time: 1000 + i,
  latencyMs: 0.5,
  requestId: `r${i}`,
  inputs: JSON.stringify({ x: { dims: [1], type: "float32", data: [i] } }),
  outputs: JSON.stringify({ y: { dims: [1], type: "float32", data: [i * 2] } }),
  ...overrides,
});

export function describePredictionLogStoreContract(name: string, open: OpenPredictionLogStore): void {
  describe(`PredictionLogStore contract: ${name}`, () => {
    let store: PredictionLogStore;
    let cleanup: () => Promise<void>;
    const record = predictionRecord;
    const ids = async (deployment?: string): Promise<string[]> =>
      (await store.searchPredictions({ maxResults: 1000, ...(deployment !== undefined ? { deployment } : {}) })).predictions.map((p) => p.requestId);
    const labelled = async (): Promise<string[]> =>
      (await store.searchPredictions({ maxResults: 1000 })).predictions.filter((p) => p.label !== undefined).map((p) => p.requestId);

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    it("filters by deployment, version and time range and pages in time order", async () => {
      await store.insertPredictions([
        ...Array.from({ length: 10 }, (_, i) => record(i)),
        record(3, { requestId: "other", deployment: "fraud" }),
        record(4, { requestId: "v2", version: "2" }),
      ]);
      const all = await store.searchPredictions({ deployment: "churn", maxResults: 100 });
      expect(all.predictions.map((p) => p.requestId)).toEqual(["r0", "r1", "r2", "r3", "r4", "v2", "r5", "r6", "r7", "r8", "r9"]);
      const v1 = await store.searchPredictions({ deployment: "churn", version: "1", since: 1002, until: 1006, maxResults: 3 });
      expect(v1.predictions.map((p) => p.requestId)).toEqual(["r2", "r3", "r4"]);
      const next = await store.searchPredictions({ deployment: "churn", version: "1", since: 1002, until: 1006, maxResults: 3, pageToken: v1.nextPageToken as string });
      expect(next.predictions.map((p) => p.requestId)).toEqual(["r5"]);
      expect(next.nextPageToken).toBeUndefined();
      expect(next.predictions[0]).toEqual(record(5));
      await expect(store.searchPredictions({ maxResults: 1, pageToken: "nope" })).rejects.toThrow(
        "Invalid page_token 'nope': not a token returned by serving/predictions.",
      );
    });

    it("names the deployment that logged each request id, and leaves out ids never logged", async () => {
      await store.insertPredictions([record(0), record(1, { deployment: "fraud" })]);
      await store.upsertLabels([{ requestId: "early", label: "1", time: 5 }]);
      expect(await store.deploymentsOfRequests(["r0", "r1", "early", "missing"])).toEqual(
        new Map([
          ["r0", "churn"],
          ["r1", "fraud"],
        ]),
      );
      expect(await store.deploymentsOfRequests([])).toEqual(new Map());
    });

    it("joins labels by request id; a later label replaces an earlier one", async () => {
      await store.upsertLabels([{ requestId: "r1", label: '"early"', time: 5 }]);
      await store.insertPredictions([record(0), record(1)]);
      await store.upsertLabels([{ requestId: "r1", label: '{"churned":true}', time: 7 }]);
      const page = await store.searchPredictions({ maxResults: 10 });
      expect(page.predictions[0]?.label).toBeUndefined();
      expect(page.predictions[1]?.label).toEqual({ value: '{"churned":true}', time: 7 });
    });

    it("retention: deletes by age and trims to the newest rows", async () => {
      await store.insertPredictions(Array.from({ length: 10 }, (_, i) => record(i)));
      expect(await store.deleteOlderThan(1003)).toBe(3);
      expect(await store.trimToRows(4)).toBe(3);
      expect(await ids()).toEqual(["r6", "r7", "r8", "r9"]);
      expect(await store.trimToRows(10)).toBe(0);
      expect(await store.countsByDeployment()).toEqual(new Map([["churn", 4]]));
    });

    it("retention in chunks: at most `limit` rows per call, the oldest first, labels by their own time", async () => {
      await store.insertPredictions(Array.from({ length: 10 }, (_, i) => record(i)));
      await store.upsertLabels([0, 1, 2, 3].map((i) => ({ requestId: `r${i}`, label: "1", time: 1000 + i })));
      expect(await store.deleteOlderThan(1005, 2)).toBe(2);
      expect(await store.deleteOlderThan(1005, 2)).toBe(2);
      expect(await store.deleteOlderThan(1005, 2)).toBe(1);
      expect(await store.deleteOlderThan(1005, 2)).toBe(0);
      expect(await labelled()).toEqual([]);
      expect(await store.trimToRows(2, 2)).toBe(2);
      expect(await store.trimToRows(2, 2)).toBe(1);
      expect(await store.trimToRows(2, 2)).toBe(0);
      expect(await ids()).toEqual(["r8", "r9"]);
    });

    it("trimming by rows deletes the labels of the trimmed predictions, however recent the labels", async () => {
      await store.insertPredictions(Array.from({ length: 5 }, (_, i) => record(i)));
      // Labels arrive late (time 9000, newer than every prediction): before, a trim left them until their own age passed.
      await store.upsertLabels([0, 1, 3].map((i) => ({ requestId: `r${i}`, label: "1", time: 9000 })));
      await store.upsertLabels([{ requestId: "never-logged", label: "0", time: 9000 }]);
      expect(await store.trimToRows(3)).toBe(2);
      expect(await ids()).toEqual(["r2", "r3", "r4"]);
      expect(await labelled()).toEqual(["r3"]);
      // The label of a request never logged is not a trimmed prediction's: it stays until its own age passes.
      expect(await store.deploymentsOfRequests(["never-logged"])).toEqual(new Map());
      await store.insertPredictions([record(20, { requestId: "never-logged" })]);
      expect(await labelled()).toEqual(["r3", "never-logged"]);
    });

    it("a label stays while another logged prediction still carries its request id", async () => {
      await store.insertPredictions([record(0, { requestId: "same" }), record(1, { requestId: "same", deployment: "fraud" })]);
      await store.upsertLabels([{ requestId: "same", label: "1", time: 9000 }]);
      expect(await store.deleteDeploymentOlderThan("churn", 2000)).toBe(1);
      expect((await store.searchPredictions({ maxResults: 10 })).predictions.map((p) => [p.deployment, p.label?.value])).toEqual([["fraud", "1"]]);
      expect(await store.deleteDeploymentOlderThan("fraud", 2000)).toBe(1);
      await store.insertPredictions([record(2, { requestId: "same" })]);
      expect(await labelled()).toEqual([]);
    });

    it("per deployment: deletes by age and trims by rows one deployment's predictions only, in chunks, with their labels", async () => {
      await store.insertPredictions([
        ...Array.from({ length: 6 }, (_, i) => record(i)),
        ...Array.from({ length: 6 }, (_, i) => record(i, { deployment: "fraud", requestId: `f${i}` })),
      ]);
      await store.upsertLabels(["r0", "r4", "f0"].map((requestId) => ({ requestId, label: "1", time: 9000 })));
      expect(await store.countsByDeployment()).toEqual(new Map([["churn", 6], ["fraud", 6]]));
      expect(await store.deleteDeploymentOlderThan("churn", 1003, 2)).toBe(2);
      expect(await store.deleteDeploymentOlderThan("churn", 1003, 2)).toBe(1);
      expect(await store.deleteDeploymentOlderThan("churn", 1003, 2)).toBe(0);
      expect(await ids("churn")).toEqual(["r3", "r4", "r5"]);
      expect(await store.trimDeploymentToRows("churn", 1, 1)).toBe(1);
      expect(await store.trimDeploymentToRows("churn", 1, 1)).toBe(1);
      expect(await store.trimDeploymentToRows("churn", 1, 1)).toBe(0);
      expect(await store.trimDeploymentToRows("churn", 1)).toBe(0);
      expect(await ids("churn")).toEqual(["r5"]);
      expect(await ids("fraud")).toEqual(["f0", "f1", "f2", "f3", "f4", "f5"]);
      expect(await labelled()).toEqual(["f0"]);
      expect(await store.countsByDeployment()).toEqual(new Map([["churn", 1], ["fraud", 6]]));
      // Without a limit, one call brings the deployment within its bound; the oldest by time go, whatever the insert order.
      await store.insertPredictions([record(-5, { deployment: "fraud", requestId: "f-late" })]);
      expect(await store.trimDeploymentToRows("fraud", 3)).toBe(4);
      expect(await ids("fraud")).toEqual(["f3", "f4", "f5"]);
      expect(await store.trimDeploymentToRows("unknown", 1)).toBe(0);
      expect(await store.deleteDeploymentOlderThan("unknown", 5000)).toBe(0);
    });

    it("keeps counts per deployment through inserts and every kind of delete; a deployment with none is absent", async () => {
      expect(await store.countsByDeployment()).toEqual(new Map());
      await store.insertPredictions([record(0), record(1), record(2, { deployment: "fraud" })]);
      await store.insertPredictions([record(3, { deployment: "fraud" })]);
      expect(await store.countsByDeployment()).toEqual(new Map([["churn", 2], ["fraud", 2]]));
      expect(await store.deleteOlderThan(1001)).toBe(1);
      expect(await store.trimToRows(2)).toBe(1);
      expect(await store.countsByDeployment()).toEqual(new Map([["fraud", 2]]));
      expect(await store.trimDeploymentToRows("fraud", 1)).toBe(1);
      expect(await store.deleteDeploymentOlderThan("fraud", 5000)).toBe(1);
      expect(await store.countsByDeployment()).toEqual(new Map());
    });
  });
}
