import { describe, expect, it } from "vitest";
import { CairnError, ErrorCode } from "../../core/errors.js";
import { deploymentModels } from "./deployment-models.js";
import type { DatasetProfile } from "../../validation/profile/profile-schema.js";
import type { StoredPrediction } from "../../serving/prediction-log/store.js";
import { lastRows, selectFeatures, windowTable } from "./log-columns.js";
import { parseMonitorSpec } from "./monitor-spec.js";
import { qualityScore } from "./quality.js";

const prediction = (inputs: object, outputs: object, label?: unknown): StoredPrediction => ({
  deployment: "d",
  version: "1",
  time: 1,
  latencyMs: 1,
  requestId: "r",
  inputs: JSON.stringify(inputs),
  outputs: JSON.stringify(outputs),
  ...(label !== undefined ? { label: { value: JSON.stringify(label), time: 2 } } : {}),
});

describe("windowTable: logged tensors as columns", () => {
  const matrix = { x: { dims: [2, 3], type: "float32", data: [1, 2, 3, 4, 5, 6] } };
  const scores = { prob: { dims: [2, 2], type: "float32", data: [0.9, 0.1, 0.2, 0.8] } };

  it("names the columns of an [n, k] input by the signature when it has k columns, else <input>_<i>", () => {
    const named = windowTable([prediction(matrix, scores, [0, 0])], () => ["a", "b", "c"]);
    expect(named.features.map((f) => [f.name, f.sqlType, f.kind])).toEqual([["a", "DOUBLE", "numeric"], ["b", "DOUBLE", "numeric"], ["c", "DOUBLE", "numeric"]]);
    expect(named.rows).toEqual([{ a: 1, b: 2, c: 3 }, { a: 4, b: 5, c: 6 }]);
    // Class scores: the prediction is the argmax; an array label of n values spreads over the rows.
    expect(named.predictions).toEqual([0, 1]);
    expect(named.labels).toEqual([0, 0]);
    expect(windowTable([prediction(matrix, scores)], () => ["a", "b"]).features.map((f) => f.name)).toEqual(["x_0", "x_1", "x_2"]);
    // The names are the answering version's: a window over two versions names each prediction by its own.
    const two = windowTable([prediction(matrix, scores), { ...prediction(matrix, scores), version: "2" }], (v) => (v === "2" ? ["a", "b", "c"] : undefined));
    expect(two.features.map((f) => f.name)).toEqual(["x_0", "x_1", "x_2", "a", "b", "c"]);
  });

  it("keeps one column per [n] input with its type, and trims to the newest rows", () => {
    const table = windowTable([
      prediction({ age: { dims: [1], type: "int64", data: [30] }, city: { dims: [1], type: "string", data: ["Oslo"] } }, { y: { dims: [1], type: "int64", data: [1] } }, { label: 1 }),
      prediction({ age: { dims: [1], type: "int64", data: [40] }, city: { dims: [1], type: "string", data: ["Rome"] } }, { y: { dims: [1], type: "int64", data: [0] } }),
    ]);
    expect(table.features.map((f) => [f.name, f.sqlType])).toEqual([["age", "BIGINT"], ["city", "VARCHAR"]]);
    expect(table.labels).toEqual([{ label: 1 }, undefined]);
    expect(lastRows(table, 1).rows).toEqual([{ age: 40, city: "Rome" }]);
  });
});

describe("selectFeatures", () => {
  const table = windowTable([prediction({ x: { dims: [1, 3], type: "float32", data: [1, 2, 3] } }, { y: { dims: [1], type: "int64", data: [1] } })], () => ["a", "b", "c"]);
  it("keeps the monitored features in their order and names the logged columns that are none of them", () => {
    const { table: kept, unmatched } = selectFeatures(table, ["c", "a", "z"]);
    expect(kept.features.map((f) => f.name)).toEqual(["c", "a"]);
    expect(kept.rows).toEqual([{ c: 3, a: 1 }]);
    expect(unmatched).toEqual(["b"]);
  });
  it("keeps nothing when no column is a monitored feature (the checks then compare zero features)", () => {
    const unnamed = windowTable([prediction({ x: { dims: [1, 3], type: "float32", data: [1, 2, 3] } }, {})]);
    expect(selectFeatures(unnamed, ["a", "b", "c"])).toMatchObject({ table: { features: [], rows: [{}] }, unmatched: ["x_0", "x_1", "x_2"] });
  });
});

describe("qualityScore", () => {
  it("accuracy compares numbers and text, skipping unlabelled rows", () => {
    expect(qualityScore("accuracy", [1, 0, 1, 1], [1, "0", 0, undefined])).toEqual({ value: 2 / 3, labelled: 3 });
    expect(qualityScore("accuracy", ["cat", "dog"], [{ y: "cat" }, { y: "cat" }], "y")).toEqual({ value: 0.5, labelled: 2 });
    expect(qualityScore("accuracy", [1], [undefined])).toEqual({ value: null, labelled: 0 });
  });

  it("f1 is binary for 0/1 labels and macro-averaged otherwise (scikit-learn's values)", () => {
    // sklearn.metrics.f1_score([1,1,0,0,1], [1,0,0,1,1]) = 2/3
    expect(qualityScore("f1", [1, 0, 0, 1, 1], [1, 1, 0, 0, 1]).value).toBeCloseTo(2 / 3, 15);
    // f1_score(["a","b","c","a"], ["a","c","c","b"], average="macro"): a 2/3, b 0, c 2/3 -> 4/9
    expect(qualityScore("f1", ["a", "c", "c", "b"], ["a", "b", "c", "a"]).value).toBeCloseTo(4 / 9, 15);
    expect(qualityScore("f1", [true, false], [false, true]).value).toBe(0);
  });

  it("rmse and mae over numbers", () => {
    expect(qualityScore("rmse", [1, 2, 3], [1, 4, 0]).value).toBeCloseTo(Math.sqrt(13 / 3), 15);
    expect(qualityScore("mae", [1, 2, 3], [1, 4, 0]).value).toBeCloseTo(5 / 3, 15);
    expect(qualityScore("mae", ["a"], [1]).value).toBeNull();
  });
});

