import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noAudit } from "../src/audit/recorder.js";
import { createMonitor, deleteMonitor, listMonitors, monitorHistory, runMonitor, type MonitorsCaller } from "../src/cli/commands/monitors.js";
import { systemContext } from "../src/core/actor.js";
import type { DomainEvent } from "../src/core/events.js";
import { monitorEngines } from "../src/monitoring/monitors/engines.js";
import { MonitorService } from "../src/monitoring/monitors/monitor-service.js";
import { parseMonitorSpec } from "../src/monitoring/monitors/monitor-spec.js";
import { monitorRoutes } from "../src/monitoring/monitors/routes.js";
import { HttpTransport } from "../src/sdk/transport.js";
import { buildApp } from "../src/server/app.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteMonitorStore } from "../src/stores/sqlite/sqlite-monitor-store.js";
import { SqlitePredictionLogStore } from "../src/stores/sqlite/sqlite-prediction-log-store.js";

/** Data tests and drift against a reference file over a real prediction log; the scheduler; the CLI commands over HTTP. */
let dir: string;
let db: Database;
let predictions: SqlitePredictionLogStore;
let service: MonitorService;
let app: FastifyInstance;
let api: MonitorsCaller;
let now = 5_000_000;
const events: DomainEvent[] = [];

const log = async (ages: number[], cities: string[]): Promise<void> => {
  await predictions.insertPredictions(
    ages.map((age, i) => ({
      deployment: "loans",
      version: "3",
      time: now + i,
      latencyMs: 1,
      requestId: `r${now}-${i}`,
      inputs: JSON.stringify({ age: { dims: [1], type: "int64", data: [age] }, city: { dims: [1], type: "string", data: [cities[i] ?? "Oslo"] } }),
      outputs: JSON.stringify({ score: { dims: [1], type: "float32", data: [0.5] } }),
    })),
  );
  now += 10_000;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cairn-monitor-checks-"));
  // Reference file: 40 ages 20..59 (more than 5 distinct: K-S for n <= 1000), cities in turn.
  const cities = ["Oslo", "Rome", "Lima", "Kyiv"];
  writeFileSync(join(dir, "ref.csv"), ["age,city", ...Array.from({ length: 40 }, (_, i) => `${20 + i},${cities[i % 4]}`)].join("\n") + "\n");
  db = openDatabase(join(dir, "cairn.db"));
  predictions = new SqlitePredictionLogStore(db);
  service = new MonitorService(new SqliteMonitorStore(db), {
    deps: { predictions, servedVersion: async (n) => (n === "loans" ? "3" : undefined), model: async () => ({}), ...monitorEngines() },
    audit: noAudit,
    events: { publish: async (e) => void events.push(e) },
    clock: () => now,
    tickMs: 20,
  });
  app = await buildApp({ version: "test", domains: [{ cairnEndpoints: monitorRoutes(service) }] });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  const transport = new HttpTransport({ trackingUri: url, retry: { retries: 0 } });
  api = { callCairn: (method, endpoint, message) => transport.callCairn(method, endpoint, message ?? {}) };
});

