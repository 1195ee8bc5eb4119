import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Monitor, MonitorRun } from "./monitor.js";
import type { MonitorStore } from "./store.js";

/**
 * The contract every MonitorStore backend passes (SQLite, PostgreSQL). Each test gets a fresh, empty store; `another`
 * opens a second connection to the same database (a second replica's scheduler).
 */
export interface OpenedMonitorStore {
  store: MonitorStore;
  another(): Promise<{ store: MonitorStore; close(): Promise<void> }>;
  cleanup(): Promise<void>;
}

export const monitor = (name: string): Monitor => ({
  name,
  deployment: "churn",
  window: { lastRows: 500 },
  scheduleSeconds: 60,
  checks: { skew: { thresholds: { age: 0.2 } }, quality: { metric: "accuracy", threshold: 0.9 } },
  minRows: 20,
  features: ["age", "city"],
  createdTime: 1000,
  lastUpdatedTime: 1000,
});

export const run = (name: string, time: number, ageStatistic: number): MonitorRun => ({
  monitor: name,
  time,
  rows: 10,
  status: ageStatistic <= 0.2 ? "pass" : "fail",
  passed: ageStatistic <= 0.2,
  checks: [
    {
      check: "skew",
      status: ageStatistic <= 0.2 ? "pass" : "fail",
      passed: ageStatistic <= 0.2,
      message: "",
      features: ["age", "city"],
      scores: [
        { check: "skew", feature: "", method: "max", statistic: ageStatistic, threshold: null, passed: ageStatistic <= 0.2, status: ageStatistic <= 0.2 ? "pass" : "fail" },
        { check: "skew", feature: "age", method: "jensen_shannon_divergence", statistic: ageStatistic, threshold: 0.2, passed: ageStatistic <= 0.2, status: ageStatistic <= 0.2 ? "pass" : "fail" },
        { check: "skew", feature: "city", method: "l_infinity", statistic: Number.NaN, threshold: 0.1, passed: true, status: "pass" },
      ],
    },
  ],
});

