import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { noAudit } from "../src/audit/recorder.js";
import { systemContext } from "../src/core/actor.js";
import { monitorEngines } from "../src/monitoring/monitors/engines.js";
import { MonitorService } from "../src/monitoring/monitors/monitor-service.js";
import { parseMonitorSpec } from "../src/monitoring/monitors/monitor-spec.js";
import type { PredictionRecord } from "../src/serving/prediction-log/records.js";
import type { PredictionLogStore } from "../src/serving/prediction-log/store.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteMonitorStore } from "../src/stores/sqlite/sqlite-monitor-store.js";
import { SqlitePredictionLogStore } from "../src/stores/sqlite/sqlite-prediction-log-store.js";

/**
 * `monitors/run` while the scheduler's run of the same monitor is in progress. That run read its window before the
 * caller's predictions were logged; returning it (as runNow did) answered a user who had just scored traffic with
 * "insufficient_data" for an empty window, which CI caught in test/monitors-registry.test.ts under load.
 */
const record = (i: number, time: number): PredictionRecord => ({
  deployment: "loans",
  version: "3",
  time,
  latencyMs: 1,
  requestId: `r${i}`,
  inputs: JSON.stringify({ age: { dims: [1], type: "int64", data: [20 + i] } }),
  outputs: JSON.stringify({ y: { dims: [1], type: "int64", data: [i % 2] } }),
});

describe("monitors/run while a scheduled run is in progress", () => {
  it("answers the next run, started after the one in progress and shared by the callers meanwhile, over the rows logged before the call", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cairn-monitor-run-now-"));
    const db = openDatabase(join(dir, "cairn.db"));
    const log = new SqlitePredictionLogStore(db);
    let openWindow: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (openWindow = resolve));
    let reads = 0;
    // The scheduler's (first) window read answers once the test opens it: the run is in progress meanwhile.
    const predictions: PredictionLogStore = Object.assign(Object.create(log) as PredictionLogStore, {
      searchPredictions: async (query: Parameters<PredictionLogStore["searchPredictions"]>[0]) => {
        reads += 1;
        const page = await log.searchPredictions(query);
        if (reads === 1) await held;
        return page;
      },
    });
    let now = 1_000_000;
    const service = new MonitorService(new SqliteMonitorStore(db), {
      deps: { predictions, servedVersion: async () => "3", model: async () => ({}), ...monitorEngines() },
      audit: noAudit,
      events: { publish: async () => undefined },
      clock: () => now,
      onError: () => undefined,
    });
    try {
      await service.create(
        parseMonitorSpec({ name: "watch", deployment: "loans", window: { last_rows: 100 }, schedule_seconds: 60, features: ["age"], min_rows: 4, checks: { quality: { metric: "accuracy", threshold: 0.5 } } }),
        systemContext(),
      );
      const scheduled = service.runDue();
      while (reads === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      // The scheduler's run has started (its window read is under way). Four predictions are logged, then two callers ask.
      await log.insertPredictions([0, 1, 2, 3].map((i) => record(i, now - 10 + i)));
      await log.upsertLabels([0, 1, 2, 3].map((i) => ({ requestId: `r${i}`, label: String(i % 2), time: now })));
      now += 1000;
      const first = service.runNow("watch");
      const second = service.runNow("watch");
      openWindow();
      expect(await scheduled).toEqual(["watch"]);
      const [a, b] = await Promise.all([first, second]);
      expect(a).toBe(b);
      expect(a.time).toBe(1_001_000);
      expect(a.rows).toBe(4);
      expect(reads).toBe(2);
      const history = await service.history({ name: "watch", maxResults: 10 });
      expect(history.results.map((r) => [r.time, r.status])).toEqual([
        [1_001_000, "pass"],
        [1_000_000, "insufficient_data"],
      ]);
    } finally {
      openWindow();
      await service.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
