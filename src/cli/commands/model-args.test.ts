import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { parseApprovals, parseMetricThreshold, parseRequiredTag, parseTarget, parseTimeBound, parseVersion } from "./model-args.js";

describe("model command arguments", () => {
  it("reads metric thresholds in the forms people type", () => {
    expect(parseMetricThreshold("accuracy>=0.9")).toEqual({ metric: "accuracy", comparator: ">=", value: 0.9 });
    expect(parseMetricThreshold("metrics.accuracy >= 0.9")).toEqual({ metric: "accuracy", comparator: ">=", value: 0.9 });
    expect(parseMetricThreshold(" rmse < 1e-3 ")).toEqual({ metric: "rmse", comparator: "<", value: 0.001 });
    expect(parseMetricThreshold("f1==1")).toEqual({ metric: "f1", comparator: "=", value: 1 });
    expect(parseMetricThreshold("loss!=-2.5")).toEqual({ metric: "loss", comparator: "!=", value: -2.5 });
    expect(parseMetricThreshold("val/auc <= 0.75")).toEqual({ metric: "val/auc", comparator: "<=", value: 0.75 });
    expect(parseMetricThreshold("my metric>3")).toEqual({ metric: "my metric", comparator: ">", value: 3 });
    for (const bad of ["accuracy", "accuracy>=", ">=0.9", "accuracy>=high", "accuracy=>0.9", "accuracy>=NaN"]) {
      expect(() => parseMetricThreshold(bad), bad).toThrow(UsageError);
    }
    expect(() => parseMetricThreshold("accuracy")).toThrow(`--metric must be <metric><comparator><number> with one of = != > >= < <= (e.g. "accuracy>=0.9"), got 'accuracy'`);
  });

  it("reads required tags, targets, approvals and versions", () => {
    expect(parseRequiredTag("validation_status=passed")).toEqual({ key: "validation_status", value: "passed" });
    expect(parseRequiredTag("expr=a=b")).toEqual({ key: "expr", value: "a=b" });
    expect(parseRequiredTag("empty=")).toEqual({ key: "empty", value: "" });
    expect(() => parseRequiredTag("novalue")).toThrow("--require-tag must be key=value (e.g. validation_status=passed), got 'novalue'");
    expect(() => parseRequiredTag("=x")).toThrow(UsageError);
    expect(parseTarget("--target", "alias:champion")).toBe("alias:champion");
    expect(parseTarget("--set", "stage:Production")).toBe("stage:Production");
    expect(parseTarget("--set", "deployment:churn-prod")).toBe("deployment:churn-prod");
    for (const bad of [undefined, "", "champion", "alias:", "tag:x", "deployment:"]) expect(() => parseTarget("--target", bad)).toThrow(UsageError);
    expect(() => parseTarget("--target", "champion")).toThrow(
      "--target must be alias:<alias>, stage:<Stage> or deployment:<name> (e.g. alias:champion, stage:Production, deployment:churn-prod), got 'champion'",
    );
    expect(parseApprovals("0")).toBe(0);
    expect(parseApprovals("2")).toBe(2);
    for (const bad of ["-1", "1.5", "two", "101"]) expect(() => parseApprovals(bad)).toThrow("--approvals must be an integer from 0 to 100");
    expect(parseVersion("VERSION", "12")).toBe("12");
    for (const bad of ["0", "v1", "1.0", "", "latest"]) expect(() => parseVersion("VERSION", bad)).toThrow(UsageError);
  });

  it("reads time bounds as ms, ISO dates (UTC) and the tables' own format", () => {
    expect(parseTimeBound("--since", "1700000000000")).toBe(1_700_000_000_000);
    expect(parseTimeBound("--since", "2026-11-30")).toBe(Date.UTC(2026, 10, 30));
    expect(parseTimeBound("--since", "2026-11-30T12:30:00Z")).toBe(Date.UTC(2026, 10, 30, 12, 30));
    expect(parseTimeBound("--since", "2026-11-30T12:30:00")).toBe(Date.UTC(2026, 10, 30, 12, 30));
    expect(parseTimeBound("--until", "2026-11-30 12:30:05")).toBe(Date.UTC(2026, 10, 30, 12, 30, 5));
    expect(parseTimeBound("--since", "2026-11-30T12:30:00+02:00")).toBe(Date.UTC(2026, 10, 30, 10, 30));
    for (const bad of ["yesterday", "2026-13-45", "30/11/2026", ""]) expect(() => parseTimeBound("--since", bad)).toThrow(UsageError);
    expect(() => parseTimeBound("--until", "soon")).toThrow(
      "--until must be milliseconds since the epoch or an ISO date such as 2026-11-30T12:00:00Z, got 'soon'",
    );
  });
});
