import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as ort from "onnxruntime-node";
import { AdaptiveBatcher } from "../src/serving/batching/adaptive-batcher.js";
import { loadModel } from "../src/serving/model/load-model.js";
import type { LoadedModel } from "../src/serving/model/loaded-model.js";
import { fromOrtOutputs, toOrtFeeds } from "../src/serving/runtime/ort-tensors.js";
import { ortSessionOptions } from "../src/serving/runtime/session-options.js";
import { logisticRegressionModel, writeOnnxFile } from "../src/serving/test-support/onnx-models.js";
import type { TensorMap } from "../src/serving/tensor.js";
import { percentile } from "./stats.js";

const SEQUENTIAL = 3000;
const CONCURRENT = 20_000;
const IN_FLIGHT = 16;

const feeds = (): TensorMap => ({ x: { type: "float32", dims: [1, 4], data: new Float32Array([0.1, 0.2, 0.3, 0.4]) } });

interface Figures {
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
}

/** One small request at a time (latency), then IN_FLIGHT at a time (throughput). */
const measure = async (run: (feeds: TensorMap) => Promise<TensorMap>): Promise<Figures> => {
  for (let i = 0; i < 300; i++) await run(feeds());
  const latencies: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const started = performance.now();
    await run(feeds());
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < CONCURRENT) await run(feeds());
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const round = (n: number): number => Number(n.toFixed(4));
  return { p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), requestsPerSecond: Math.round(CONCURRENT / seconds) };
};

/**
 * The price of isolation: a single small request (logistic regression, 1 row) run on the event loop as Cairn did
 * before (an onnxruntime session in the server's process) against the same request through the model's executor
 * process (IPC both ways, V8-serialized). Same model, same thread settings, same run.
 */
export const runModelIsolationBenchmarks = async (): Promise<unknown> => {
  const dir = await mkdtemp(join(tmpdir(), "cairn-bench-isolation-"));
  try {
    const path = await writeOnnxFile(dir, "lr.onnx", logisticRegressionModel());
    const settings = { intraOpThreads: 1, interOpThreads: 1 };
    const session = await ort.InferenceSession.create(path, ortSessionOptions(settings));
    const inProcess = async (f: TensorMap): Promise<TensorMap> => fromOrtOutputs(await session.run(toOrtFeeds(f)), session.outputNames);
    const eventLoop = await measure(inProcess);
    const model = await loadModel(path, settings);
    const executor = await measure((f) => model.run(f));
    // What a deployment runs: the adaptive batcher in front, which merges concurrent requests into one run (one IPC
    // round trip for many requests). Same model and specs; the baseline runs in this process as before.
    const baselineModel: LoadedModel = { ...model, run: inProcess, runMerged: inProcess, mergedRunsOffThread: false };
    const batchedBaseline = new AdaptiveBatcher(baselineModel, {});
    const batchedEventLoop = await measure((f) => batchedBaseline.run(f));
    const batchedExecutor = new AdaptiveBatcher(model, {});
    const batchedIsolated = await measure((f) => batchedExecutor.run(f));
    batchedBaseline.drain();
    batchedExecutor.drain();
    await session.release();
    await model.close();
    return {
      benchmark: "model-isolation",
      model: "logistic regression, 1 row x 4 features",
      sequentialRequests: SEQUENTIAL,
      concurrentRequests: CONCURRENT,
      inFlight: IN_FLIGHT,
      baseline_event_loop: eventLoop,
      executor_process: executor,
      ratio: {
        p50Latency: Number((executor.p50Ms / eventLoop.p50Ms).toFixed(2)),
        p99Latency: Number((executor.p99Ms / eventLoop.p99Ms).toFixed(2)),
        throughput: Number((executor.requestsPerSecond / eventLoop.requestsPerSecond).toFixed(2)),
      },
      addedP50Ms: Number((executor.p50Ms - eventLoop.p50Ms).toFixed(4)),
      batched: {
        baseline_event_loop: batchedEventLoop,
        executor_process: batchedIsolated,
        ratio: {
          p50Latency: Number((batchedIsolated.p50Ms / batchedEventLoop.p50Ms).toFixed(2)),
          throughput: Number((batchedIsolated.requestsPerSecond / batchedEventLoop.requestsPerSecond).toFixed(2)),
        },
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
