import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { AuditEntry, AuditRecorder } from "../src/audit/recorder.js";
import type { DomainEvent, EventSink } from "../src/core/events.js";
import { MonitorGauges } from "../src/monitoring/monitors/monitor-gauges.js";
import { MonitorService } from "../src/monitoring/monitors/monitor-service.js";
import { monitorEngines } from "../src/monitoring/monitors/engines.js";
import { monitorRoutes } from "../src/monitoring/monitors/routes.js";
import { buildApp } from "../src/server/app.js";
import type { PredictionRecord } from "../src/serving/prediction-log/records.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteMonitorStore } from "../src/stores/sqlite/sqlite-monitor-store.js";
import { SqlitePredictionLogStore } from "../src/stores/sqlite/sqlite-prediction-log-store.js";
import { openDataset } from "../src/validation/duckdb/open-dataset.js";
import { profileDataset } from "../src/validation/profile/profile-dataset.js";
import type { DatasetProfile } from "../src/validation/profile/profile-schema.js";

/**
 * Monitors over a real prediction log (SQLite), a real training profile (DuckDB over a CSV the test writes), the
 * real drift, skew and quality code, and the HTTP API: a drift that fails on shifted inputs and passes on unshifted
 * ones, one alert while failing and one recovery, quality over labels joined by request id, history paging, gauges.
 */
const COLORS = ["red", "green", "blue"];
// Training: x uniform over [0, 10) in steps of 0.01, colors in turn.
const trainingX = (i: number): number => (i % 1000) / 100;

let dir: string;
let db: Database;
let predictions: SqlitePredictionLogStore;
let service: MonitorService;
let app: FastifyInstance;
let profile: DatasetProfile;
let now = 1_000_000;
const events: DomainEvent[] = [];
const audits: AuditEntry[] = [];
const registry = new Registry();

const sink: EventSink = { publish: async (event) => void events.push(event) };
const audit: AuditRecorder = { record: async (_ctx, entry) => void audits.push(entry) };

/** 20 requests of 10 rows each; x shifted by `shift`; predictions x >= 5; labels wrong on `wrongEvery`-th rows. */
const logTraffic = async (batch: string, shift: number, wrongEvery: number): Promise<void> => {
  const records: PredictionRecord[] = [];
  const labels: Array<{ requestId: string; label: string; time: number }> = [];
  for (let r = 0; r < 20; r += 1) {
    const xs: number[] = [];
    const colors: string[] = [];
    const predicted: number[] = [];
    const truth: number[] = [];
    for (let j = 0; j < 10; j += 1) {
      const i = r * 10 + j;
      const x = (i * 5) / 100 + shift; // 0 .. 9.95 in steps of 0.05
      xs.push(x);
      colors.push(shift === 0 ? (COLORS[i % 3] as string) : "purple");
      const p = x >= 5 ? 1 : 0;
      predicted.push(p);
      truth.push(wrongEvery > 0 && i % wrongEvery === 0 ? 1 - p : p);
    }
    const requestId = `${batch}-${r}`;
    records.push({
      deployment: "churn",
      version: "1",
      time: now + r,
      latencyMs: 1,
      requestId,
      inputs: JSON.stringify({ x: { dims: [10], type: "float64", data: xs }, color: { dims: [10], type: "string", data: colors } }),
      outputs: JSON.stringify({ label: { dims: [10], type: "int64", data: predicted } }),
    });
    labels.push({ requestId, label: JSON.stringify(truth), time: now + r });
  }
  await predictions.insertPredictions(records);
  await predictions.upsertLabels(labels);
  now += 1000;
};

const api = async (method: "GET" | "POST", path: string, body?: object) => {
  const response = await app.inject({ method, url: `/api/2.0/cairn/${path}`, ...(body !== undefined ? { payload: body } : {}) });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cairn-monitors-"));
  const csv = ["x,color", ...Array.from({ length: 1000 }, (_, i) => `${trainingX(i)},${COLORS[i % 3]}`)].join("\n");
  writeFileSync(join(dir, "train.csv"), `${csv}\n`);
  const training = await openDataset(join(dir, "train.csv"));
  profile = await profileDataset(training, { bins: 10 });
  await training.close();

  db = openDatabase(join(dir, "cairn.db"));
  predictions = new SqlitePredictionLogStore(db);
  service = new MonitorService(new SqliteMonitorStore(db), {
    deps: {
      predictions,
      servedVersion: async (name) => (name === "churn" ? "1" : undefined),
      model: async (_deployment, version) => (version === "1" ? { trainingProfile: profile } : {}),
      ...monitorEngines(),
    },
    audit,
    events: sink,
    gauges: new MonitorGauges(registry),
    clock: () => now,
  });
  app = await buildApp({ version: "test", domains: [{ cairnEndpoints: monitorRoutes(service) }] });
});

