import autocannon from "autocannon";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { newRunId } from "../src/core/ids.js";
import type { Metric } from "../src/protocol/mlflow/entities.js";
import { openMetadataStores } from "../src/stores/registry.js";
import { parseRunFilter } from "../src/tracking/search/parse-filter.js";
import { parseRunOrderBy } from "../src/tracking/search/parse-order-by.js";
import type { TrackingStore } from "../src/tracking/store.js";
import { spawnServer } from "../test/support/spawn-server.js";
import { percentile } from "./stats.js";

/**
 * The tracking benchmarks of issue 2, all on the embedded default (SQLite file, server in its own process, load from
 * this process on loopback):
 *  (a) runs/log-batch, 1000 metrics a request, 8 concurrent clients
 *  (b) single runs/log-metric requests, 8 concurrent clients
 *  (c) baseline: the same log-batch inserts straight through the store, no HTTP
 *  (d) runs/search over 100,000 runs (10 metrics, 10 params, 5 tags each), p50 through HTTP and through the store
 * BENCH_SECONDS shortens (a) and (b) for a quick look; the recorded figures use the defaults.
 */
const CLIENTS = 8;
const BATCH = 1000;
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SINGLE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RAW_SECONDS = Number(process.env.BENCH_RAW_SECONDS ?? 10);
const SEARCH_RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 100_000);
const SEARCH_FILTER = "metrics.m0 > 0.5 AND params.p0 = 'v3'";
const SEARCH_ORDER = ["metrics.m1 DESC"];

const api = "/api/2.0/mlflow";
const json = { "content-type": "application/json" };

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** A batch of distinct metrics for one run: steps continue where the previous batch stopped. */
const makeMetrics = (firstStep: number): Metric[] => {
  const metrics: Metric[] = new Array<Metric>(BATCH);
  for (let i = 0; i < BATCH; i += 1) {
    const step = firstStep + i;
    metrics[i] = { key: `m${i % 10}`, value: step * 0.001, timestamp: 1_700_000_000_000 + step, step };
  }
  return metrics;
};

const createRuns = async (url: string, count: number): Promise<string[]> => {
  const experiment = (await (
    await fetch(`${url}${api}/experiments/create`, { method: "POST", headers: json, body: JSON.stringify({ name: `bench-${Date.now()}` }) })
  ).json()) as { experiment_id: string };
  const runIds: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${url}${api}/runs/create`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ experiment_id: experiment.experiment_id, start_time: Date.now() }),
    });
    runIds.push(((await response.json()) as { run: { info: { run_id: string } } }).run.info.run_id);
  }
  return runIds;
};

/** Each autocannon connection logs to its own run with steps that never repeat. */
const perConnectionRun = (runIds: string[]) => {
  let next = 0;
  return (context: Record<string, unknown>): { runId: string; step: number } => {
    if (typeof context.runId !== "string") {
      context.runId = runIds[next % runIds.length];
      context.step = 0;
      next += 1;
    }
    return { runId: context.runId as string, step: context.step as number };
  };
};

const benchLogBatch = async (url: string) => {
  const runIds = await createRuns(url, CLIENTS);
  const runOf = perConnectionRun(runIds);
  const result = await autocannon({
    url,
    connections: CLIENTS,
    duration: LOAD_SECONDS,
    requests: [
      {
        method: "POST",
        path: `${api}/runs/log-batch`,
        headers: json,
        setupRequest: (request, context) => {
          const { runId, step } = runOf(context);
          context.step = step + BATCH;
          request.body = JSON.stringify({ run_id: runId, metrics: makeMetrics(step) });
          return request;
        },
      },
    ],
  });
  const okRequests = result["2xx"];
  return {
    requests: okRequests,
    failed: result.non2xx + result.errors + result.timeouts,
    metrics_per_s: round((okRequests * BATCH) / result.duration, 0),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
  };
};

const benchLogMetric = async (url: string) => {
  const runIds = await createRuns(url, CLIENTS);
  const runOf = perConnectionRun(runIds);
  const result = await autocannon({
    url,
    connections: CLIENTS,
    duration: SINGLE_SECONDS,
    requests: [
      {
        method: "POST",
        path: `${api}/runs/log-metric`,
        headers: json,
        setupRequest: (request, context) => {
          const { runId, step } = runOf(context);
          context.step = step + 1;
          // A template, not JSON.stringify: the load generator shares the 2 cores with the server it measures.
          request.body = `{"run_id":"${runId}","key":"loss","value":${1 / (step + 1)},"timestamp":${1_700_000_000_000 + step},"step":${step}}`;
          return request;
        },
      },
    ],
  });
  return {
    requests: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
    requests_per_s: round(result["2xx"] / result.duration, 0),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
  };
};

/** The tracking store as the server opens it (the other stores share its connection); close() closes them all. */
const openStore = async (file: string): Promise<{ store: TrackingStore; close: () => Promise<void> }> => {
  const stores = await openMetadataStores(`sqlite:///${file}`);
  return { store: stores.tracking, close: () => stores.close() };
};

