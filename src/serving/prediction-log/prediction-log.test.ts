import type { Database } from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app.js";
import { openDatabase } from "../../stores/sqlite/open-database.js";
import { SqlitePredictionLogStore } from "../../stores/sqlite/sqlite-prediction-log-store.js";
import { tempDbFile } from "../../webhooks/test-support/webhook-kit.js";
import type { TensorMap } from "../tensor.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serverConfig } from "../../cli/commands/server.js";
import type { ServerConfig } from "../../core/config.js";
import { startServerIn } from "../../server/test-support/temp-server.js";
import { DEFAULT_RETENTION_MAX_AGE_MS, DEFAULT_RETENTION_MAX_ROWS, type DeploymentRetention, PredictionLog } from "./prediction-log.js";
import { DEFAULT_MAX_RECORD_BYTES } from "./record-size.js";
import type { PredictionEntry, PredictionRecord } from "./records.js";
import { predictionLogRoutes } from "./routes.js";
import { seededRandom } from "./seeded-random.js";
import type { PredictionLogStore } from "./store.js";

const inputs: TensorMap = {
  x: { type: "float32", dims: [1, 3], data: Float32Array.from([0.5, Number.NaN, 2]) },
  id: { type: "int64", dims: [1], data: BigInt64Array.from([2n ** 60n]) },
  flag: { type: "bool", dims: [1], data: Uint8Array.from([1]) },
  name: { type: "string", dims: [1], data: ["ü"] },
};
const outputs: TensorMap = { y: { type: "float32", dims: [1, 1], data: Float32Array.from([0.25]) } };

const entry = (i: number, time = 1_000 + i): PredictionEntry => ({
  deployment: "churn",
  version: "3",
  time,
  latencyMs: 0.4,
  requestId: `req-${i}`,
  inputs,
  outputs,
});

/** The real SQLite store behind a gate that holds every write for `delayMs` (a slow disk). */
const slowStore = (store: PredictionLogStore, delayMs: number): PredictionLogStore & { writes: number } => {
  const slow = {
    writes: 0,
    insertPredictions: async (records: readonly PredictionRecord[]) => {
      slow.writes += 1;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await store.insertPredictions(records);
    },
    upsertLabels: store.upsertLabels.bind(store),
    searchPredictions: store.searchPredictions.bind(store),
    deploymentsOfRequests: store.deploymentsOfRequests.bind(store),
    deleteOlderThan: store.deleteOlderThan.bind(store),
    trimToRows: store.trimToRows.bind(store),
    deleteDeploymentOlderThan: store.deleteDeploymentOlderThan.bind(store),
    trimDeploymentToRows: store.trimDeploymentToRows.bind(store),
    countsByDeployment: store.countsByDeployment.bind(store),
  };
  return slow;
};