afterAll(async () => {
  await service.stop();
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const gauge = async (labels: string): Promise<string | undefined> => {
  const text = await registry.metrics();
  return text.split("\n").find((line) => line.startsWith(`cairn_monitor_score{${labels}}`))?.split(" ")[1];
};

describe("monitors of live traffic", () => {
  it("creates a monitor through the API, audited, and refuses bad definitions naming the field", async () => {
    const created = await api("POST", "monitors/create", {
      name: "churn-watch",
      deployment: "churn",
      window: { last_rows: 200 },
      schedule_seconds: 60,
      features: ["x", "color"],
      checks: { drift: { reference: "training_profile" }, skew: { thresholds: { x: 0.2 } }, quality: { metric: "accuracy", threshold: 0.9 } },
    });
    expect(created.status).toBe(200);
    expect(created.body.monitor).toMatchObject({ name: "churn-watch", window: { last_rows: 200 }, schedule_seconds: 60 });
    expect(audits.map((a) => a.action)).toEqual(["monitoring.monitor.create"]);

    const bad = await api("POST", "monitors/create", { name: "b", deployment: "churn", window: { last_rows: 0 }, schedule_seconds: 60, checks: { skew: {} } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("Monitor 'window.last_rows' must be an integer from 1 to 1000000, got 0.");
    const unknown = await api("POST", "monitors/create", { name: "c", deployment: "nope", window: { last_rows: 5 }, schedule_seconds: 60, checks: { skew: {} } });
    expect(unknown.status).toBe(404);
    const quality = await api("POST", "monitors/create", { name: "d", deployment: "churn", window: { last_rows: 5 }, schedule_seconds: 60, checks: { quality: { metric: "auc", threshold: 1 } } });
    expect(quality.body.message).toBe('Monitor \'checks.quality.metric\' must be one of accuracy, f1, rmse, mae, got "auc".');
  });

  it("passes on traffic like the training data, with quality from the labels joined by request id", async () => {
    await logTraffic("a", 0, 20); // 10 of 200 labels wrong: accuracy 0.95
    const { body } = await api("POST", "monitors/run", { name: "churn-watch" });
    const run = body.run as { passed: boolean; rows: number; checks: Array<{ check: string; passed: boolean; message: string; scores: Array<{ feature: string; statistic: number }> }> };
    expect(run.rows).toBe(200);
    expect(run.checks.map((c) => [c.check, c.passed])).toEqual([["drift", true], ["skew", true], ["quality", true]]);
    const quality = run.checks.find((c) => c.check === "quality");
    expect(quality?.scores[0]?.statistic).toBe(0.95);
    expect(quality?.message).toBe("accuracy 0.9500 over 200 labelled rows, threshold >= 0.9");
    // Serving x is uniform over the same range as training, on a coarser grid: both histograms are flat.
    expect(run.checks.find((c) => c.check === "skew")?.scores.find((s) => s.feature === "x")?.statistic).toBeCloseTo(0, 12);
    expect(events).toEqual([]);
  });

  it("alerts once per failing check on shifted traffic, not again while failing, then recovers once", async () => {
    await logTraffic("b", 5, 2); // x shifted by +5, an unseen color, half the labels wrong
    const failing = await service.runNow("churn-watch");
    expect(failing.checks.map((c) => [c.check, c.passed])).toEqual([["drift", false], ["skew", false], ["quality", false]]);
    expect(failing.checks.find((c) => c.check === "quality")?.scores[0]?.statistic).toBe(0.5);
    expect(events.map((e) => [e.type, e.payload.check])).toEqual([
      ["monitor.alert", "drift"],
      ["monitor.alert", "skew"],
      ["monitor.alert", "quality"],
    ]);
    expect(events[0]?.payload).toMatchObject({ monitor: "churn-watch", deployment: "churn", window_rows: 200 });
    // The shifted half of x lies above the training range, the color is unseen: L-infinity of color is 1.
    const skew = failing.checks.find((c) => c.check === "skew");
    expect(skew?.scores.find((s) => s.feature === "color")?.statistic).toBe(1);

    await service.runNow("churn-watch");
    expect(events).toHaveLength(3);

    await logTraffic("c", 0, 0);
    const recovered = await service.runNow("churn-watch");
    expect(recovered.passed).toBe(true);
    expect(events.slice(3).map((e) => [e.type, e.payload.check, e.payload.failing_since])).toEqual([
      ["monitor.recovered", "drift", failing.time],
      ["monitor.recovered", "skew", failing.time],
      ["monitor.recovered", "quality", failing.time],
    ]);
  });

  it("keeps scores as a time series per feature, paged newest first", async () => {
    const first = await api("GET", "monitors/history?name=churn-watch&feature=color&max_results=2");
    const results = first.body.results as Array<{ check: string; statistic: number; time: number }>;
    expect(results.map((r) => r.check)).toEqual(["skew", "drift"]);
    // Last run: colors 67/67/66 of 200 against 334/333/333 of 1000: the largest difference is blue's, 0.333 - 0.33.
    expect(results[0]?.statistic).toBeCloseTo(0.003, 12);
    const pages: Array<Array<{ check: string; statistic: number }>> = [results];
    let token = first.body.next_page_token as string | undefined;
    while (token !== undefined) {
      const next = await api("GET", `monitors/history?name=churn-watch&feature=color&max_results=2&page_token=${token}`);
      pages.push(next.body.results as Array<{ check: string; statistic: number }>);
      token = next.body.next_page_token as string | undefined;
    }
    // 4 runs x (drift, skew) for color.
    expect(pages.flat()).toHaveLength(8);
    expect(pages.flat().filter((r) => r.check === "skew").map((r) => Number(r.statistic.toFixed(12)))).toEqual([0.003, 1, 1, 0.003]);
  });

  it("exposes the latest scores as gauges, and removes them with the monitor", async () => {
    expect(await gauge('monitor="churn-watch",check="quality",feature="",method="accuracy"')).toBe("1");
    expect(Number(await gauge('monitor="churn-watch",check="skew",feature="color",method="l_infinity"'))).toBeCloseTo(0.003, 12);
    expect((await registry.metrics()).includes('cairn_monitor_check_passing{monitor="churn-watch",check="drift"} 1')).toBe(true);
    const deleted = await api("POST", "monitors/delete", { name: "churn-watch" });
    expect(deleted.status).toBe(200);
    expect(await gauge('monitor="churn-watch",check="quality",feature="",method="accuracy"')).toBeUndefined();
    expect(audits.map((a) => a.action)).toEqual(["monitoring.monitor.create", "monitoring.monitor.delete"]);
    expect((await api("GET", "monitors/get?name=churn-watch")).status).toBe(404);
  });
});
