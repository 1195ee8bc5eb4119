import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { newRunId } from "../src/core/ids.js";
import type { Metric } from "../src/protocol/mlflow/entities.js";
import { openMetadataStores } from "../src/stores/registry.js";
import { spawnServer } from "../test/support/spawn-server.js";
import { RawHttpClient } from "./raw-http-client.js";
import { percentile } from "./stats.js";

/**
 * The logged-model targets of issue 10, on the embedded default (SQLite file, server in its own process, requests
 * from this process on loopback over one keep-alive connection, as the Python client makes them: one at a time):
 *  (a) log_model's whole server-side sequence as the 3.x client sends it (files excluded): runs/get, POST
 *      logged-models, runs/outputs, runs/get, metrics/get-history, log-batch with model_id, GET logged-models/{id},
 *      PATCH finalize. Baseline in the same run: a 2.x-style sequence of as many calls (runs/create, runs/get,
 *      log-batch, runs/get, get-history, log-batch, runs/get, runs/update).
 *  (b) logged-models/search with a metric filter over 100,000 logged models (50 a page, the client's default).
 *      Baseline in the same run: the same search without a filter.
 */
const SEQUENCES = Number(process.env.BENCH_SEQUENCES ?? 300);
const WARMUP = 20;
const SEARCH_MODELS = Number(process.env.BENCH_SEARCH_MODELS ?? 100_000);
const SEARCH_ITERATIONS = 30;
const T0 = 1_700_000_000_000;
const api = "/api/2.0/mlflow";

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50_ms: round(percentile(sorted, 50)), p99_ms: round(percentile(sorted, 99)) };
};

