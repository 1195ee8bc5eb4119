import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noAudit } from "../src/audit/recorder.js";
import { monitorAlerts, type MonitorsCaller } from "../src/cli/commands/monitors.js";
import { systemContext } from "../src/core/actor.js";
import type { DomainEvent } from "../src/core/events.js";
import { monitorEngines } from "../src/monitoring/monitors/engines.js";
import type { MonitorRun } from "../src/monitoring/monitors/monitor.js";
import { MonitorService } from "../src/monitoring/monitors/monitor-service.js";
import { parseMonitorSpec } from "../src/monitoring/monitors/monitor-spec.js";
import { monitorRoutes } from "../src/monitoring/monitors/routes.js";
import { MonitorsApi } from "../src/sdk/monitors-api.js";
import { HttpTransport } from "../src/sdk/transport.js";
import { buildApp } from "../src/server/app.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteMonitorStore } from "../src/stores/sqlite/sqlite-monitor-store.js";
import { SqlitePredictionLogStore } from "../src/stores/sqlite/sqlite-prediction-log-store.js";

/**
 * monitors/alerts and the detail of data tests, over a real prediction log and suite, through HTTP, the SDK and the
 * CLI command: a data-test monitor fails, keeps failing, recovers and fails again (three events), and a server
 * restarted on the same SQLite file answers the same and sends no second alert for the failure still open.
 */
let dir: string;
let db: Database;
let service: MonitorService;
let app: FastifyInstance;
let sdk: MonitorsApi;
let cli: MonitorsCaller;
let now = 9_000_000;
const published: DomainEvent[] = [];

const SUITE = `suite: live
expectations:
  - expectation: expect_column_values_to_be_between
    column: age
    min_value: 18
    max_value: 100
  - expectation: expect_column_values_to_be_in_set
    column: city
    value_set: [Oslo, Rome]
`;

const start = async (): Promise<void> => {
  db = openDatabase(join(dir, "cairn.db"));
  const predictions = new SqlitePredictionLogStore(db);
  service = new MonitorService(new SqliteMonitorStore(db), {
    deps: { predictions, servedVersion: async (n) => (n === "loans" ? "1" : undefined), model: async () => ({}), ...monitorEngines() },
    audit: noAudit,
    events: { publish: async (e) => void published.push(e) },
    clock: () => now,
  });
  app = await buildApp({ version: "test", domains: [{ cairnEndpoints: monitorRoutes(service) }] });
  const transport = new HttpTransport({ trackingUri: await app.listen({ host: "127.0.0.1", port: 0 }), retry: { retries: 0 } });
  sdk = new MonitorsApi(transport);
  cli = { callCairn: (method, endpoint, message) => transport.callCairn(method, endpoint, message ?? {}) };
};

const stop = async (): Promise<void> => {
  await service.stop();
  await app.close();
  db.close();
};

/** Logs two rows (the monitor's window) and runs the monitor at the next second. */
const runOn = async (rows: Array<[number, string]>): Promise<number> => {
  now += 1000;
  await new SqlitePredictionLogStore(db).insertPredictions(
    rows.map(([age, city], i) => ({
      deployment: "loans",
      version: "1",
      time: now + i,
      latencyMs: 1,
      requestId: `r${now}-${i}`,
      inputs: JSON.stringify({ age: { dims: [1], type: "int64", data: [age] }, city: { dims: [1], type: "string", data: [city] } }),
      outputs: JSON.stringify({ score: { dims: [1], type: "float32", data: [0.5] } }),
    })),
  );
  now += 10;
  await service.runNow("gate");
  return now;
};

const GOOD: Array<[number, string]> = [[30, "Oslo"], [40, "Rome"]];
const BAD: Array<[number, string]> = [[12, "Oslo"], [40, "Paris"]];
const FAILED_MESSAGE = "data tests failed: expect_column_values_to_be_between on 'age', expect_column_values_to_be_in_set on 'city'";
const summary = (statistic: number) => ({ feature: "", method: "success_share", statistic, threshold: 1 });
/** An alert's scores: the summary, then the expectations that failed. */
const ALERT_SCORES = [
  summary(0),
  { feature: "age", method: "expect_column_values_to_be_between", statistic: 0, threshold: 1 },
  { feature: "city", method: "expect_column_values_to_be_in_set", statistic: 0, threshold: 1 },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cairn-monitor-alerts-"));
  await start();
  await service.create(parseMonitorSpec({ name: "gate", deployment: "loans", window: { last_rows: 2 }, schedule_seconds: 60, min_rows: 2, features: ["age", "city"], checks: { data_tests: { suite: SUITE } } }), systemContext());
});

afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("monitors/alerts", () => {
  let expected: Awaited<ReturnType<MonitorsApi["alerts"]>>;

  it("answers each check's state before any run: passing, never failed, no events", async () => {
    expect(await sdk.alerts("gate")).toEqual({ states: [{ check: "data_tests", failing: false }], events: [] });
  });

  it("fails, keeps failing (no second alert), recovers, fails again: three events newest first and the state now", async () => {
    const failed = await runOn(BAD);
    await runOn(BAD);
    const recovered = await runOn(GOOD);
    const failedAgain = await runOn(BAD);
    expected = {
      states: [{ check: "data_tests", failing: true, since: failedAgain }],
      events: [
        { time: failedAgain, check: "data_tests", kind: "alert", status: "fail", message: FAILED_MESSAGE, window_rows: 2, features: ["age", "city"], scores: ALERT_SCORES },
        { time: recovered, check: "data_tests", kind: "recovered", status: "pass", message: "all data tests passed", window_rows: 2, features: ["age", "city"], failing_since: failed, scores: [summary(1)] },
        { time: failed, check: "data_tests", kind: "alert", status: "fail", message: FAILED_MESSAGE, window_rows: 2, features: ["age", "city"], scores: ALERT_SCORES },
      ],
    };
    expect(await sdk.alerts("gate")).toEqual(expected);
    // What was published is what is listed.
    expect(published.map((e) => [e.type, e.time, e.payload.message])).toEqual([
      ["monitor.alert", failed, FAILED_MESSAGE],
      ["monitor.recovered", recovered, "all data tests passed"],
      ["monitor.alert", failedAgain, FAILED_MESSAGE],
    ]);
  });

  it("pages the events with max_results and page_token", async () => {
    const first = await sdk.alerts("gate", { maxResults: 2 });
    expect(first.events).toEqual(expected.events.slice(0, 2));
    expect(first.states).toEqual(expected.states);
    const second = await sdk.alerts("gate", { maxResults: 2, pageToken: first.next_page_token as string });
    expect(second).toEqual({ states: expected.states, events: expected.events.slice(2) });
  });

  it("survives a restart on the same SQLite file, and sends no second alert for the failure still open", async () => {
    await stop();
    await start();
    expect(await sdk.alerts("gate")).toEqual(expected);
    await runOn(BAD);
    expect(await sdk.alerts("gate")).toEqual(expected);
    expect(published).toHaveLength(3);
  });

  it("prints the states and events through `cairn monitors alerts`", async () => {
    const result = await monitorAlerts(cli, "gate", { maxResults: "1" });
    expect(result.data.events.map((e) => [e.kind, e.time])).toEqual([["alert", expected.events[0]?.time]]);
    expect(result.human).toEqual({
      kind: "table",
      columns: ["TIME (UTC)", "CHECK", "EVENT", "DETAIL"],
      rows: [
        ["now", "data_tests", "FAILING", expect.stringMatching(/^since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)],
        [expect.stringMatching(/^\d{4}-/), "data_tests", "ALERT", FAILED_MESSAGE],
      ],
      empty: "No checks.",
    });
  });

  it("answers 404 RESOURCE_DOES_NOT_EXIST for an unknown monitor and 400 for a bad page size", async () => {
    const missing = await app.inject({ method: "GET", url: "/api/2.0/cairn/monitors/alerts?name=nope" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "Monitor 'nope' not found." });
    const bad = await app.inject({ method: "GET", url: "/api/2.0/cairn/monitors/alerts?name=gate&max_results=1001" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "Invalid value 1001 for parameter 'max_results': it must be between 1 and 1000." });
  });
});

describe("data-test detail in monitors/run and monitors/history", () => {
  it("returns each expectation's observed value and message", async () => {
    now += 1000;
    await runOn(BAD);
    const run = await sdk.run("gate");
    expect(run.checks[0]?.scores).toEqual([
      { check: "data_tests", feature: "", method: "success_share", statistic: 0, threshold: 1, passed: false, status: "fail" },
      {
        check: "data_tests",
        feature: "age",
        method: "expect_column_values_to_be_between",
        statistic: 0,
        threshold: 1,
        passed: false,
        status: "fail",
        observed_value: 1,
        message: 'expect_column_values_to_be_between on column "age" failed: 1 of 2 non-null values (50%) fail the bound [18, 100]',
      },
      {
        check: "data_tests",
        feature: "city",
        method: "expect_column_values_to_be_in_set",
        statistic: 0,
        threshold: 1,
        passed: false,
        status: "fail",
        observed_value: 1,
        message: "expect_column_values_to_be_in_set on column \"city\" failed: 1 of 2 non-null values (50%) fail the bound in {'Oslo', 'Rome'}",
      },
    ]);
    const history = await sdk.history("gate", { feature: "age", maxResults: 1 });
    expect(history.results).toEqual([{ time: run.time, ...run.checks[0]?.scores[1] }]);
    await runOn(GOOD);
    const passed = await sdk.history("gate", { feature: "city", maxResults: 1 });
    expect(passed.results[0]).toMatchObject({ passed: true, observed_value: 0, message: "" });
  });
});