afterAll(async () => {
  await service.stop();
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const suite = `suite: live
expectations:
  - expectation: expect_column_values_to_be_between
    column: age
    min_value: 18
    max_value: 100
  - expectation: expect_column_values_to_be_in_set
    column: city
    value_set: [Oslo, Rome, Lima, Kyiv]
`;

describe("monitor checks over the prediction log", () => {
  it("runs a data-test suite over the window and alerts on the expectation that fails", async () => {
    writeFileSync(join(dir, "suite.yaml"), suite);
    const created = await createMonitor(api, "quality-gate", { deployment: "loans", windowRows: "10", every: "60", suite: join(dir, "suite.yaml"), features: "age,city", minRows: "1" });
    expect(created.human).toEqual({ kind: "message", text: "Created monitor quality-gate on deployment loans (data_tests, last 10 rows, every 60 s)." });
    await log([30, 40, 50], ["Oslo", "Rome", "Lima"]);
    const ok = await runMonitor(api, "quality-gate");
    expect(ok.exitCode).toBeUndefined();
    expect(ok.data.checks[0]?.scores.map((s) => [s.feature, s.method, s.statistic])).toEqual([
      ["", "success_share", 1],
      ["age", "expect_column_values_to_be_between", 1],
      ["city", "expect_column_values_to_be_in_set", 1],
    ]);
    await log([12, 40], ["Oslo", "Paris"]);
    const bad = await runMonitor(api, "quality-gate");
    expect(bad.exitCode).toBe(1);
    expect(bad.data.checks[0]?.message).toBe("data tests failed: expect_column_values_to_be_between on 'age', expect_column_values_to_be_in_set on 'city'");
    expect(events.map((e) => [e.type, e.payload.monitor, e.payload.check])).toEqual([["monitor.alert", "quality-gate", "data_tests"]]);
    await expect(createMonitor(api, "broken", { deployment: "loans", windowRows: "10", every: "60", suite: join(dir, "nope.yaml"), features: "age,city" })).rejects.toThrow("--suite: cannot read");
  });

  it("runs drift against a reference file with Evidently's default tests", async () => {
    await createMonitor(api, "ref-drift", { deployment: "loans", windowRows: "30", every: "60", driftReference: join(dir, "ref.csv"), features: "age,city", minRows: "30" });
    await log(Array.from({ length: 30 }, (_, i) => 80 + i), Array.from({ length: 30 }, () => "Paris"));
    const run = await runMonitor(api, "ref-drift");
    const drift = run.data.checks[0];
    expect(drift?.passed).toBe(false);
    const byFeature = Object.fromEntries((drift?.scores ?? []).map((s) => [s.feature, s]));
    // K-S for age (numeric, 40 reference rows), chi-square for city; both p-values far below 0.05.
    expect(byFeature.age?.method).toBe("ks");
    expect(byFeature.city?.method).toBe("chisquare");
    expect(byFeature.age?.statistic).toBeLessThan(1e-6);
    expect(byFeature[""]).toMatchObject({ method: "share_drifted", statistic: 1, threshold: 0.5, passed: false });
  });

  it("lists, pages history and deletes through the CLI commands", async () => {
    const list = await listMonitors(api);
    expect(list.data.map((m) => m.name)).toEqual(["quality-gate", "ref-drift"]);
    const page = await monitorHistory(api, "quality-gate", { feature: "age", maxResults: "1" });
    expect(page.data.results).toHaveLength(1);
    expect(page.data.results[0]).toMatchObject({ check: "data_tests", feature: "age", passed: false });
    const next = await monitorHistory(api, "quality-gate", { feature: "age", maxResults: "1", pageToken: page.data.next_page_token as string });
    expect(next.data.results[0]).toMatchObject({ feature: "age", passed: true });
    expect(next.data.next_page_token).toBeUndefined();
    await deleteMonitor(api, "ref-drift");
    await expect(runMonitor(api, "ref-drift")).rejects.toThrow("Monitor 'ref-drift' not found.");
  });

  it("the scheduler runs due monitors on its own and not again before their schedule", async () => {
    await service.create(parseMonitorSpec({ name: "sched", deployment: "loans", window: { last_rows: 5 }, schedule_seconds: 10, features: ["age", "city"], checks: { quality: { metric: "accuracy", threshold: 0.5 } } }), systemContext());
    expect(await service.runDue()).toEqual(["sched"]);
    expect(await service.runDue()).toEqual([]);
    now += 10_000;
    service.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await service.stop();
    expect((await service.get("sched")).lastRunTime).toBe(now);
    // Its schedule is 60 s and it last ran 20 s ago: not due.
    expect((await service.get("quality-gate")).lastRunTime).toBe(now - 20_000);
  });

  it("prints each check's status and why it did not pass, exits 1 on insufficient data, and passes --features and --min-rows", async () => {
    await expect(createMonitor(api, "x", { deployment: "loans", windowRows: "10", every: "60", suite: join(dir, "suite.yaml"), features: "age,,city" })).rejects.toThrow(
      "--features 'age,,city': give comma-separated feature names, none empty (e.g. age,income,city)",
    );
    const created = await createMonitor(api, "thin", { deployment: "loans", windowRows: "10", every: "60", suite: join(dir, "suite.yaml"), features: "age, city", minRows: "50" });
    expect(created.data).toMatchObject({ min_rows: 50, features: ["age", "city"] });
    const thin = await runMonitor(api, "thin");
    expect(thin.exitCode).toBe(1);
    expect(thin.data).toMatchObject({ status: "insufficient_data", passed: false });
    expect(thin.human).toEqual({
      kind: "table",
      columns: ["CHECK", "FEATURE", "METHOD", "SCORE", "THRESHOLD", "RESULT"],
      rows: [
        ["data_tests", "(all)", "min_rows", "10", "50", "insufficient data"],
        ["data_tests", "(why)", "insufficient data: 10 rows in the window, at least 50 needed (min_rows)", "-", "-", "insufficient data"],
      ],
      empty: "",
    });
    const history = await monitorHistory(api, "thin", {});
    expect(history.human).toMatchObject({ rows: [[expect.any(String), "data_tests", "(all)", "min_rows", "10", "50", "insufficient data"]] });
  });
});