const expectOk = (what: string, answer: { status: number; body: string }): string => {
  if (answer.status !== 200) throw new Error(`${what} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return answer.body;
};

const SOURCE_TAGS = [
  { key: "mlflow.user", value: "bench" },
  { key: "mlflow.source.name", value: "train.py" },
  { key: "mlflow.source.type", value: "LOCAL" },
];

/** One log_model of the 3.x client inside a run that has a param and a metric at step 0. */
const logModelSequence = async (client: RawHttpClient, experimentId: string, runId: string): Promise<void> => {
  const getRun = client.request("GET", `${api}/runs/get?run_id=${runId}&run_uuid=${runId}`);
  expectOk("runs/get", await client.send(getRun));
  const created = expectOk(
    "logged-models",
    await client.send(
      client.request(
        "POST",
        `${api}/logged-models`,
        JSON.stringify({ experiment_id: experimentId, name: "model", source_run_id: runId, params: [{ key: "lr", value: "0.1" }], tags: SOURCE_TAGS }),
      ),
    ),
  );
  const modelId = (JSON.parse(created) as { model: { info: { model_id: string } } }).model.info.model_id;
  expectOk("runs/outputs", await client.send(client.request("POST", `${api}/runs/outputs`, JSON.stringify({ run_id: runId, models: [{ model_id: modelId, step: 0 }] }))));
  expectOk("runs/get", await client.send(getRun));
  expectOk("get-history", await client.send(client.request("GET", `${api}/metrics/get-history?run_id=${runId}&run_uuid=${runId}&metric_key=acc`)));
  expectOk(
    "log-batch",
    await client.send(
      client.request("POST", `${api}/runs/log-batch`, JSON.stringify({ run_id: runId, metrics: [{ key: "acc", value: 0.9, timestamp: T0, step: 0, model_id: modelId }] })),
    ),
  );
  expectOk("logged-models/{id}", await client.send(client.request("GET", `${api}/logged-models/${modelId}?model_id=${modelId}`)));
  expectOk(
    "finalize",
    await client.send(client.request("PATCH", `${api}/logged-models/${modelId}`, JSON.stringify({ model_id: modelId, status: "LOGGED_MODEL_READY" }))),
  );
};

/** The 2.x-style baseline: as many calls, on the run paths only. */
const runSequence = async (client: RawHttpClient, experimentId: string): Promise<void> => {
  const created = expectOk("runs/create", await client.send(client.request("POST", `${api}/runs/create`, JSON.stringify({ experiment_id: experimentId, start_time: T0, tags: SOURCE_TAGS }))));
  const runId = (JSON.parse(created) as { run: { info: { run_id: string } } }).run.info.run_id;
  const getRun = client.request("GET", `${api}/runs/get?run_id=${runId}&run_uuid=${runId}`);
  const batch = (step: number): Buffer =>
    client.request("POST", `${api}/runs/log-batch`, JSON.stringify({ run_id: runId, metrics: [{ key: "acc", value: 0.9, timestamp: T0 + step, step }], params: step === 0 ? [{ key: "lr", value: "0.1" }] : [] }));
  expectOk("log-batch", await client.send(batch(0)));
  expectOk("runs/get", await client.send(getRun));
  expectOk("get-history", await client.send(client.request("GET", `${api}/metrics/get-history?run_id=${runId}&run_uuid=${runId}&metric_key=acc`)));
  expectOk("log-batch", await client.send(batch(1)));
  expectOk("runs/get", await client.send(getRun));
  expectOk("runs/get", await client.send(getRun));
  expectOk("runs/update", await client.send(client.request("POST", `${api}/runs/update`, JSON.stringify({ run_id: runId, status: "FINISHED", end_time: T0 + 2 }))));
};

const benchLogModel = async (dir: string) => {
  const server = await spawnServer(path.join(dir, "log-model.db"), path.join(dir, "artifacts"));
  const client = await RawHttpClient.connect(server.url);
  try {
    const experiment = expectOk("experiments/create", await client.send(client.request("POST", `${api}/experiments/create`, JSON.stringify({ name: "log-model" }))));
    const experimentId = (JSON.parse(experiment) as { experiment_id: string }).experiment_id;
    // One run per log_model, prepared beforehand (the run's own calls are steps 2-4 of the client, not log_model's).
    const runIds: string[] = [];
    for (let i = 0; i < SEQUENCES + WARMUP; i += 1) {
      const run = expectOk("runs/create", await client.send(client.request("POST", `${api}/runs/create`, JSON.stringify({ experiment_id: experimentId, start_time: T0 }))));
      const runId = (JSON.parse(run) as { run: { info: { run_id: string } } }).run.info.run_id;
      expectOk(
        "log-batch",
        await client.send(client.request("POST", `${api}/runs/log-batch`, JSON.stringify({ run_id: runId, metrics: [{ key: "acc", value: 0.9, timestamp: T0, step: 0 }], params: [{ key: "lr", value: "0.1" }] }))),
      );
      runIds.push(runId);
    }
    const logModelTimes: number[] = [];
    const baselineTimes: number[] = [];
    // Interleaved, so that both see the same database size and machine load.
    for (let i = 0; i < SEQUENCES + WARMUP; i += 1) {
      let started = performance.now();
      await logModelSequence(client, experimentId, runIds[i] ?? "");
      if (i >= WARMUP) logModelTimes.push(performance.now() - started);
      started = performance.now();
      await runSequence(client, experimentId);
      if (i >= WARMUP) baselineTimes.push(performance.now() - started);
    }
    const logModel = summary(logModelTimes);
    const baseline = summary(baselineTimes);
    return {
      sequences: SEQUENCES,
      calls_per_sequence: 8,
      ...logModel,
      baseline_2x_sequence: baseline,
      ratio_to_baseline: round(logModel.p50_ms / baseline.p50_ms),
      target: "p50 < 5 ms",
    };
  } finally {
    client.close();
    await server.stop();
  }
};

/** 100,000 models with 2 params, a tag and 2 metrics each, written through the stores (setup, not measured). */
const populateModels = async (file: string): Promise<string> => {
  const stores = await openMetadataStores(`sqlite:///${file}`);
  try {
    const experimentId = await stores.tracking.createExperiment({ name: "search", tags: [], now: T0, defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}` });
    const runId = newRunId();
    await stores.tracking.createRun({
      runId,
      experimentId,
      userId: "bench",
      runName: "populate",
      status: "RUNNING",
      startTime: T0,
      artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      tags: [],
    });
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    let pending: Metric[] = [];
    for (let i = 0; i < SEARCH_MODELS; i += 1) {
      const modelId = `m-${newRunId()}`;
      await stores.loggedModels.create({
        modelId,
        experimentId,
        name: `model-${i}`,
        artifactUri: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`,
        params: [
          { key: "lr", value: String(Math.floor(random() * 10) / 10) },
          { key: "depth", value: String(Math.floor(random() * 8)) },
        ],
        tags: [{ key: "team", value: `team-${Math.floor(random() * 5)}` }],
        now: T0 + i,
      });
      pending.push(
        { key: "accuracy", value: random(), timestamp: T0 + i, step: 0, model_id: modelId, dataset_name: "test", dataset_digest: "d1" },
        { key: "loss", value: random(), timestamp: T0 + i, step: 0, model_id: modelId },
      );
      if (pending.length >= 1000) {
        await stores.tracking.logBatch(runId, { metrics: pending, params: [], tags: [] });
        pending = [];
      }
    }
    if (pending.length > 0) await stores.tracking.logBatch(runId, { metrics: pending, params: [], tags: [] });
    return experimentId;
  } finally {
    await stores.close();
  }
};

