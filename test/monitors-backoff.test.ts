import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { noAudit } from "../src/audit/recorder.js";
import { systemContext } from "../src/core/actor.js";
import type { DomainEvent } from "../src/core/events.js";
import type { MonitorDependencies } from "../src/monitoring/monitors/dependencies.js";
import { monitorEngines } from "../src/monitoring/monitors/engines.js";
import { windowTable } from "../src/monitoring/monitors/log-columns.js";
import { MonitorService } from "../src/monitoring/monitors/monitor-service.js";
import { parseMonitorSpec } from "../src/monitoring/monitors/monitor-spec.js";
import { backoffDelayMs } from "../src/monitoring/monitors/run-backoff.js";
import { PredictionLog } from "../src/serving/prediction-log/prediction-log.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteMonitorStore } from "../src/stores/sqlite/sqlite-monitor-store.js";
import { SqlitePredictionLogStore } from "../src/stores/sqlite/sqlite-prediction-log-store.js";

/**
 * A failing monitor backs off instead of re-running on every scheduler tick. Monitors and the prediction log live in
 * two real SQLite files so that the log's can be closed (its reads then fail as a lost disk's would) while the
 * monitor's results are still stored. The clock is a fake one the test moves.
 */
let dir: string;
let monitorDb: Database;
let logDb: Database;
let service: MonitorService;
let deps: MonitorDependencies;
let now: number;
const events: DomainEvent[] = [];

const openLog = (): SqlitePredictionLogStore => {
  logDb = openDatabase(join(dir, "log.db"));
  return new SqlitePredictionLogStore(logDb);
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cairn-monitor-backoff-"));
  now = 1_000_000;
  events.length = 0;
  monitorDb = openDatabase(join(dir, "monitors.db"));
  deps = { predictions: openLog(), servedVersion: async (n) => (n === "loans" ? "3" : undefined), model: async () => ({}), ...monitorEngines() };
  service = new MonitorService(new SqliteMonitorStore(monitorDb), {
    deps,
    audit: noAudit,
    events: { publish: async (e) => void events.push(e) },
    clock: () => now,
    onError: () => undefined,
  });
});

afterEach(async () => {
  await service.stop();
  monitorDb.close();
  if (logDb.open) logDb.close();
  rmSync(dir, { recursive: true, force: true });
});

const createWatch = async (quality: { metric: string; threshold: number } = { metric: "accuracy", threshold: 0.5 }): Promise<void> => {
  await service.create(
    parseMonitorSpec({ name: "watch", deployment: "loans", window: { last_rows: 200_000 }, schedule_seconds: 10, features: ["age"], min_rows: 1, checks: { quality } }),
    systemContext(),
  );
};

/** Calls the scheduler every 1.5 s of fake time for `seconds`; returns the fake times (s from the start) it ran the monitor. */
const tickFor = async (seconds: number, start: number): Promise<number[]> => {
  const ranAt: number[] = [];
  for (let t = 0; t <= seconds * 1000; t += 1500) {
    now = start + t;
    if ((await service.runDue()).includes("watch")) ranAt.push(t / 1000);
  }
  return ranAt;
};