describe("alert state rules: errors, insufficient data and recoveries over the same features", () => {
  const ref = (): string => join(dir, "rules-ref.csv");
  const writeRef = (): void =>
    writeFileSync(ref(), ["age,city", ...Array.from({ length: 40 }, (_, i) => `${20 + i},${i % 2 === 0 ? "Oslo" : "Rome"}`)].join("\n") + "\n");

  /** Logs `n` rows (one request each) and runs the monitor; `city` undefined logs the age input alone. */
  const runRules = async (n: number, age: (i: number) => number, city: ((i: number) => string) | undefined): Promise<MonitorRun> => {
    now += 1000;
    await new SqlitePredictionLogStore(db).insertPredictions(
      Array.from({ length: n }, (_, i) => ({
        deployment: "loans",
        version: "1",
        time: now + i,
        latencyMs: 1,
        requestId: `rules${now}-${i}`,
        inputs: JSON.stringify({
          age: { dims: [1], type: "int64", data: [age(i)] },
          ...(city !== undefined ? { city: { dims: [1], type: "string", data: [city(i)] } } : {}),
        }),
        outputs: JSON.stringify({ score: { dims: [1], type: "float32", data: [0.5] } }),
      })),
    );
    now += 1000;
    return service.runNow("rules");
  };
  const calmAge = (i: number): number => 20 + ((i * 7) % 40);
  const calmCity = (i: number): string => (i % 2 === 0 ? "Oslo" : "Rome");
  const kinds = async (): Promise<string[]> => (await sdk.alerts("rules")).events.map((e) => `${e.kind}:${e.features.join("+")}`).reverse();

  it("an error raises monitor.error once per spell and leaves the alert open; insufficient data changes nothing; only a pass over the alert's features recovers", async () => {
    writeRef();
    published.length = 0;
    await service.create(
      parseMonitorSpec({
        name: "rules",
        deployment: "loans",
        window: { last_rows: 20 },
        schedule_seconds: 60,
        min_rows: 20,
        features: ["age", "city"],
        checks: { drift: { reference: { path: ref() } } },
      }),
      systemContext(),
    );
    // Drifted over both features: an alert over age and city.
    expect((await runRules(20, (i) => 80 + i, () => "Paris")).checks[0]?.status).toBe("fail");
    // The reference disappears: error, once, with the alert still open.
    rmSync(ref());
    const error = await runRules(20, (i) => 80 + i, () => "Paris");
    expect(error.checks[0]).toMatchObject({ status: "error", passed: false });
    expect((error.checks[0]?.message ?? "").startsWith("drift check could not run: ")).toBe(true);
    await runRules(20, (i) => 80 + i, () => "Paris");
    expect((await sdk.alerts("rules")).states).toEqual([{ check: "drift", failing: true, since: expect.any(Number), error_since: error.time }]);
    writeRef();
    // Calm ages but no city logged: a pass over age alone says nothing about city, the alert stays open.
    const partial = await runRules(20, calmAge, undefined);
    expect(partial.checks[0]).toMatchObject({ status: "pass", features: ["age"] });
    expect((await sdk.alerts("rules")).states).toEqual([{ check: "drift", failing: true, since: expect.any(Number) }]);
    // A real pass over both: the recovery.
    expect((await runRules(20, calmAge, calmCity)).checks[0]).toMatchObject({ status: "pass", features: ["age", "city"] });
    expect(await kinds()).toEqual(["alert:age+city", "error:", "recovered:age+city"]);
    expect(published.filter((e) => e.payload.monitor === "rules").map((e) => e.type)).toEqual(["monitor.alert", "monitor.error", "monitor.recovered"]);
    // A second spell of errors is news again.
    rmSync(ref());
    await runRules(20, calmAge, calmCity);
    expect(await kinds()).toEqual(["alert:age+city", "error:", "recovered:age+city", "error:"]);
  });

  it("insufficient data neither alerts nor recovers", async () => {
    writeRef();
    await service.create(
      parseMonitorSpec({ name: "sparse", deployment: "loans", window: { last_seconds: 1 }, schedule_seconds: 60, min_rows: 5, features: ["age", "city"], checks: { drift: { reference: { path: ref() } } } }),
      systemContext(),
    );
    now += 10_000;
    const run = await service.runNow("sparse");
    expect(run).toMatchObject({ rows: 0, status: "insufficient_data", passed: false });
    expect(run.checks[0]?.scores).toEqual([{ check: "drift", feature: "", method: "min_rows", statistic: 0, threshold: 5, passed: false, status: "insufficient_data" }]);
    expect(await sdk.alerts("sparse")).toEqual({ states: [{ check: "drift", failing: false }], events: [] });
  });
});