describe("PredictionLog", () => {
  let temp: ReturnType<typeof tempDbFile>;
  let db: Database;
  let store: SqlitePredictionLogStore;
  const count = (): number => (db.prepare("SELECT count(*) AS n FROM predictions").get() as { n: number }).n;

  beforeEach(() => {
    temp = tempDbFile();
    db = openDatabase(temp.file);
    store = new SqlitePredictionLogStore(db);
  });
  afterEach(() => {
    db.close();
    temp.remove();
  });

  it("records inputs and outputs as {dims, type, data} JSON, written by the timer in batches", async () => {
    const log = new PredictionLog(store, { flushIntervalMs: 10, batchSize: 4 });
    log.start();
    for (let i = 0; i < 10; i += 1) log.record(entry(i));
    expect(count()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(count()).toBe(10);
    const page = await store.searchPredictions({ maxResults: 1 });
    expect(page.predictions[0]).toMatchObject({ deployment: "churn", version: "3", time: 1000, latencyMs: 0.4, requestId: "req-0" });
    expect(JSON.parse(page.predictions[0]?.inputs as string)).toEqual({
      x: { dims: [1, 3], type: "float32", data: [0.5, "NaN", 2] },
      id: { dims: [1], type: "int64", data: ["1152921504606846976"] },
      flag: { dims: [1], type: "bool", data: [true] },
      name: { dims: [1], type: "string", data: ["ü"] },
    });
    expect(JSON.parse(page.predictions[0]?.outputs as string)).toEqual({ y: { dims: [1, 1], type: "float32", data: [0.25] } });
    await log.stop();
  });

  it("honours the sampling rate (seeded)", async () => {
    const log = new PredictionLog(store, { sampleRate: 0.25, random: seededRandom(42) });
    for (let i = 0; i < 4000; i += 1) log.record(entry(i));
    await log.stop();
    const reference = seededRandom(42);
    let expected = 0;
    for (let i = 0; i < 4000; i += 1) if (reference() < 0.25) expected += 1;
    expect(count()).toBe(expected);
    expect(expected / 4000).toBeGreaterThan(0.23);
    expect(expected / 4000).toBeLessThan(0.27);

    const none = new PredictionLog(store, { sampleRate: 0 });
    for (let i = 0; i < 100; i += 1) none.record(entry(i));
    expect(none.pending).toBe(0);
    expect(() => new PredictionLog(store, { sampleRate: 1.5 })).toThrow("Invalid prediction log sample_rate 1.5: expected a number from 0 to 1.");
  });

  it("samples at a caller's own rate (a deployment's) with the same seeded source", async () => {
    const log = new PredictionLog(store, { random: seededRandom(7) });
    for (let i = 0; i < 1000; i += 1) log.record(entry(i), 0.1);
    const reference = seededRandom(7);
    let expected = 0;
    for (let i = 0; i < 1000; i += 1) if (reference() < 0.1) expected += 1;
    expect(log.pending).toBe(expected);
    for (let i = 0; i < 10; i += 1) log.record(entry(i), 0);
    expect(log.pending).toBe(expected);
    await log.stop();
  });

  it("drops and counts records when the queue is full", async () => {
    const drops: number[] = [];
    const log = new PredictionLog(store, { capacity: 100, onDropped: (n) => drops.push(n) });
    for (let i = 0; i < 150; i += 1) log.record(entry(i));
    expect(log.pending).toBe(100);
    expect(log.droppedCount).toBe(50);
    expect(drops.reduce((a, b) => a + b, 0)).toBe(50);
    await log.stop();
    expect(count()).toBe(100);
    expect(log.pending).toBe(0);
  });

  it("never writes on the request's path: record() is synchronous and a slow store does not slow it", async () => {
    const slow = slowStore(store, 200);
    const log = new PredictionLog(slow, { flushIntervalMs: 5, capacity: 10_000 });
    log.start();
    log.record(entry(0));
    await new Promise((resolve) => setTimeout(resolve, 20)); // a write is now in flight for 200 ms
    expect(slow.writes).toBe(1);
    const times: number[] = [];
    for (let i = 1; i <= 5000; i += 1) {
      const start = performance.now();
      const result: unknown = log.record(entry(i));
      times.push(performance.now() - start);
      expect(result).toBeUndefined();
    }
    times.sort((a, b) => a - b);
    const total = times.reduce((a, b) => a + b, 0);
    console.log(`record() with a store busy for 200 ms: total ${total.toFixed(2)} ms for 5000 calls, p99 ${((times[4950] as number) * 1000).toFixed(2)} µs`);
    expect(total).toBeLessThan(50);
    expect(count()).toBe(0);
    expect(log.pending).toBe(5000);
    await log.stop();
    expect(count()).toBe(5001);
  });

  it("enforces retention by age and by row count, periodically", async () => {
    let now = 10_000;
    const log = new PredictionLog(store, { retention: { maxAgeMs: 5_000, maxRows: 3, intervalMs: 10 }, clock: () => now });
    for (let i = 0; i < 10; i += 1) log.record(entry(i, 4_000 + i * 1_000)); // times 4000..13000
    await log.flush();
    expect(await log.enforceRetention()).toBe(2 + 5); // 4000 and 5000 are older than 5000 ms; then keep the newest 3
    expect((await store.searchPredictions({ maxResults: 10 })).predictions.map((p) => p.time)).toEqual([11_000, 12_000, 13_000]);
    now = 17_500;
    log.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await store.searchPredictions({ maxResults: 10 })).predictions.map((p) => p.time)).toEqual([13_000]);
    await log.stop();
  });

  it("applies each deployment's own bounds to its own predictions, under the server's, with their labels", async () => {
    let now = 20_000;
    let bounds: DeploymentRetention[] = [
      { deployment: "churn", maxAgeMs: 4_000 },
      { deployment: "fraud", maxRows: 3 },
      // Looser than the server's: already met by the server's bounds, so never asked of the store.
      { deployment: "loose", maxAgeMs: 60_000, maxRows: 500 },
    ];
    const calls: string[] = [];
    const watched: PredictionLogStore = {
      ...slowStore(store, 0),
      deleteDeploymentOlderThan: async (deployment, time, limit) => {
        calls.push(`age ${deployment} ${time} ${limit}`);
        return store.deleteDeploymentOlderThan(deployment, time, limit);
      },
      trimDeploymentToRows: async (deployment, maxRows, limit) => {
        calls.push(`rows ${deployment} ${maxRows} ${limit}`);
        return store.trimDeploymentToRows(deployment, maxRows, limit);
      },
    };
    const log = new PredictionLog(watched, {
      retention: { maxAgeMs: 10_000, maxRows: 100, chunkRows: 2, deploymentBounds: async () => bounds },
      clock: () => now,
    });
    for (const deployment of ["churn", "fraud", "loose", "other"]) {
      // Times 11000..19000: the server's 10 s keeps them all at 20000.
      for (let i = 0; i < 9; i += 1) log.record({ ...entry(i, 11_000 + i * 1_000), deployment, requestId: `${deployment}-${i}` });
    }
    await log.flush();
    await store.upsertLabels(["churn-0", "churn-8", "fraud-0", "fraud-8", "other-0"].map((requestId) => ({ requestId, label: "1", time: 30_000 })));
    const timesOf = async (deployment: string): Promise<number[]> =>
      (await store.searchPredictions({ deployment, maxResults: 100 })).predictions.map((p) => p.time);
    const labelled = async (): Promise<string[]> =>
      (await store.searchPredictions({ maxResults: 100 })).predictions.filter((p) => p.label !== undefined).map((p) => p.requestId);

    // churn: older than 20000 - 4000 = 16000 go (5 rows, in chunks of 2); fraud: the newest 3 stay (6 go).
    expect(await log.enforceRetention()).toBe(5 + 6);
    expect(await timesOf("churn")).toEqual([16_000, 17_000, 18_000, 19_000]);
    expect(await timesOf("fraud")).toEqual([17_000, 18_000, 19_000]);
    expect(await timesOf("loose")).toHaveLength(9);
    expect(await timesOf("other")).toHaveLength(9);
    expect(await labelled()).toEqual(["other-0", "churn-8", "fraud-8"]);
    expect(calls).toEqual([
      "age churn 16000 2",
      "age churn 16000 2",
      "age churn 16000 2",
      "rows fraud 3 2",
      "rows fraud 3 2",
      "rows fraud 3 2",
      "rows fraud 3 2",
    ]);
    expect(await store.countsByDeployment()).toEqual(new Map([["churn", 4], ["fraud", 3], ["loose", 9], ["other", 9]]));

    // Nothing due: one short call per bound, nothing deleted.
    calls.length = 0;
    expect(await log.enforceRetention()).toBe(0);
    expect(calls).toEqual(["age churn 16000 2", "rows fraud 3 2"]);

    // The server's bounds still cap a deployment whose own bound is looser; a bound removed stops applying.
    now = 26_500;
    bounds = [{ deployment: "fraud", maxRows: 1 }];
    expect(await log.enforceRetention()).toBe(1 + 0 + 6 + 6 + 2); // the server: < 16500 of churn, fraud, loose, other; then fraud to 1
    expect(await timesOf("churn")).toEqual([17_000, 18_000, 19_000]);
    expect(await timesOf("fraud")).toEqual([19_000]);
    expect(await timesOf("loose")).toEqual([17_000, 18_000, 19_000]);
    await log.stop();
  });

  it("keeps going when one deployment's bounds fail or the bounds cannot be read", async () => {
    const errors: string[] = [];
    const failing: PredictionLogStore = {
      ...slowStore(store, 0),
      trimDeploymentToRows: async (deployment, maxRows, limit) => {
        if (deployment === "broken") throw new Error("disk I/O error");
        return store.trimDeploymentToRows(deployment, maxRows, limit);
      },
    };
    let read = async (): Promise<DeploymentRetention[]> => [{ deployment: "broken", maxRows: 1 }, { deployment: "churn", maxRows: 1 }];
    const log = new PredictionLog(failing, {
      retention: { deploymentBounds: () => read() },
      onError: (error) => errors.push((error as Error).message),
    });
    for (let i = 0; i < 3; i += 1) log.record(entry(i));
    for (let i = 0; i < 3; i += 1) log.record({ ...entry(i), deployment: "broken", requestId: `b${i}` });
    await log.flush();
    expect(await log.enforceRetention()).toBe(2);
    expect(errors).toEqual(["disk I/O error"]);
    read = async () => {
      throw new Error("no deployments table");
    };
    expect(await log.enforceRetention()).toBe(0);
    expect(errors).toEqual(["disk I/O error", "no deployments table"]);
    expect(await store.countsByDeployment()).toEqual(new Map([["broken", 3], ["churn", 1]]));
    await log.stop();
  });
});