const benchRawStore = async (dir: string) => {
  const { store, close } = await openStore(path.join(dir, "raw.db"));
  const experimentId = await store.createExperiment({
    name: "raw",
    tags: [],
    now: Date.now(),
    defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`,
  });
  const runIds: string[] = [];
  for (let i = 0; i < CLIENTS; i += 1) {
    const runId = newRunId();
    await store.createRun({
      runId,
      experimentId,
      userId: "bench",
      runName: `raw-${i}`,
      status: "RUNNING",
      startTime: Date.now(),
      artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      tags: [],
    });
    runIds.push(runId);
  }
  const steps = runIds.map(() => 0);
  let batches = 0;
  let storeMs = 0;
  // Only the store call is timed: building the batch is the client's work in the HTTP measurement too.
  while (storeMs < RAW_SECONDS * 1000) {
    const index = batches % CLIENTS;
    const metrics = makeMetrics(steps[index] ?? 0);
    const started = performance.now();
    await store.logBatch(runIds[index] ?? "", { metrics, params: [], tags: [] });
    storeMs += performance.now() - started;
    steps[index] = (steps[index] ?? 0) + BATCH;
    batches += 1;
  }
  const seconds = storeMs / 1000;
  await close();
  return { batches, metrics_per_s: round((batches * BATCH) / seconds, 0) };
};

/** 100,000 runs with 10 metrics, 10 params and 5 tags each, written through the store (setup, not measured). */
const populateSearchStore = async (file: string): Promise<string> => {
  const { store, close } = await openStore(file);
  const experimentId = await store.createExperiment({
    name: "search",
    tags: [],
    now: Date.now(),
    defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`,
  });
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let r = 0; r < SEARCH_RUNS; r += 1) {
    const runId = newRunId();
    await store.createRun({
      runId,
      experimentId,
      userId: "bench",
      runName: `run-${r}`,
      status: "FINISHED",
      startTime: 1_700_000_000_000 + r,
      artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      tags: Array.from({ length: 5 }, (_, t) => ({ key: `t${t}`, value: `tag-${Math.floor(random() * 20)}` })),
    });
    await store.logBatch(runId, {
      metrics: Array.from({ length: 10 }, (_, m) => ({ key: `m${m}`, value: random(), timestamp: 1_700_000_000_000, step: 0 })),
      params: Array.from({ length: 10 }, (_, p) => ({ key: `p${p}`, value: `v${Math.floor(random() * 10)}` })),
      tags: [],
    });
  }
  await close();
  return experimentId;
};

const benchSearch = async (dir: string) => {
  const file = path.join(dir, "search.db");
  const populateStarted = performance.now();
  const experimentId = await populateSearchStore(file);
  const populateSeconds = (performance.now() - populateStarted) / 1000;
  const iterations = 30;

  const { store, close } = await openStore(file);
  const filter = parseRunFilter(SEARCH_FILTER);
  const orderBy = parseRunOrderBy(SEARCH_ORDER);
  const storeTimes: number[] = [];
  let storeCount = 0;
  for (let i = 0; i < iterations + 3; i += 1) {
    const started = performance.now();
    const page = await store.searchRuns({
      experimentIds: [experimentId],
      ...(filter ? { filter } : {}),
      orderBy,
      viewType: "ACTIVE_ONLY",
      maxResults: 100,
    });
    if (i >= 3) storeTimes.push(performance.now() - started);
    storeCount = page.items.length;
  }
  await close();

  const server = await spawnServer(file, path.join(dir, "search-artifacts"));
  const httpTimes: number[] = [];
  let httpCount = 0;
  try {
    for (let i = 0; i < iterations + 3; i += 1) {
      const started = performance.now();
      const response = await fetch(`${server.url}${api}/runs/search`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ experiment_ids: [experimentId], filter: SEARCH_FILTER, order_by: SEARCH_ORDER, max_results: 100 }),
      });
      const body = (await response.json()) as { runs?: unknown[] };
      if (i >= 3) httpTimes.push(performance.now() - started);
      httpCount = body.runs?.length ?? 0;
    }
  } finally {
    await server.stop();
  }
  storeTimes.sort((a, b) => a - b);
  httpTimes.sort((a, b) => a - b);
  return {
    runs: SEARCH_RUNS,
    populate_s: round(populateSeconds, 1),
    filter: SEARCH_FILTER,
    order_by: SEARCH_ORDER,
    results: httpCount,
    store_results: storeCount,
    http_p50_ms: round(percentile(httpTimes, 50)),
    http_p99_ms: round(percentile(httpTimes, 99)),
    store_p50_ms: round(percentile(storeTimes, 50)),
  };
};

export const runTrackingBenchmarks = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-"));
  try {
    const raw = await benchRawStore(dir);
    const server = await spawnServer(path.join(dir, "server.db"), path.join(dir, "artifacts"));
    let logBatch;
    let logMetric;
    try {
      logBatch = await benchLogBatch(server.url);
      logMetric = await benchLogMetric(server.url);
    } finally {
      await server.stop();
    }
    const search = await benchSearch(dir);
    return {
      machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
      log_batch: { ...logBatch, ratio_to_raw_store: round(logBatch.metrics_per_s / raw.metrics_per_s), target: ">= 150000 metrics/s and >= 0.6 of raw" },
      log_metric: { ...logMetric, target: ">= 5000 requests/s" },
      raw_store_log_batch: raw,
      search: { ...search, target: "http p50 < 50 ms" },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
