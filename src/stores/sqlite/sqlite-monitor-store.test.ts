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

  it("keeps alert states per check, and drops them with the monitor", async () => {
    await store.create(monitor("m"));
    await store.setAlertState("m", { check: "skew", failing: true, since: 5 });
    await store.setAlertState("m", { check: "drift", failing: false, since: 6 });
    await store.setAlertState("m", { check: "skew", failing: false, since: 7 });
    expect(await store.alertStates("m")).toEqual([
      { check: "drift", failing: false, since: 6 },
      { check: "skew", failing: false, since: 7 },
    ]);
    await store.recordRun(run("m", 1, 0.5));
    await store.delete("m");
    expect(await store.alertStates("m")).toEqual([]);
    expect((await store.history({ monitor: "m", maxResults: 10 })).results).toEqual([]);
  });
});
