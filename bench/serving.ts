import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import * as ort from "onnxruntime-node";
import { RawHttpClient } from "./raw-http-client.js";
import { buildOnnxModel, logisticRegressionModel, mlpModel, randomFloats, writeOnnxFile } from "../src/serving/test-support/onnx-models.js";
import { percentile } from "./stats.js";

/**
 * The serving benchmarks of issue 4 (`npm run bench -- serving`):
 *  - baseline: onnxruntime-node called in this process, single-row session.run p50/p99, for the logistic regression
 *    and the MLP of src/serving/test-support/onnx-models.ts (one intra-op thread, as the server runs them);
 *  - `cairn serve` in its own process (bench/serving-server.ts), requests from this one: single-row p50/p99 over
 *    HTTP for MLflow scoring and the Open Inference Protocol, and their overhead over the baseline (a sequential
 *    keep-alive raw-socket client timed with performance.now(), the kinds of request interleaved: autocannon's
 *    histogram has whole-millisecond resolution, and node:http's client adds its own ~0.1 ms);
 *  - throughput with autocannon at concurrency 1, 16 and 64 on the MLP with adaptive batching off (max batch 1) and
 *    on, and single-row predictions/s through OIP on the logistic regression;
 *  - throughput at concurrency 64 on two compute-bound MLPs (below) with batching off, on, and on with an inference
 *    worker thread, alternating modes over ROUNDS rounds and keeping medians.
 * Targets (2-core machine): p50 overhead < 0.3 ms; batching >= 3x unbatched at concurrency 64; >= 8,000 predictions/s.
 */
const LATENCY_ITERATIONS = Number(process.env.BENCH_SERVING_ITERATIONS ?? 3000);
const BASELINE_ITERATIONS = 20_000;
const DURATION_S = Number(process.env.BENCH_SERVING_DURATION ?? 5);
const CONCURRENCY = [1, 16, 64];
const BATCH = { maxBatchSize: 64, maxLatencyMs: 2 };

/**
 * Besides the test MLP (16 -> 32 -> 3, about 10 µs a run, so HTTP dominates each request and batching can only save
 * HTTP-side work), two tabular MLPs whose compute matters, which is the case batching is for: one row reads every
 * weight once, and a batch of rows shares that read. "wide" 256 -> 1024 -> 1024 -> 10 (1.3 M weights, 5 MB: about
 * 0.09 ms a row alone, 0.027 ms a row in a batch of 64 here) and "large" 512 -> 2048 -> 2048 -> 10 (5.2 M weights,
 * 21 MB, beyond the L2 cache: about 0.57 ms a row alone, 0.12 ms a row in a batch of 64).
 */
const COMPUTE_MLPS = {
  wide: { input: 256, hidden: 1024, classes: 10 },
  large: { input: 512, hidden: 2048, classes: 10 },
} as const;
type MlpShape = (typeof COMPUTE_MLPS)[keyof typeof COMPUTE_MLPS];
/** Throughput on a shared 2-core VM moves by tens of percent between runs: modes alternate, the median is kept. */
const ROUNDS = Number(process.env.BENCH_SERVING_ROUNDS ?? 3);

const tabularMlpModel = (name: string, { input, hidden, classes }: MlpShape): Uint8Array =>
  buildOnnxModel({
    name,
    inputs: [{ name: "x", type: "float32", shape: ["batch", input] }],
    outputs: [{ name: "probabilities", type: "float32", shape: ["batch", classes] }],
    initializers: [
      { name: "W1", dims: [input, hidden], values: randomFloats(input * hidden, 7, 0.2) },
      { name: "B1", dims: [hidden], values: randomFloats(hidden, 8, 0.1) },
      { name: "W2", dims: [hidden, hidden], values: randomFloats(hidden * hidden, 9, 0.05) },
      { name: "B2", dims: [hidden], values: randomFloats(hidden, 10, 0.1) },
      { name: "W3", dims: [hidden, classes], values: randomFloats(hidden * classes, 11, 0.1) },
      { name: "B3", dims: [classes], values: randomFloats(classes, 12, 0.1) },
    ],
    nodes: [
      { op: "Gemm", inputs: ["x", "W1", "B1"], outputs: ["h1"] },
      { op: "Relu", inputs: ["h1"], outputs: ["a1"] },
      { op: "Gemm", inputs: ["a1", "W2", "B2"], outputs: ["h2"] },
      { op: "Relu", inputs: ["h2"], outputs: ["a2"] },
      { op: "Gemm", inputs: ["a2", "W3", "B3"], outputs: ["logits"] },
      { op: "Softmax", inputs: ["logits"], outputs: ["probabilities"], attributes: { axis: { kind: "int", value: 1 } } },
    ],
  });

const serverMain = fileURLToPath(new URL("./serving-server.ts", import.meta.url));