describe("parseMonitorSpec", () => {
  const base = { name: "m", deployment: "d", window: { last_seconds: 3600 }, schedule_seconds: 60, checks: { skew: { thresholds: { age: 0.05 } } } };
  it("reads a definition", () => {
    expect(parseMonitorSpec(base)).toEqual({ name: "m", deployment: "d", window: { lastSeconds: 3600 }, scheduleSeconds: 60, checks: { skew: { thresholds: { age: 0.05 } } } });
    expect(parseMonitorSpec({ ...base, checks: { drift: { reference: { path: "/data/ref.parquet" }, methods: { age: "psi:0.2" } } } }).checks.drift).toEqual({
      reference: { path: "/data/ref.parquet" },
      methods: { age: "psi:0.2" },
    });
  });
  it("names the field and the limit of what it refuses", () => {
    expect(() => parseMonitorSpec({ ...base, window: { last_rows: 5, last_seconds: 5 } })).toThrow("Monitor 'window' must give exactly one of 'last_rows' or 'last_seconds'.");
    expect(() => parseMonitorSpec({ ...base, schedule_seconds: 1 })).toThrow("Monitor 'schedule_seconds' must be an integer from 10 to 2678400, got 1.");
    expect(() => parseMonitorSpec({ ...base, checks: {} })).toThrow("Monitor 'checks' must configure at least one of drift, skew, data_tests, quality.");
    expect(() => parseMonitorSpec({ ...base, checks: { skew: { thresholds: { age: 2 } } } })).toThrow("Monitor 'checks.skew.thresholds.age' must be a number from 0 to 1, got 2.");
    expect(() => parseMonitorSpec({ ...base, checks: { drfit: {} } })).toThrow("Monitor 'checks' has unknown field 'drfit'; known: drift, skew, data_tests, quality.");
    expect(() => parseMonitorSpec({ ...base, checks: { quality: { metric: "accuracy", threshold: 1.5 } } })).toThrow("Monitor 'checks.quality.threshold' must be a number from 0 to 1, got 1.5.");
    expect(() => parseMonitorSpec({ ...base, min_rows: 0 })).toThrow("Monitor 'min_rows' must be an integer from 1 to 1000000, got 0.");
    expect(() => parseMonitorSpec({ ...base, min_rows: "5" })).toThrow("Monitor 'min_rows' must be an integer from 1 to 1000000, got \"5\".");
    expect(() => parseMonitorSpec({ ...base, features: [] })).toThrow("Monitor 'features' must be a non-empty JSON array of feature names.");
    expect(() => parseMonitorSpec({ ...base, features: ["a", 1] })).toThrow("Monitor 'features[1]' must be a non-empty string.");
    expect(() => parseMonitorSpec({ ...base, features: ["a", "a"] })).toThrow("Monitor 'features' names 'a' twice.");
    expect(() => parseMonitorSpec({ ...base, features: Array.from({ length: 10_001 }, (_, i) => `f${i}`) })).toThrow("Monitor 'features' has 10001 names; at most 10000 are allowed.");
  });
  it("reads min_rows and features", () => {
    expect(parseMonitorSpec({ ...base, min_rows: 20, features: ["age", "city"] })).toMatchObject({ minRows: 20, features: ["age", "city"] });
  });
});

describe("deploymentModels", () => {
  const profile: DatasetProfile = { schema_version: 1, source: "t", row_count: 0, options: { bins: 1, top_k: 1, quantiles: [], distinct: "exact" }, columns: [] };
  const models = deploymentModels({
    store: { get: async (name) => (name === "churn" ? { modelName: "churn-model", policy: { primary: "2" } } : undefined) },
    signature: async (model, version) => (model === "churn-model" && version !== "3" ? ["a", "b"] : undefined),
    profiles: {
      readTrainingProfile: async (model, version) => {
        if (model === "churn-model" && version === "2") return { ...profile, columns: [] };
        throw new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "none");
      },
    },
  });
  it("gives the served version, the registered signature of any version and its training profile, nothing when missing", async () => {
    expect(await models.servedVersion("churn")).toBe("2");
    expect(await models.servedVersion("other")).toBeUndefined();
    expect(await models.model("churn", "2")).toEqual({ signatureColumns: ["a", "b"], trainingProfile: { ...profile, columns: [] } });
    expect(await models.model("churn", "1")).toEqual({ signatureColumns: ["a", "b"] });
    expect(await models.model("churn", "3")).toEqual({});
  });
});