const benchSearch = async (dir: string) => {
  const file = path.join(dir, "search.db");
  const populateStarted = performance.now();
  const experimentId = await populateModels(file);
  const populateSeconds = (performance.now() - populateStarted) / 1000;
  const server = await spawnServer(file, path.join(dir, "search-artifacts"));
  const client = await RawHttpClient.connect(server.url);
  const measure = async (body: Record<string, unknown>) => {
    const request = client.request("POST", `${api}/logged-models/search`, JSON.stringify({ experiment_ids: [experimentId], ...body }));
    const times: number[] = [];
    let results = 0;
    for (let i = 0; i < SEARCH_ITERATIONS + 3; i += 1) {
      const started = performance.now();
      const answer = expectOk("logged-models/search", await client.send(request));
      if (i >= 3) times.push(performance.now() - started);
      results = ((JSON.parse(answer) as { models?: unknown[] }).models ?? []).length;
    }
    return { ...summary(times), results };
  };
  try {
    const metricFilter = await measure({ filter: "metrics.accuracy > 0.5" });
    const selectiveFilter = await measure({ filter: "metrics.accuracy > 0.999" });
    const datasetFilter = await measure({ filter: "metrics.accuracy > 0.5 AND params.depth = '3'", datasets: [{ dataset_name: "test" }] });
    const orderedByMetric = await measure({ filter: "metrics.accuracy > 0.5", order_by: [{ field_name: "metrics.accuracy", ascending: false, dataset_name: "test" }] });
    const baseline = await measure({});
    return {
      models: SEARCH_MODELS,
      populate_s: round(populateSeconds, 1),
      metric_filter: { filter: "metrics.accuracy > 0.5", ...metricFilter, ratio_to_baseline: round(metricFilter.p50_ms / baseline.p50_ms), target: "p50 < 50 ms" },
      selective_metric_filter: { filter: "metrics.accuracy > 0.999", ...selectiveFilter },
      metric_and_param_filter_on_dataset: datasetFilter,
      metric_filter_ordered_by_metric: orderedByMetric,
      baseline_no_filter: baseline,
    };
  } finally {
    client.close();
    await server.stop();
  }
};

export const runLoggedModelBenchmarks = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-lm-"));
  try {
    const logModel = await benchLogModel(dir);
    const search = await benchSearch(dir);
    return {
      machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
      log_model_sequence: logModel,
      search,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