const round = (value: number, digits = 4): number => Number(value.toFixed(digits));
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50_ms: round(percentile(sorted, 50)), p99_ms: round(percentile(sorted, 99)) };
};

interface ServingProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

interface ServingMode {
  maxBatchSize: number;
  maxLatencyMs: number;
  /** Merged batches on an inference worker thread. */
  worker?: boolean;
}

const spawnServing = async (model: string, batching?: ServingMode): Promise<ServingProcess> => {
  const args = ["--import", "tsx", serverMain, model];
  if (batching) args.push(String(batching.maxBatchSize), String(batching.maxLatencyMs), batching.worker ? "worker" : "main");
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /LISTENING (\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`serving server exited with ${code} before listening: ${stderr}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    },
  };
};

/** One feature row per request, different rows so nothing can be cached along the way. */
const rows = (width: number, count: number): number[][] => {
  const values = randomFloats(width * count, 99);
  return Array.from({ length: count }, (_, i) => Array.from(values.subarray(i * width, (i + 1) * width)));
};

const baseline = async (file: string, width: number) => {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential" });
  const inputName = session.inputNames[0] ?? "x";
  const data = rows(width, 64).map((row) => new ort.Tensor("float32", Float32Array.from(row), [1, width]));
  for (let i = 0; i < 2000; i += 1) await session.run({ [inputName]: data[i % data.length] as ort.Tensor });
  const times: number[] = [];
  for (let i = 0; i < BASELINE_ITERATIONS; i += 1) {
    const started = performance.now();
    await session.run({ [inputName]: data[i % data.length] as ort.Tensor });
    times.push(performance.now() - started);
  }
  await session.release();
  return summary(times);
};

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

const post = (url: string, body: string): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const request = http.request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.once("error", reject);
    request.end(body);
  });

const get = async (url: string): Promise<unknown> => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
};

/** The standalone server's one model name, from the OIP (the server metadata does not list models; /invocations does not care). */
const modelName = async (url: string, file: string): Promise<string> => {
  const candidate = path.basename(file, ".onnx");
  await get(`${url}/v2/models/${candidate}`);
  return candidate;
};

interface Protocol {
  method?: "GET" | "POST";
  path: string;
  body: (row: number[]) => string;
}

const protocols = (name: string): Record<"mlflow" | "oip", Protocol> => ({
  mlflow: { path: "/invocations", body: (row) => JSON.stringify({ inputs: { x: [row] } }) },
  oip: {
    path: `/v2/models/${name}/infer`,
    body: (row) => JSON.stringify({ inputs: [{ name: "x", shape: [1, row.length], datatype: "FP32", data: row }] }),
  },
});

/**
 * Single-request latency of several kinds of request, interleaved (one of each per iteration, so that a slow moment
 * of the shared VM hits all of them alike), over one keep-alive connection of the raw client: node:http's own client
 * work (about 0.1 ms a request here) is not the server's and would be counted as if it were.
 */
const interleavedLatency = async (url: string, kinds: Record<string, { method: "GET" | "POST"; path: string; bodies?: string[] }>) => {
  const client = await RawHttpClient.connect(url);
  try {
    const requests = Object.entries(kinds).map(([kind, spec]) => ({
      kind,
      prebuilt: spec.bodies ? spec.bodies.map((body) => client.request(spec.method, spec.path, body)) : [client.request(spec.method, spec.path)],
    }));
    const times: Record<string, number[]> = Object.fromEntries(requests.map(({ kind }) => [kind, []]));
    for (let i = 0; i < 300 + LATENCY_ITERATIONS; i += 1) {
      for (const { kind, prebuilt } of requests) {
        const started = performance.now();
        const answer = await client.send(prebuilt[i % prebuilt.length] as Buffer);
        const elapsed = performance.now() - started;
        if (answer.status !== 200) throw new Error(`${kind}: ${answer.status} ${answer.body}`);
        if (i >= 300) (times[kind] as number[]).push(elapsed);
      }
    }
    return Object.fromEntries(Object.entries(times).map(([kind, values]) => [kind, summary(values)]));
  } finally {
    client.close();
  }
};

/** The same through node:http's client, for comparison with figures measured that way before. */
const nodeClientLatency = async (url: string, protocol: Protocol, data: number[][]) => {
  const bodies = data.map(protocol.body);
  const target = `${url}${protocol.path}`;
  for (let i = 0; i < 300; i += 1) await post(target, bodies[i % bodies.length] as string);
  const times: number[] = [];
  for (let i = 0; i < LATENCY_ITERATIONS; i += 1) {
    const started = performance.now();
    await post(target, bodies[i % bodies.length] as string);
    times.push(performance.now() - started);
  }
  return summary(times);
};

/** autocannon from this process: requests/s (each request one row) with errors counted. */
const throughput = async (url: string, protocol: Protocol, data: number[][], connections: number) => {
  const bodies = data.map(protocol.body);
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration: DURATION_S,
    requests: [
      {
        method: protocol.method ?? "POST",
        path: protocol.path,
        ...(protocol.method === "GET"
          ? {}
          : {
              headers: { "content-type": "application/json" },
              setupRequest: (request: { method?: string; path?: string; body?: string }) => ({ ...request, body: bodies[next++ % bodies.length] as string }),
            }),
      },
    ],
  });
  return {
    requests_per_s: Math.round(result.requests.average),
    latency_p50_ms: result.latency.p50,
    latency_p99_ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
};

/** The served answer must be onnxruntime's: a benchmark of a wrong answer measures nothing. */
const checkAnswer = async (url: string, file: string, name: string, row: number[]): Promise<void> => {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  const direct = await session.run({ x: new ort.Tensor("float32", Float32Array.from(row), [1, row.length]) });
  const expected = Array.from((direct[session.outputNames[0] as string] as ort.Tensor).data as Float32Array);
  await session.release();
  const answer = await post(`${url}${protocols(name).oip.path}`, protocols(name).oip.body(row));
  const served = (JSON.parse(answer.text) as { outputs: { data: number[] }[] }).outputs[0]?.data.flat() ?? [];
  if (served.length !== expected.length || served.some((value, i) => Math.abs(value - (expected[i] as number)) > 1e-6)) {
    throw new Error(`served answer ${JSON.stringify(served)} differs from onnxruntime's ${JSON.stringify(expected)}`);
  }
};

