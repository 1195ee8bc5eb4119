import { describe, expect, it } from "vitest";
import { featureSeries, isCheckSummary, latestRun, runStatus, statusOf } from "./monitor-results";
import type { MonitorResult } from "./monitor-wire";
import { formatSeconds, rangeStart } from "./time-range";

const score = (time: number, check: MonitorResult["check"], feature: string, method: string, statistic: number | null, threshold: number | null, passed: boolean): MonitorResult => ({
  time,
  check,
  feature,
  method,
  statistic,
  threshold,
  passed,
});

/** Three runs as monitors/history returns them: newest first. Run 200 drifts on x_1; run 300 adds a data test failure. */
const history: MonitorResult[] = [
  score(300, "drift", "", "share_drifted", 0.5, 0.5, false),
  score(300, "drift", "x_0", "ks", 0.2, 0.05, true),
  score(300, "drift", "x_1", "ks", 0.001, 0.05, false),
  score(300, "data_tests", "", "success_share", 0.5, 1, false),
  score(300, "data_tests", "x_0", "expect_column_values_to_be_between", 0, 1, false),
  score(300, "data_tests", "", "expect_table_row_count_to_be_between", 1, 1, true),
  score(200, "drift", "", "share_drifted", 0.5, 0.5, false),
  score(200, "drift", "x_1", "ks", 0.01, 0.05, false),
  score(200, "drift", "x_0", "ks", 0.3, 0.05, true),
  score(200, "data_tests", "", "success_share", 1, 1, true),
  score(100, "drift", "", "share_drifted", 0, 0.5, true),
  score(100, "drift", "x_0", "ks", 0.6, 0.05, true),
  score(100, "drift", "x_1", "ks", 0.4, 0.05, true),
  score(100, "data_tests", "", "success_share", 1, 1, true),
];

describe("monitor results", () => {
  it("tells a check's summary from its per-feature scores and table-level expectations", () => {
    expect(isCheckSummary({ check: "drift", feature: "", method: "share_drifted" })).toBe(true);
    expect(isCheckSummary({ check: "drift", feature: "x_0", method: "ks" })).toBe(false);
    expect(isCheckSummary({ check: "data_tests", feature: "", method: "success_share" })).toBe(true);
    expect(isCheckSummary({ check: "data_tests", feature: "", method: "expect_table_row_count_to_be_between" })).toBe(false);
    expect(isCheckSummary({ check: "quality", feature: "", method: "accuracy" })).toBe(true);
  });

  it("counts the drifted features, failed data tests and failing checks of the latest run", () => {
    const latest = latestRun(history);
    expect(latest).toHaveLength(6);
    const status = runStatus(latest);
    expect(status?.time).toBe(300);
    expect(status?.driftedFeatures).toEqual(["x_1"]);
    expect(status?.failedDataTests.map((t) => [t.feature, t.method])).toEqual([["x_0", "expect_column_values_to_be_between"]]);
    expect(status?.failingChecks).toEqual(["drift", "data_tests"]);
    expect(runStatus([])).toBeUndefined();
  });

  it("turns the history into one series per feature, oldest run first, with the thresholds", () => {
    expect(featureSeries(history, "drift")).toEqual({
      times: [100, 200, 300],
      series: [
        { feature: "x_0", method: "ks", values: [0.6, 0.3, 0.2] },
        { feature: "x_1", method: "ks", values: [0.4, 0.01, 0.001] },
      ],
      thresholds: [0.05],
    });
  });

  it("leaves a gap where a run has no score for a feature, and keeps the newest method", () => {
    const gappy = [score(30, "skew", "age", "linf", 0.2, 0.1, false), score(20, "skew", "city", "jsd", 0.05, 0.2, true), score(10, "skew", "age", "jsd", 0.01, 0.1, true)];
    expect(featureSeries(gappy, "skew")).toEqual({
      times: [10, 20, 30],
      series: [
        { feature: "age", method: "linf", values: [0.01, null, 0.2] },
        { feature: "city", method: "jsd", values: [null, 0.05, null] },
      ],
      thresholds: [0.1, 0.2],
    });
  });

  it("formats schedules and range starts", () => {
    expect([formatSeconds(300), formatSeconds(3600), formatSeconds(90), formatSeconds(172_800)]).toEqual(["5 min", "1 h", "90 s", "2 d"]);
    expect(rangeStart("24h", 100_000_000)).toBe(100_000_000 - 86_400_000);
    expect(rangeStart("all", 5)).toBeUndefined();
    expect(rangeStart("bogus", 700_000_000)).toBe(700_000_000 - 7 * 86_400_000);
  });

  it("reads each check's status: stored statuses first, `passed` for scores from before statuses; too few rows is not failing", () => {
    expect(statusOf({ passed: true })).toBe("pass");
    expect(statusOf({ passed: false })).toBe("fail");
    expect(statusOf({ passed: false, status: "insufficient_data" })).toBe("insufficient_data");
    expect(isCheckSummary({ check: "data_tests", feature: "", method: "min_rows" })).toBe(true);
    const run: MonitorResult[] = [
      { ...score(400, "drift", "", "min_rows", 12, 100, false), status: "insufficient_data" },
      { ...score(400, "skew", "", "error", null, null, false), status: "error" },
      { ...score(400, "quality", "", "accuracy", 0.5, 0.9, false), status: "fail" },
      { ...score(400, "data_tests", "", "success_share", 1, 1, true), status: "pass" },
    ];
    expect(runStatus(run)).toMatchObject({
      failingChecks: ["skew", "quality"],
      checkStatuses: { drift: "insufficient_data", skew: "error", quality: "fail", data_tests: "pass" },
    });
  });
});
