import type { Database } from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PredictionRecord } from "../../serving/prediction-log/records.js";
import { tempDbFile } from "../../webhooks/test-support/webhook-kit.js";
import { openDatabase } from "./open-database.js";
import { SqlitePredictionLogStore } from "./sqlite-prediction-log-store.js";

const record = (i: number, overrides: Partial<PredictionRecord> = {}): PredictionRecord => ({
  deployment: "churn",
  version: "1",
  time: 1000 + i,
  latencyMs: 0.5,
  requestId: `r${i}`,
  inputs: JSON.stringify({ x: { dims: [1], type: "float32", data: [i] } }),
  outputs: JSON.stringify({ y: { dims: [1], type: "float32", data: [i * 2] } }),
  ...overrides,
});

describe("SqlitePredictionLogStore", () => {
  let temp: ReturnType<typeof tempDbFile>;
  let db: Database;
  let store: SqlitePredictionLogStore;

  beforeEach(() => {
    temp = tempDbFile();
    db = openDatabase(temp.file);
    store = new SqlitePredictionLogStore(db);
  });
  afterEach(() => {
    db.close();
    temp.remove();
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
    expect((await store.searchPredictions({ maxResults: 100 })).predictions.map((p) => p.requestId)).toEqual(["r6", "r7", "r8", "r9"]);
    expect(await store.trimToRows(10)).toBe(0);
  });

  it("retention in chunks: at most `limit` rows per call, the oldest first, labels by their own time", async () => {
    await store.insertPredictions(Array.from({ length: 10 }, (_, i) => record(i)));
    await store.upsertLabels([0, 1, 2, 3].map((i) => ({ requestId: `r${i}`, label: "1", time: 1000 + i })));
    expect(await store.deleteOlderThan(1005, 2)).toBe(2);
    expect(await store.deleteOlderThan(1005, 2)).toBe(2);
    expect(await store.deleteOlderThan(1005, 2)).toBe(1);
    expect(await store.deleteOlderThan(1005, 2)).toBe(0);
    expect((db.prepare("SELECT count(*) AS n FROM prediction_labels").get() as { n: number }).n).toBe(0);
    expect(await store.trimToRows(2, 2)).toBe(2);
    expect(await store.trimToRows(2, 2)).toBe(1);
    expect(await store.trimToRows(2, 2)).toBe(0);
    expect((await store.searchPredictions({ maxResults: 100 })).predictions.map((p) => p.requestId)).toEqual(["r8", "r9"]);
  });
});