export const runServingBenchmarks = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-serving-"));
  // Other work on the machine moves these figures a lot on 2 cores: say how busy it was.
  const loadBefore = loadavg()[0] ?? 0;
  const running: ServingProcess[] = [];
  const start = async (model: string, batching?: ServingMode): Promise<ServingProcess> => {
    const server = await spawnServing(model, batching);
    running.push(server);
    return server;
  };
  try {
    const lrFile = await writeOnnxFile(dir, "logistic_regression.onnx", logisticRegressionModel());
    const mlpFile = await writeOnnxFile(dir, "mlp.onnx", mlpModel());
    const lrRows = rows(4, 256);
    const mlpRows = rows(16, 256);

    const base = { logistic_regression: await baseline(lrFile, 4), mlp: await baseline(mlpFile, 16) };

    // Single-row latency on servers with their default batching (which must not delay a lone request).
    const latency: Record<string, Record<string, { p50_ms: number; p99_ms: number; overhead_p50_ms: number; node_http_client_p50_ms: number }>> = {};
    let floor = { p50_ms: Number.NaN, p99_ms: Number.NaN };
    for (const [model, file, data] of [
      ["logistic_regression", lrFile, lrRows],
      ["mlp", mlpFile, mlpRows],
    ] as const) {
      const server = await start(file);
      const name = await modelName(server.url, file);
      await checkAnswer(server.url, file, name, data[0] as number[]);
      latency[model] = {};
      const byProtocol = protocols(name);
      const measured = await interleavedLatency(server.url, {
        floor: { method: "GET", path: "/v2/health/live" },
        mlflow: { method: "POST", path: byProtocol.mlflow.path, bodies: data.map(byProtocol.mlflow.body) },
        oip: { method: "POST", path: byProtocol.oip.path, bodies: data.map(byProtocol.oip.body) },
      });
      if (model === "logistic_regression") floor = measured.floor as typeof floor;
      for (const [protocolName, protocol] of Object.entries(byProtocol)) {
        const own = measured[protocolName] as { p50_ms: number; p99_ms: number };
        const viaNodeClient = await nodeClientLatency(server.url, protocol, data as number[][]);
        latency[model][protocolName] = { ...own, overhead_p50_ms: round(own.p50_ms - base[model].p50_ms), node_http_client_p50_ms: viaNodeClient.p50_ms };
      }
      await server.stop();
    }

    // Single-row predictions/s through OIP on the logistic regression (batching on, 64 connections).
    const lrServer = await start(lrFile, BATCH);
    const lrName = await modelName(lrServer.url, lrFile);
    const oipLr = await throughput(lrServer.url, protocols(lrName).oip, lrRows, 64);
    // The ceiling of any request on this server and machine: GET /v2/health/live, no body, no model, 64 connections.
    const httpCeiling = await throughput(lrServer.url, { method: "GET", path: "/v2/health/live", body: () => "" }, lrRows, 64);
    await lrServer.stop();

    // The MLP at concurrency 1, 16, 64 with batching off (max batch 1) and on.
    const mlpThroughput: Record<string, Record<string, Awaited<ReturnType<typeof throughput>>>> = { unbatched: {}, batched: {} };
    for (const [mode, batching] of [
      ["unbatched", { maxBatchSize: 1, maxLatencyMs: 0 }],
      ["batched", BATCH],
    ] as const) {
      const server = await start(mlpFile, batching);
      const name = await modelName(server.url, mlpFile);
      await checkAnswer(server.url, mlpFile, name, mlpRows[0] as number[]);
      for (const connections of CONCURRENCY) {
        (mlpThroughput[mode] as Record<string, Awaited<ReturnType<typeof throughput>>>)[`c${connections}`] = await throughput(
          server.url,
          protocols(name).oip,
          mlpRows,
          connections,
        );
      }
      await server.stop();
    }

    // The compute-bound MLPs at concurrency 64 only: batching off, on, and on with an inference worker thread.
    const computeModes = {
      unbatched: { maxBatchSize: 1, maxLatencyMs: 0 },
      batched: BATCH,
      batched_worker: { ...BATCH, worker: true },
    } as const;
    const compute: Record<string, { shape: string; baseline_in_process: Awaited<ReturnType<typeof baseline>>; rounds: Record<string, number[]>; median_requests_per_s: Record<string, number>; errors: number }> = {};
    for (const [model, shape] of Object.entries(COMPUTE_MLPS)) {
      const file = await writeOnnxFile(dir, `mlp_${model}.onnx`, tabularMlpModel(`mlp_${model}`, shape));
      const data = rows(shape.input, 256);
      const result = {
        shape: `${shape.input}->${shape.hidden}->${shape.hidden}->${shape.classes}`,
        baseline_in_process: await baseline(file, shape.input),
        rounds: {} as Record<string, number[]>,
        median_requests_per_s: {} as Record<string, number>,
        errors: 0,
      };
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const [mode, batching] of Object.entries(computeModes)) {
          const server = await start(file, batching);
          const name = await modelName(server.url, file);
          if (round === 0) await checkAnswer(server.url, file, name, data[0] as number[]);
          const measured = await throughput(server.url, protocols(name).oip, data, 64);
          (result.rounds[mode] ??= []).push(measured.requests_per_s);
          result.errors += measured.errors;
          await server.stop();
        }
      }
      for (const [mode, values] of Object.entries(result.rounds)) result.median_requests_per_s[mode] = median(values);
      compute[model] = result;
    }
    const gain = (model: string, mode: string): number =>
      round((compute[model]?.median_requests_per_s[mode] ?? 0) / (compute[model]?.median_requests_per_s.unbatched ?? Number.NaN), 2);

    const batchedC64 = mlpThroughput.batched?.c64?.requests_per_s ?? 0;
    const unbatchedC64 = mlpThroughput.unbatched?.c64?.requests_per_s ?? 0;
    const worstOverhead = Math.max(...Object.values(latency).flatMap((byProtocol) => Object.values(byProtocol).map((l) => l.overhead_p50_ms)));
    return {
      suite: "serving",
      machine: { cpus: cpus().length, node: process.version, onnxruntime: ort.env.versions.common, load_average_1m_before: round(loadBefore, 2) },
      settings: { latency_iterations: LATENCY_ITERATIONS, duration_s: DURATION_S, batching: BATCH },
      baseline_in_process: base,
      http_floor_get_health_live: floor,
      single_row_http: latency,
      oip_single_row_predictions_per_s: oipLr,
      http_ceiling_get_health_live_c64: httpCeiling,
      mlp_throughput_oip: mlpThroughput,
      compute_bound_mlps_c64: compute,
      ratios: {
        worst_p50_overhead_ms: round(worstOverhead),
        batched_over_unbatched_c64: round(unbatchedC64 === 0 ? Number.NaN : batchedC64 / unbatchedC64, 2),
        wide_mlp_batched_over_unbatched_c64: gain("wide", "batched"),
        wide_mlp_batched_worker_over_unbatched_c64: gain("wide", "batched_worker"),
        large_mlp_batched_over_unbatched_c64: gain("large", "batched"),
        large_mlp_batched_worker_over_unbatched_c64: gain("large", "batched_worker"),
      },
      targets: {
        p50_overhead_under_0_3_ms: worstOverhead < 0.3,
        batching_at_least_3x_at_c64_test_mlp: unbatchedC64 > 0 && batchedC64 / unbatchedC64 >= 3,
        batching_at_least_3x_at_c64_large_mlp: Math.max(gain("large", "batched"), gain("large", "batched_worker")) >= 3,
        oip_at_least_8000_predictions_per_s: oipLr.requests_per_s >= 8000,
      },
    };
  } finally {
    await Promise.all(running.map((server) => server.stop()));
    agent.destroy();
    await rm(dir, { recursive: true, force: true });
  }
};
