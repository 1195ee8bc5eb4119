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

    it("claims a due window under a lease: one claimer of the last run it read, the last run moving only with the result", async () => {
      await store.create(monitor("m"));
      const lease = (holder: string, until: number) => ({ holder, until });
      expect(await store.leaseOf("m")).toBeUndefined();
      expect(await store.claimRun("m", 500, 1000, lease("a", 6000))).toBe(false);
      expect(await store.claimRun("m", undefined, 1000, lease("a", 6000))).toBe(true);
      expect(await store.leaseOf("m")).toEqual({ holder: "a", until: 6000 });
      // The claim holds the window without moving its last run: that is the result's to move.
      expect((await store.get("m"))?.lastRunTime).toBeUndefined();
      // A live lease blocks a second claim of the same window, up to its last millisecond.
      expect(await store.claimRun("m", undefined, 1001, lease("b", 6001))).toBe(false);
      expect(await store.claimRun("m", undefined, 5999, lease("b", 10_999))).toBe(false);
      expect(await store.claimRun("missing", undefined, 1000, lease("a", 6000))).toBe(false);
      expect(await store.leaseOf("missing")).toBeUndefined();

      // The holder records its window: results, last run and release in one step; the next claim needs the new last run.
      expect(await store.recordRun(run("m", 1000, 0.1), "a")).toBe(true);
      expect(await store.leaseOf("m")).toBeUndefined();
      expect((await store.get("m"))?.lastRunTime).toBe(1000);
      expect(await store.claimRun("m", undefined, 61_000, lease("b", 66_000))).toBe(false);

      // Three schedulers (two connections) that all read last run 1000 race for the next window: one wins.
      const other = await opened.another();
      try {
        const claims = await Promise.all([
          store.claimRun("m", 1000, 61_000, lease("x", 66_000)),
          other.store.claimRun("m", 1000, 61_001, lease("y", 66_001)),
          other.store.claimRun("m", 1000, 61_002, lease("z", 66_002)),
        ]);
        expect(claims.filter(Boolean)).toHaveLength(1);
        const winner = ["x", "y", "z"][claims.indexOf(true)] as string;
        expect(await store.leaseOf("m")).toEqual({ holder: winner, until: { x: 66_000, y: 66_001, z: 66_002 }[winner] });
        expect((await store.get("m"))?.lastRunTime).toBe(1000);
      } finally {
        await other.close();
      }
    });

    it("lets the holder renew its lease, and retakes a window whose lease expired (its claimer died)", async () => {
      await store.create(monitor("m"));
      await store.recordRun(run("m", 1000, 0.1));
      expect(await store.claimRun("m", 1000, 61_000, { holder: "dead", until: 66_000 })).toBe(true);
      expect(await store.renewLease("m", "dead", 68_000)).toBe(true);
      expect(await store.leaseOf("m")).toEqual({ holder: "dead", until: 68_000 });
      expect(await store.renewLease("m", "someone-else", 99_000)).toBe(false);
      expect(await store.renewLease("missing", "dead", 99_000)).toBe(false);
      expect(await store.claimRun("m", 1000, 67_999, { holder: "b", until: 72_999 })).toBe(false);
      // The holder stopped renewing (SIGKILL): once the lease has expired, another scheduler claims the same window.
      expect(await store.claimRun("m", 1000, 68_000, { holder: "b", until: 73_000 })).toBe(true);
      expect(await store.leaseOf("m")).toEqual({ holder: "b", until: 73_000 });
      expect(await store.renewLease("m", "dead", 99_000)).toBe(false);
      expect(await store.recordRun(run("m", 68_000, 0.3), "b")).toBe(true);
      expect((await store.get("m"))?.lastRunTime).toBe(68_000);
      expect((await store.history({ monitor: "m", feature: "age", maxResults: 10 })).results.map((r) => [r.time, r.statistic])).toEqual([
        [68_000, 0.3],
        [1000, 0.1],
      ]);
    });

    it("fences a late result: a run whose lease was taken over records nothing, before or after the new holder's", async () => {
      await store.create(monitor("m"));
      await store.create(monitor("gone"));
      expect(await store.claimRun("m", undefined, 1000, { holder: "slow", until: 6000 })).toBe(true);
      expect(await store.claimRun("m", undefined, 6000, { holder: "b", until: 11_000 })).toBe(true);
      // The first claimer finishes after its lease expired and the window was retaken: refused, nothing stored.
      expect(await store.recordRun(run("m", 1000, 0.5), "slow")).toBe(false);
      expect(await store.leaseOf("m")).toEqual({ holder: "b", until: 11_000 });
      expect((await store.get("m"))?.lastRunTime).toBeUndefined();
      expect((await store.history({ monitor: "m", maxResults: 10 })).results).toEqual([]);
      expect(await store.recordRun(run("m", 6000, 0.1), "b")).toBe(true);
      // A result later still (after the new holder recorded and released the window) is refused too.
      expect(await store.recordRun(run("m", 1000, 0.5), "slow")).toBe(false);
      expect(await store.recordRun(run("m", 6000, 0.1), "b")).toBe(false);
      expect((await store.get("m"))?.lastRunTime).toBe(6000);
      expect((await store.history({ monitor: "m", feature: "age", maxResults: 10 })).results.map((r) => [r.time, r.statistic])).toEqual([[6000, 0.1]]);

      // A holder whose lease expired but was not taken over still owns its window: its result is the window's.
      expect(await store.claimRun("m", 6000, 70_000, { holder: "late", until: 75_000 })).toBe(true);
      expect(await store.recordRun(run("m", 70_000, 0.2), "late")).toBe(true);
      expect((await store.get("m"))?.lastRunTime).toBe(70_000);

      // An explicit run (monitors/run: no holder) records whatever a scheduler holds, and leaves the lease alone.
      expect(await store.claimRun("m", 70_000, 140_000, { holder: "c", until: 145_000 })).toBe(true);
      expect(await store.recordRun(run("m", 141_000, 0.1))).toBe(true);
      expect(await store.leaseOf("m")).toEqual({ holder: "c", until: 145_000 });
      expect((await store.get("m"))?.lastRunTime).toBe(141_000);

      // A monitor deleted while its window was held: the holder's result stores nothing.
      expect(await store.claimRun("gone", undefined, 1000, { holder: "d", until: 6000 })).toBe(true);
      await store.delete("gone");
      expect(await store.recordRun(run("gone", 1000, 0.1), "d")).toBe(false);
      expect((await store.history({ monitor: "gone", maxResults: 10 })).results).toEqual([]);
    });
  });
}