describe("prediction log bounds", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cairn-log-bounds-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const seed = async (records: PredictionRecord[]): Promise<void> => {
    const db = openDatabase(join(dir, "cairn.db"));
    await new SqlitePredictionLogStore(db).insertPredictions(records);
    db.close();
  };
  const stored = (): Array<{ request_id: string; time: number }> => {
    const db = openDatabase(join(dir, "cairn.db"));
    const rows = db.prepare("SELECT request_id, time FROM predictions ORDER BY prediction_key").all() as Array<{ request_id: string; time: number }>;
    db.close();
    return rows;
  };
  /** The prediction-log part of `cairn server`'s flags (the rest of serverConfig's defaults would point at ./cairn-data). */
  const logFlags = (flags: Parameters<typeof serverConfig>[0]): Partial<ServerConfig> => {
    const { predictionLogMaxAgeMs, predictionLogMaxRows, predictionLogMaxRecordBytes } = serverConfig(flags);
    return {
      ...(predictionLogMaxAgeMs !== undefined ? { predictionLogMaxAgeMs } : {}),
      ...(predictionLogMaxRows !== undefined ? { predictionLogMaxRows } : {}),
      ...(predictionLogMaxRecordBytes !== undefined ? { predictionLogMaxRecordBytes } : {}),
    };
  };
  const json = '{"x":{"dims":[1],"type":"float32","data":[1]}}';
  const logged = (requestId: string, time: number): PredictionRecord => ({ deployment: "churn", version: "1", time, latencyMs: 1, requestId, inputs: json, outputs: json });

  it("cairn server's --prediction-log-max-age and --prediction-log-max-rows are enforced on a real SQLite file, at start-up", async () => {
    const day = 86_400_000;
    const now = Date.now();
    // Written before this server started: 3 beyond 7 days, then 6 recent ones.
    await seed([...[10, 9, 8].map((d, i) => logged(`old-${i}`, now - d * day)), ...Array.from({ length: 6 }, (_, i) => logged(`new-${i}`, now - 1000 + i))]);
    const server = await startServerIn(dir, { ...logFlags({ predictionLogMaxAge: "7d", predictionLogMaxRows: "4" }), webUiDir: null });
    try {
      for (let i = 0; i < 50 && stored().length > 4; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await server.close();
    }
    expect(stored().map((r) => r.request_id)).toEqual(["new-2", "new-3", "new-4", "new-5"]);
  });

  it("with no flags the defaults hold: 30 days and 1,000,000 rows", async () => {
    const day = 86_400_000;
    const now = Date.now();
    await seed([logged("31-days", now - 31 * day), logged("29-days", now - 29 * day)]);
    const server = await startServerIn(dir, { ...logFlags({}), webUiDir: null });
    try {
      for (let i = 0; i < 50 && stored().length > 1; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await server.close();
    }
    expect(stored().map((r) => r.request_id)).toEqual(["29-days"]);
    expect([DEFAULT_RETENTION_MAX_AGE_MS, DEFAULT_RETENTION_MAX_ROWS, DEFAULT_MAX_RECORD_BYTES]).toEqual([30 * day, 1_000_000, 65_536]);
  });

  it("deletes a backlog in chunks, yielding to the event loop between them", async () => {
    const db = openDatabase(join(dir, "cairn.db"));
    const store = new SqlitePredictionLogStore(db);
    await store.insertPredictions(Array.from({ length: 12_000 }, (_, i) => logged(`r${i}`, i)));
    const chunks: number[] = [];
    let ticks = 0;
    const counting: PredictionLogStore = {
      ...slowStore(store, 0),
      deleteOlderThan: async (time, limit) => {
        const n = await store.deleteOlderThan(time, limit);
        chunks.push(n);
        return n;
      },
    };
    const log = new PredictionLog(counting, { retention: { maxAgeMs: 1, chunkRows: 5_000 }, clock: () => 11_001 });
    const timer = setInterval(() => (ticks += 1), 0);
    const deleted = await log.enforceRetention();
    clearInterval(timer);
    expect(deleted).toBe(11_000);
    expect(chunks).toEqual([5_000, 5_000, 1_000]);
    expect(ticks).toBeGreaterThanOrEqual(1);
    expect((db.prepare("SELECT count(*) AS n FROM predictions").get() as { n: number }).n).toBe(1_000);
    db.close();
  });

  it("logs a request over the record limit as its shapes with omitted: true, and answers it so through the API", async () => {
    const db = openDatabase(join(dir, "cairn.db"));
    const store = new SqlitePredictionLogStore(db);
    const log = new PredictionLog(store, { maxRecordBytes: 200 });
    const wide: TensorMap = { x: { type: "float32", dims: [1, 100], data: new Float32Array(100) } }; // 100 values < 200 bytes, its JSON is not
    const huge: TensorMap = { x: { type: "float32", dims: [4_500_000], data: new Float32Array(4_500_000) } }; // an 18 MB body
    log.record({ ...entry(0), inputs, outputs });
    log.record({ ...entry(1), requestId: "wide", inputs: wide });
    log.record({ ...entry(2), requestId: "huge", inputs: huge });
    await log.stop();
    const app = await buildApp({ version: "test", domains: [{ cairnEndpoints: predictionLogRoutes(store) }] });
    const response = await app.inject({ method: "GET", url: "/api/2.0/cairn/serving/predictions" });
    await app.close();
    const predictions = (response.json() as { predictions: Array<{ request_id: string; inputs: unknown; outputs: unknown }> }).predictions;
    expect(predictions.map((p) => p.request_id)).toEqual(["req-0", "wide", "huge"]);
    expect(predictions[1]?.inputs).toEqual({ x: { dims: [1, 100], type: "float32", omitted: true } });
    expect(predictions[1]?.outputs).toEqual({ y: { dims: [1, 1], type: "float32", omitted: true } });
    expect(predictions[2]?.inputs).toEqual({ x: { dims: [4_500_000], type: "float32", omitted: true } });
    const bytes = (db.prepare("SELECT sum(length(inputs) + length(outputs)) AS n FROM predictions").get() as { n: number }).n;
    expect(bytes).toBeLessThan(1000);
    db.close();
  });
});

describe("prediction log API", () => {
  let temp: ReturnType<typeof tempDbFile>;
  let db: Database;
  let app: FastifyInstance;
  const base = "/api/2.0/cairn/serving";

  beforeEach(async () => {
    temp = tempDbFile();
    db = openDatabase(temp.file);
    const store = new SqlitePredictionLogStore(db);
    const log = new PredictionLog(store);
    for (let i = 0; i < 5; i += 1) log.record(entry(i));
    log.record({ ...entry(9), deployment: "fraud" });
    await log.stop();
    app = await buildApp({ version: "test", domains: [{ cairnEndpoints: predictionLogRoutes(store, () => 77) }] });
  });
  afterEach(async () => {
    await app.close();
    db.close();
    temp.remove();
  });

  it("takes labels one by one and in batches, and lists predictions with labels joined by request id", async () => {
    let response = await app.inject({ method: "POST", url: `${base}/labels`, payload: { request_id: "req-1", label: { churned: true }, time: 5 } });
    expect(response.statusCode).toBe(200);
    response = await app.inject({ method: "POST", url: `${base}/labels/batch`, payload: { labels: [{ request_id: "req-2", label: 0 }, { request_id: "req-3", label: "no" }] } });
    expect(response.statusCode).toBe(200);

    response = await app.inject({ method: "GET", url: `${base}/predictions?deployment=churn&since=1001&max_results=2` });
    const first = response.json() as { predictions: Array<Record<string, unknown>>; next_page_token: string };
    expect(first.predictions.map((p) => [p.request_id, p.label, p.label_time])).toEqual([["req-1", { churned: true }, 5], ["req-2", 0, 77]]);
    expect(first.predictions[0]).toMatchObject({ deployment: "churn", version: "3", time: 1001, latency_ms: 0.4 });
    expect((first.predictions[0]?.outputs as Record<string, unknown>).y).toEqual({ dims: [1, 1], type: "float32", data: [0.25] });
    response = await app.inject({ method: "GET", url: `${base}/predictions?deployment=churn&since=1001&max_results=2&page_token=${first.next_page_token}` });
    const second = response.json() as { predictions: Array<Record<string, unknown>>; next_page_token?: string };
    expect(second.predictions.map((p) => [p.request_id, p.label])).toEqual([["req-3", "no"], ["req-4", undefined]]);
    expect(second.next_page_token).toBeUndefined();
  });

  it("refuses bad label and query input with 400s that name the field", async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ["POST", "labels", { label: 1 }, "Missing value for required parameter 'request_id'."],
      ["POST", "labels", { request_id: "r" }, "Missing value for required parameter 'label'."],
      ["POST", "labels/batch", { labels: [{ request_id: "a", label: 1 }, { request_id: "b" }] }, "Missing value for required parameter 'labels[1].label'."],
      ["POST", "labels/batch", { labels: [] }, "Missing value for required parameter 'labels'."],
      ["POST", "labels", { request_id: "r", label: "x".repeat(70_000) }, "Invalid label: 70002 bytes of JSON, the limit is 65536."],
      ["GET", "predictions?max_results=5000", undefined, "Invalid value 5000 for parameter 'max_results': expected 1 to 1000."],
    ];
    for (const [method, path, payload, message] of cases) {
      const response = await app.inject({ method: method as "GET", url: `${base}/${path}`, ...(payload !== undefined ? { payload: payload as object } : {}) });
      expect(response.statusCode, path).toBe(400);
      expect((response.json() as { message: string }).message).toContain(message);
    }
  });
});