export function describeMonitorStoreContract(name: string, open: () => Promise<OpenedMonitorStore>): void {
  describe(`MonitorStore contract: ${name}`, () => {
    let opened: OpenedMonitorStore;
    let store: MonitorStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it("creates, gets, lists and deletes monitors with their definition intact", async () => {
      await store.create(monitor("b"));
      await store.create(monitor("a"));
      expect(await store.get("a")).toEqual(monitor("a"));
      expect((await store.list()).map((m) => m.name)).toEqual(["a", "b"]);
      await expect(store.create(monitor("a"))).rejects.toThrow();
      expect(await store.delete("a")).toBe(true);
      expect(await store.delete("a")).toBe(false);
      expect(await store.get("a")).toBeUndefined();
    });

    it("records runs as a time series, pages history newest first, filters by feature", async () => {
      await store.create(monitor("m"));
      for (let i = 0; i < 5; i += 1) await store.recordRun(run("m", 10_000 + i * 1000, i / 10));
      expect((await store.get("m"))?.lastRunTime).toBe(14_000);

      const first = await store.history({ monitor: "m", feature: "age", maxResults: 2 });
      expect(first.results.map((r) => [r.time, r.statistic])).toEqual([[14_000, 0.4], [13_000, 0.3]]);
      expect(first.results[0]).toEqual({
        monitor: "m", time: 14_000, check: "skew", feature: "age", method: "jensen_shannon_divergence", statistic: 0.4, threshold: 0.2, passed: false, status: "fail",
      });
      const second = await store.history({ monitor: "m", feature: "age", maxResults: 2, pageToken: first.nextPageToken as string });
      expect(second.results.map((r) => r.time)).toEqual([12_000, 11_000]);
      const third = await store.history({ monitor: "m", feature: "age", maxResults: 2, pageToken: second.nextPageToken as string });
      expect(third.results.map((r) => r.time)).toEqual([10_000]);
      expect(third.nextPageToken).toBeUndefined();

      const all = await store.history({ monitor: "m", maxResults: 100 });
      expect(all.results).toHaveLength(15);
      // A NaN statistic is stored as null (no number to plot), not as a crash.
      expect(all.results.find((r) => r.feature === "city")?.statistic).toBeNull();
      await expect(store.history({ monitor: "m", maxResults: 1, pageToken: "junk" })).rejects.toThrow("Invalid page_token 'junk'");
    });

    it("keeps the observed value and message of data-test results, and none for other scores", async () => {
      await store.create(monitor("m"));
      await store.recordRun({
        monitor: "m",
        time: 50,
        rows: 2,
        status: "fail",
        passed: false,
        checks: [
          {
            check: "data_tests",
            status: "fail",
            passed: false,
            message: "data tests failed: expect_column_values_to_be_in_set on 'city'",
            features: ["city"],
            scores: [
              { check: "data_tests", feature: "", method: "success_share", statistic: 0, threshold: 1, passed: false, status: "fail" },
              { check: "data_tests", feature: "city", method: "expect_column_values_to_be_in_set", statistic: 0, threshold: 1, passed: false, status: "fail", observedValue: '["Paris"]', message: "city failed" },
            ],
          },
        ],
      });
      expect((await store.history({ monitor: "m", maxResults: 10 })).results).toEqual([
        { monitor: "m", time: 50, check: "data_tests", feature: "city", method: "expect_column_values_to_be_in_set", statistic: 0, threshold: 1, passed: false, status: "fail", observedValue: '["Paris"]', message: "city failed" },
        { monitor: "m", time: 50, check: "data_tests", feature: "", method: "success_share", statistic: 0, threshold: 1, passed: false, status: "fail" },
      ]);
    });

    it("records an alert's state and event in one step, pages events newest first, and drops both with the monitor", async () => {
      await store.create(monitor("m"));
      const summary = { feature: "", method: "max", statistic: 0.5, threshold: null };
      const alert = { monitor: "m", kind: "alert" as const, status: "fail" as const, windowRows: 10, features: ["age"] };
      await store.recordAlert({ ...alert, time: 5, check: "skew", message: "skewed", scores: [summary] });
      await store.recordAlert({ ...alert, time: 6, check: "drift", message: "drifted", scores: [{ ...summary, statistic: Number.NaN }] });
      await store.recordAlert({ monitor: "m", time: 7, check: "skew", kind: "recovered", status: "pass", message: "no skew", windowRows: 12, features: ["age"], failingSince: 5, scores: [summary] });
      // An error sets only its own time: drift stays failing over its features, quality gets a state without one.
      await store.recordAlert({ monitor: "m", time: 8, check: "drift", kind: "error", status: "error", message: "drift check could not run: x", windowRows: 0, features: [], scores: [] });
      await store.recordAlert({ monitor: "m", time: 8, check: "quality", kind: "error", status: "error", message: "quality check could not run: y", windowRows: 0, features: [], scores: [] });
      expect(await store.alertStates("m")).toEqual([
        { check: "drift", failing: true, since: 6, features: ["age"], errorSince: 8 },
        { check: "quality", failing: false, errorSince: 8 },
        { check: "skew", failing: false, since: 7 },
      ]);
      await store.clearAlertError("m", "drift");
      expect((await store.alertStates("m"))[0]).toEqual({ check: "drift", failing: true, since: 6, features: ["age"] });
      const first = await store.alertEvents({ monitor: "m", maxResults: 4 });
      expect(first.events.slice(2)).toEqual([
        { monitor: "m", time: 7, check: "skew", kind: "recovered", status: "pass", message: "no skew", windowRows: 12, features: ["age"], failingSince: 5, scores: [summary] },
        // NaN is stored as null, as JSON (and the webhook payload) has it.
        { ...alert, time: 6, check: "drift", message: "drifted", scores: [{ ...summary, statistic: null }] },
      ]);
      expect(first.events.map((e) => e.kind)).toEqual(["error", "error", "recovered", "alert"]);
      const second = await store.alertEvents({ monitor: "m", maxResults: 4, pageToken: first.nextPageToken as string });
      expect(second).toEqual({ events: [{ ...alert, time: 5, check: "skew", message: "skewed", scores: [summary] }] });
      await expect(store.alertEvents({ monitor: "m", maxResults: 1, pageToken: "junk" })).rejects.toThrow("Invalid page_token 'junk': not a token returned by monitors/alerts.");

      await store.recordRun(run("m", 1, 0.5));
      await store.delete("m");
      expect(await store.alertStates("m")).toEqual([]);
      expect(await store.alertEvents({ monitor: "m", maxResults: 10 })).toEqual({ events: [] });
      expect((await store.history({ monitor: "m", maxResults: 10 })).results).toEqual([]);
    });

    it("claims a scheduled run once: only the scheduler that saw the current last run moves it", async () => {
      await store.create(monitor("m"));
      expect(await store.claimRun("m", 500, 1000)).toBe(false);
      expect(await store.claimRun("m", undefined, 1000)).toBe(true);
      expect((await store.get("m"))?.lastRunTime).toBe(1000);
      expect(await store.claimRun("m", undefined, 1001)).toBe(false);
      expect(await store.claimRun("missing", undefined, 1000)).toBe(false);

      // Three schedulers (two connections) that all read last run 1000 race for the next window: one wins.
      const other = await opened.another();
      try {
        const claims = await Promise.all([store.claimRun("m", 1000, 61_000), other.store.claimRun("m", 1000, 61_001), other.store.claimRun("m", 1000, 61_002)]);
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect([61_000, 61_001, 61_002]).toContain((await store.get("m"))?.lastRunTime);
      } finally {
        await other.close();
      }
    });
  });
}
