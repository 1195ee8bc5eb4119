import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Monitor, MonitorRun } from "../../monitoring/monitors/monitor.js";
import { openDatabase } from "./open-database.js";
import { SqliteMonitorStore } from "./sqlite-monitor-store.js";

const monitor = (name: string): Monitor => ({
  name,
  deployment: "churn",
  window: { lastRows: 500 },
  scheduleSeconds: 60,
  checks: { skew: { thresholds: { age: 0.2 } }, quality: { metric: "accuracy", threshold: 0.9 } },
  createdTime: 1000,
  lastUpdatedTime: 1000,
});

const run = (name: string, time: number, ageStatistic: number): MonitorRun => ({
  monitor: name,
  time,
  rows: 10,
  passed: ageStatistic <= 0.2,
  checks: [
    {
      check: "skew",
      passed: ageStatistic <= 0.2,
      message: "",
      scores: [
        { check: "skew", feature: "", method: "max", statistic: ageStatistic, threshold: null, passed: ageStatistic <= 0.2 },
        { check: "skew", feature: "age", method: "jensen_shannon_divergence", statistic: ageStatistic, threshold: 0.2, passed: ageStatistic <= 0.2 },
        { check: "skew", feature: "city", method: "l_infinity", statistic: Number.NaN, threshold: 0.1, passed: true },
      ],
    },
  ],
});

describe("SqliteMonitorStore", () => {
  let dir: string;
  let db: Database;
  let store: SqliteMonitorStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cairn-monitor-store-"));
    db = openDatabase(join(dir, "cairn.db"));
    store = new SqliteMonitorStore(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
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
      monitor: "m", time: 14_000, check: "skew", feature: "age", method: "jensen_shannon_divergence", statistic: 0.4, threshold: 0.2, passed: false,
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
      passed: false,
      checks: [
        {
          check: "data_tests",
          passed: false,
          message: "data tests failed: expect_column_values_to_be_in_set on 'city'",
          scores: [
            { check: "data_tests", feature: "", method: "success_share", statistic: 0, threshold: 1, passed: false },
            { check: "data_tests", feature: "city", method: "expect_column_values_to_be_in_set", statistic: 0, threshold: 1, passed: false, observedValue: '["Paris"]', message: "city failed" },
          ],
        },
      ],
    });
    expect((await store.history({ monitor: "m", maxResults: 10 })).results).toEqual([
      { monitor: "m", time: 50, check: "data_tests", feature: "city", method: "expect_column_values_to_be_in_set", statistic: 0, threshold: 1, passed: false, observedValue: '["Paris"]', message: "city failed" },
      { monitor: "m", time: 50, check: "data_tests", feature: "", method: "success_share", statistic: 0, threshold: 1, passed: false },
    ]);
  });

  it("records an alert's state and event in one step, pages events newest first, and drops both with the monitor", async () => {
    await store.create(monitor("m"));
    const summary = { feature: "", method: "max", statistic: 0.5, threshold: null };
    await store.recordAlert({ monitor: "m", time: 5, check: "skew", kind: "alert", message: "skewed", windowRows: 10, scores: [summary] });
    await store.recordAlert({ monitor: "m", time: 6, check: "drift", kind: "alert", message: "drifted", windowRows: 10, scores: [{ ...summary, statistic: Number.NaN }] });
    await store.recordAlert({ monitor: "m", time: 7, check: "skew", kind: "recovered", message: "no skew", windowRows: 12, failingSince: 5, scores: [summary] });
    expect(await store.alertStates("m")).toEqual([
      { check: "drift", failing: true, since: 6 },
      { check: "skew", failing: false, since: 7 },
    ]);
    const first = await store.alertEvents({ monitor: "m", maxResults: 2 });
    expect(first.events).toEqual([
      { monitor: "m", time: 7, check: "skew", kind: "recovered", message: "no skew", windowRows: 12, failingSince: 5, scores: [summary] },
      // NaN is stored as null, as JSON (and the webhook payload) has it.
      { monitor: "m", time: 6, check: "drift", kind: "alert", message: "drifted", windowRows: 10, scores: [{ ...summary, statistic: null }] },
    ]);
    const second = await store.alertEvents({ monitor: "m", maxResults: 2, pageToken: first.nextPageToken as string });
    expect(second).toEqual({ events: [{ monitor: "m", time: 5, check: "skew", kind: "alert", message: "skewed", windowRows: 10, scores: [summary] }] });
    await expect(store.alertEvents({ monitor: "m", maxResults: 1, pageToken: "junk" })).rejects.toThrow("Invalid page_token 'junk': not a token returned by monitors/alerts.");

    await store.recordRun(run("m", 1, 0.5));
    await store.delete("m");
    expect(await store.alertStates("m")).toEqual([]);
    expect(await store.alertEvents({ monitor: "m", maxResults: 10 })).toEqual({ events: [] });
    expect((await store.history({ monitor: "m", maxResults: 10 })).results).toEqual([]);
  });
});