describe("monitor back-off", () => {
  it("waits the schedule, then 2x, 4x ... capped at 16 schedules or one hour, never below the schedule", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((f) => backoffDelayMs(10_000, f) / 1000)).toEqual([10, 20, 40, 80, 160, 160, 160]);
    expect([1, 2, 3, 4, 5].map((f) => backoffDelayMs(600_000, f) / 1000)).toEqual([600, 1200, 2400, 3600, 3600]);
    expect([1, 2, 9].map((f) => backoffDelayMs(7_200_000, f) / 1000)).toEqual([7200, 7200, 7200]);
    expect(backoffDelayMs(10_000, 0)).toBe(10_000);
    expect(backoffDelayMs(10_000, 10_000)).toBe(160_000);
  });

  it("a window that cannot be read is a stored failed run, retried after 10, 20, 40, 80, 160 s, and a success resets the wait", async () => {
    await createWatch();
    logDb.close(); // every read of the log now throws "The database connection is not open"
    const start = now;
    // Before: the throw escaped the run, last_run_time stayed unset and each 1 s tick re-ran it, forever.
    const ranAt = await tickFor(600, start);
    expect(ranAt).toEqual([0, 10.5, 31.5, 72, 153, 313.5, 474]);
    const attempts = service.attemptsOf("watch");
    expect(attempts?.failures).toBe(7);
    expect(attempts?.nextAttempt).toBe(start + 474_000 + 160_000);

    const history = await service.history({ name: "watch" });
    expect(history.results).toHaveLength(7);
    expect(history.results.every((r) => r.status === "error" && r.method === "error")).toBe(true);
    const run = (await service.get("watch")).lastRunTime;
    expect(run).toBe(start + 474_000);
    // One monitor.error for the spell of errors, not one per attempt.
    expect(events.map((e) => e.type)).toEqual(["monitor.error"]);

    // The log comes back: the next attempt succeeds (insufficient data is a success of the run) and the wait is the schedule again.
    deps.predictions = openLog();
    now = start + 474_000 + 160_000;
    expect(await service.runDue()).toEqual(["watch"]);
    expect(service.attemptsOf("watch")).toEqual({ failures: 0, nextAttempt: now + 10_000 });
    expect((await service.get("watch")).lastRunTime).toBe(now);
    now += 9_999;
    expect(await service.runDue()).toEqual([]);
    now += 1;
    expect(await service.runDue()).toEqual(["watch"]);
  });

  it("a run whose checks end in error (status error) backs off the same way", async () => {
    // rmse over a label that is not a number: the check cannot run, an error (of the data, until it is relabelled).
    await deps.predictions.insertPredictions([
      { deployment: "loans", version: "3", time: now - 5, latencyMs: 1, requestId: "r1", inputs: JSON.stringify({ age: { dims: [1], type: "int64", data: [180] } }), outputs: JSON.stringify({ y: { dims: [1], type: "int64", data: [1] } }) },
    ]);
    await deps.predictions.upsertLabels([{ requestId: "r1", label: '"tall"', time: now }]);
    await createWatch({ metric: "rmse", threshold: 1 });
    expect((await service.runNow("watch")).status).toBe("error");
    const ranAt = await tickFor(120, now);
    expect(ranAt).toEqual([10.5, 31.5, 72]);
    expect(service.attemptsOf("watch")?.failures).toBe(4);
  });

  it("a window of one request with 150,000 rows is judged (it overflowed the stack and errored on every run)", async () => {
    const n = 150_000;
    const ages = Array.from({ length: n }, (_, i) => 20 + (i % 50));
    await deps.predictions.insertPredictions([
      {
        deployment: "loans",
        version: "3",
        time: now - 5,
        latencyMs: 1,
        requestId: "big",
        inputs: JSON.stringify({ age: { dims: [n], type: "int64", data: ages } }),
        outputs: JSON.stringify({ y: { dims: [n], type: "int64", data: ages.map((a) => a % 2) } }),
      },
    ]);
    await deps.predictions.upsertLabels([{ requestId: "big", label: JSON.stringify(ages.map((a) => (a % 4 === 0 ? 1 : a % 2))), time: now }]);
    const table = windowTable((await deps.predictions.searchPredictions({ maxResults: 10 })).predictions);
    expect(table.rows).toHaveLength(n);
    await createWatch();
    const run = await service.runNow("watch");
    expect(run.status).toBe("pass");
    expect(run.rows).toBe(n);
    // Ages 20..69, each 3,000 times; prediction a%2, label 1 when a%4 == 0 (else a%2): wrong for the 13 ages 20, 24 ... 68.
    expect(run.checks[0]?.scores[0]?.statistic).toBe((n - 13 * 3000) / n);
    expect(service.attemptsOf("watch")).toEqual({ failures: 0, nextAttempt: now + 10_000 });
  });

  it("a request over the log's record limit is stored with its tensors omitted, and the window skips it", async () => {
    const log = new PredictionLog(deps.predictions, { maxRecordBytes: 1024 });
    const small = { age: { type: "int64" as const, dims: [1], data: BigInt64Array.from([30n]) } };
    const big = { age: { type: "int64" as const, dims: [5000], data: new BigInt64Array(5000) } };
    const y = { y: { type: "int64" as const, dims: [1], data: BigInt64Array.from([1n]) } };
    log.record({ deployment: "loans", version: "3", time: now - 3, latencyMs: 1, requestId: "a", inputs: small, outputs: y });
    log.record({ deployment: "loans", version: "3", time: now - 2, latencyMs: 1, requestId: "b", inputs: big, outputs: y });
    await log.stop();
    const stored = (await deps.predictions.searchPredictions({ maxResults: 10 })).predictions;
    expect(stored.map((p) => p.inputs)).toEqual(['{"age":{"dims":[1],"type":"int64","data":[30]}}', '{"age":{"dims":[5000],"type":"int64","omitted":true}}']);
    expect(stored[1]?.outputs).toBe('{"y":{"dims":[1],"type":"int64","omitted":true}}');
    const table = windowTable(stored);
    expect(table.rows).toEqual([{ age: 30 }]);
    expect(table.predictions).toEqual([1]);
  });
});
