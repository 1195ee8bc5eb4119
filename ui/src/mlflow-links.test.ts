import { describe, expect, it } from "vitest";
import { cairnPathForMlflowHash } from "./mlflow-links";

describe("cairnPathForMlflowHash", () => {
  it("opens the page an MLflow client's printed link names", () => {
    expect(cairnPathForMlflowHash("#/experiments/1/runs/abc123")).toBe("/experiments/1/runs/abc123");
    expect(cairnPathForMlflowHash("#/experiments/1")).toBe("/experiments/1");
    expect(cairnPathForMlflowHash("#/experiments")).toBe("/experiments");
    expect(cairnPathForMlflowHash("#/")).toBe("/experiments");
    expect(cairnPathForMlflowHash("#/models")).toBe("/models");
    expect(cairnPathForMlflowHash("#/models/churn%20model")).toBe("/models/churn%20model");
    expect(cairnPathForMlflowHash("#/models/churn%20model/versions/3")).toBe("/models/churn%20model/versions/3");
    expect(cairnPathForMlflowHash("#/models/churn/versions")).toBe("/models/churn");
  });

  it("maps the run's tabs, logged models, traces and the compare page", () => {
    expect(cairnPathForMlflowHash("#/experiments/1/runs/abc/artifacts")).toBe("/experiments/1/runs/abc?tab=artifacts");
    expect(cairnPathForMlflowHash("#/experiments/1/runs/abc/artifacts/model/MLmodel")).toBe("/experiments/1/runs/abc?tab=artifacts&artifact=model%2FMLmodel");
    expect(cairnPathForMlflowHash("#/experiments/1/runs/abc/model-metrics")).toBe("/experiments/1/runs/abc?tab=metrics");
    expect(cairnPathForMlflowHash("#/experiments/1/models/m-0123456789abcdef0123456789abcdef")).toBe("/experiments/1/models/m-0123456789abcdef0123456789abcdef");
    expect(cairnPathForMlflowHash("#/experiments/1/models")).toBe("/experiments/1/models");
    expect(cairnPathForMlflowHash("#/experiments/1/traces")).toBe("/experiments/1/traces");
    expect(cairnPathForMlflowHash("#/experiments/1?compareRunsMode=TRACES&selectedTraceId=tr-abc")).toBe("/experiments/1/traces/tr-abc");
    expect(cairnPathForMlflowHash('#/compare-runs?runs=["a","b"]&experiments=["1"]')).toBe("/compare?run=a&run=b");
    expect(cairnPathForMlflowHash("#/compare-runs?runs=%5B%22a%22%5D")).toBe("/compare?run=a");
  });

  it("keeps every id inside its own path segment and leaves other hashes alone", () => {
    expect(cairnPathForMlflowHash("#/experiments/1/runs/..%2F..%2Fmodels")).toBe("/experiments/1/runs/..%2F..%2Fmodels");
    expect(cairnPathForMlflowHash("#/experiments/%E0%A4%A/runs/x")).toBe("/experiments");
    expect(cairnPathForMlflowHash("#/models/a%2Fb/versions/1")).toBe("/models/a%2Fb/versions/1");
    expect(cairnPathForMlflowHash("#main")).toBeUndefined();
    expect(cairnPathForMlflowHash("")).toBeUndefined();
    expect(cairnPathForMlflowHash("#/metric/loss")).toBeUndefined();
  });
});
