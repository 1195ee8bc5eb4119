import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import { loadModel } from "../model/load-model.js";
import type { LoadedModel } from "../model/loaded-model.js";
import type { TensorMap } from "../tensor.js";
import {
  fixedBatchModel,
  identityModel,
  mlpModel,
  multiOutputClassifierModel,
  randomFloats,
  sileroVadPath,
  writeOnnxFile,
} from "../test-support/onnx-models.js";
import { AdaptiveBatcher, type BatchObserver } from "./adaptive-batcher.js";

let dir: string;
let mlpPath: string;
let classifierPath: string;
let fixedPath: string;
let mlp: LoadedModel;
let classifier: LoadedModel;

const recorder = (): BatchObserver & { batches: Array<[number, number]>; depths: number[] } => {
  const batches: Array<[number, number]> = [];
  const depths: number[] = [];
  return { batches, depths, batch: (rows, requests) => batches.push([rows, requests]), queueDepth: (d) => depths.push(d) };
};

const row = (width: number, seed: number): TensorMap => ({
  x: { type: "float32", dims: [1, width], data: randomFloats(width, seed) },
});

/** onnxruntime-node called directly, as the reference every answer is compared with. */
const direct = async (path: string, feeds: TensorMap): Promise<Record<string, { dims: readonly number[]; data: unknown }>> => {
  const session = await ort.InferenceSession.create(path);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type as "float32", t.data as Float32Array, t.dims);
  const result = await session.run(ortFeeds);
  const out: Record<string, { dims: readonly number[]; data: unknown }> = {};
  for (const [name, t] of Object.entries(result)) out[name] = { dims: [...t.dims], data: Array.from(t.data as ArrayLike<unknown>) };
  await session.release();
  return out;
};

const plain = (outputs: TensorMap): Record<string, { dims: readonly number[]; data: unknown }> =>
  Object.fromEntries(Object.entries(outputs).map(([n, t]) => [n, { dims: [...t.dims], data: Array.from(t.data as ArrayLike<unknown>) }]));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-batcher-"));
  mlpPath = await writeOnnxFile(dir, "mlp.onnx", mlpModel());
  classifierPath = await writeOnnxFile(dir, "classifier.onnx", multiOutputClassifierModel());
  fixedPath = await writeOnnxFile(dir, "fixed.onnx", fixedBatchModel());
  mlp = await loadModel(mlpPath);
  classifier = await loadModel(classifierPath);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("AdaptiveBatcher", () => {
  it("merges concurrent requests into batches of at most maxBatchSize rows; answers equal one-by-one and onnxruntime", async () => {
    const observer = recorder();
    const batcher = new AdaptiveBatcher(mlp, { maxBatchSize: 16, maxLatencyMs: 5 }, observer);
    expect(batcher.batching).toBe(true);
    const requests = Array.from({ length: 40 }, (_, i) => row(16, 100 + i));
    const answers = await Promise.all(requests.map((feeds) => batcher.run(feeds)));
    // 16 rows trigger a run at once, twice; the last 8 go when the runtime becomes free.
    expect(observer.batches).toEqual([[16, 16], [16, 16], [8, 8]]);
    expect(observer.depths.at(-1)).toBe(0);
    for (let i = 0; i < requests.length; i += 1) {
      const feeds = requests[i] as TensorMap;
      const oneByOne = plain(await mlp.run(feeds));
      expect(plain(answers[i] as TensorMap)).toEqual(oneByOne);
      if (i % 8 === 0) expect(oneByOne).toEqual(await direct(mlpPath, feeds));
    }
  });

  it("merges multi-row requests and splits every output (int64 labels and float probabilities) by row counts", async () => {
    const observer = recorder();
    const batcher = new AdaptiveBatcher(classifier, { maxBatchSize: 32 }, observer);
    const requests: TensorMap[] = [1, 3, 2, 5].map((rows, i) => ({
      x: { type: "float32", dims: [rows, 4], data: randomFloats(rows * 4, 7 + i, 2) },
    }));
    const answers = await Promise.all(requests.map((feeds) => batcher.run(feeds)));
    expect(observer.batches).toEqual([[11, 4]]);
    for (let i = 0; i < requests.length; i += 1) {
      const answer = answers[i] as TensorMap;
      expect(answer.label?.data).toBeInstanceOf(BigInt64Array);
      expect(plain(answer)).toEqual(await direct(classifierPath, requests[i] as TensorMap));
    }
  });

  it("batches int64 and string tensors through the runtime", async () => {
    for (const [type, make] of [
      ["int64", (i: number) => BigInt64Array.from([BigInt(i), -(2n ** 50n) + BigInt(i)])],
      ["string", (i: number) => [`a${i}`, `ü${i}`]],
    ] as const) {
      const path = await writeOnnxFile(dir, `identity-${type}.onnx`, identityModel(type));
      const model = await loadModel(path);
      const observer = recorder();
      const batcher = new AdaptiveBatcher(model, {}, observer);
      const requests: TensorMap[] = Array.from({ length: 5 }, (_, i) => ({ x: { type, dims: [1, 2], data: make(i) } }));
      const answers = await Promise.all(requests.map((feeds) => batcher.run(feeds)));
      expect(observer.batches).toEqual([[5, 5]]);
      answers.forEach((answer, i) => expect(answer.y).toEqual({ type, dims: [1, 2], data: make(i) }));
    }
  });

  it("never merges for a fixed batch dimension, nor for stateful Silero VAD", async () => {
    const fixed = await loadModel(fixedPath);
    expect(fixed.batchable).toBe(false);
    const observer = recorder();
    const batcher = new AdaptiveBatcher(fixed, { maxBatchSize: 32 }, observer);
    const requests = Array.from({ length: 6 }, (_, i) => ({ x: { type: "float32" as const, dims: [1, 4], data: randomFloats(4, i) } }));
    const answers = await Promise.all(requests.map((feeds) => batcher.run(feeds)));
    expect(observer.batches).toEqual(Array.from({ length: 6 }, () => [1, 1]));
    for (let i = 0; i < 6; i += 1) expect(plain(answers[i] as TensorMap)).toEqual(await direct(fixedPath, requests[i] as TensorMap));

    const vad = await loadModel(sileroVadPath);
    expect(vad.batchable).toBe(false);
    const vadObserver = recorder();
    const vadBatcher = new AdaptiveBatcher(vad, {}, vadObserver);
    const vadFeeds = (seed: number): TensorMap => ({
      input: { type: "float32", dims: [1, 512], data: randomFloats(512, seed, 0.3) },
      sr: { type: "int64", dims: [], data: BigInt64Array.from([16000n]) },
      h: { type: "float32", dims: [2, 1, 64], data: new Float32Array(128) },
      c: { type: "float32", dims: [2, 1, 64], data: new Float32Array(128) },
    });
    const vadAnswers = await Promise.all([1, 2, 3].map((seed) => vadBatcher.run(vadFeeds(seed))));
    expect(vadObserver.batches).toEqual([[1, 1], [1, 1], [1, 1]]);
    for (let i = 0; i < 3; i += 1) {
      const reference = await direct(sileroVadPath, vadFeeds(i + 1));
      expect(plain(vadAnswers[i] as TensorMap).output).toEqual(reference.output);
    }
  });

  it("a malformed request runs alone and gets the model's 400; its batch mates are answered", async () => {
    const observer = recorder();
    const batcher = new AdaptiveBatcher(mlp, {}, observer);
    const good = [row(16, 1), row(16, 2), row(16, 3)];
    const bad: TensorMap = { x: { type: "float32", dims: [1, 15], data: new Float32Array(15) } };
    const settled = await Promise.allSettled([batcher.run(good[0] as TensorMap), batcher.run(bad), batcher.run(good[1] as TensorMap), batcher.run(good[2] as TensorMap)]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const reason = (settled[1] as PromiseRejectedResult).reason as CairnError;
    expect(reason).toBeInstanceOf(CairnError);
    expect(reason.status).toBe(400);
    expect(reason.message).toContain("x");
    expect(observer.batches).toContainEqual([3, 3]);
    for (let i = 0; i < 3; i += 1) {
      expect(plain((settled[i === 0 ? 0 : i + 1] as PromiseFulfilledResult<TensorMap>).value)).toEqual(plain(await mlp.run(good[i] as TensorMap)));
    }
  });

  it("when a merged run fails, each member is retried alone: only the bad one fails", async () => {
    // The real MLP behind a gate that refuses a value at run time (as a runtime error on one row's data would).
    const gate = async (feeds: TensorMap): Promise<TensorMap> => {
      if ((feeds.x?.data as Float32Array).includes(-7)) throw new CairnError("INVALID_PARAMETER_VALUE", "input 'x': -7 is refused");
      return mlp.run(feeds);
    };
    const refusing: LoadedModel = { ...mlp, run: gate, runMerged: gate };
    const observer = recorder();
    const batcher = new AdaptiveBatcher(refusing, {}, observer);
    const poisoned: TensorMap = { x: { type: "float32", dims: [1, 16], data: new Float32Array(16).fill(-7) } };
    const good = [row(16, 11), row(16, 12)];
    const settled = await Promise.allSettled([batcher.run(good[0] as TensorMap), batcher.run(poisoned), batcher.run(good[1] as TensorMap)]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(((settled[1] as PromiseRejectedResult).reason as Error).message).toBe("input 'x': -7 is refused");
    expect(observer.batches).toEqual([[3, 3]]);
    expect(plain((settled[2] as PromiseFulfilledResult<TensorMap>).value)).toEqual(plain(await mlp.run(good[1] as TensorMap)));
  });

  it("forms batches from requests that arrive while the runtime is busy, up to maxLatencyMs", async () => {
    const observer = recorder();
    const batcher = new AdaptiveBatcher(mlp, { maxBatchSize: 64, maxLatencyMs: 2 }, observer);
    // 64 callers, each sending its next request when the previous answer arrives: a closed loop as a load generator.
    const perCaller = 20;
    await Promise.all(
      Array.from({ length: 64 }, async (_, caller) => {
        for (let i = 0; i < perCaller; i += 1) await batcher.run(row(16, caller * 1000 + i));
      }),
    );
    const rows = observer.batches.reduce((sum, [r]) => sum + r, 0);
    expect(rows).toBe(64 * perCaller);
    const mean = rows / observer.batches.length;
    console.log(`64 closed-loop callers: ${observer.batches.length} runtime calls for ${rows} requests, mean batch ${mean.toFixed(1)}`);
    // Under this load nearly every call is a batch of many requests.
    expect(mean).toBeGreaterThan(16);
  });

  it("costs a lone request at low load next to nothing over a direct run", async () => {
    const batcher = new AdaptiveBatcher(mlp, { maxBatchSize: 32, maxLatencyMs: 2 });
    const feeds = row(16, 5);
    const time = async (run: () => Promise<unknown>): Promise<number[]> => {
      const samples: number[] = [];
      for (let i = 0; i < 2000; i += 1) {
        const start = performance.now();
        await run();
        samples.push((performance.now() - start) * 1000);
      }
      return samples.sort((a, b) => a - b);
    };
    await time(() => mlp.run(feeds)); // warm-up
    const unbatched = await time(() => mlp.run(feeds));
    const batched = await time(() => batcher.run(feeds));
    const p50 = (s: number[]): number => s[Math.floor(s.length / 2)] as number;
    const p99 = (s: number[]): number => s[Math.floor(s.length * 0.99)] as number;
    console.log(
      `single request, sequential: direct p50 ${p50(unbatched).toFixed(1)} µs p99 ${p99(unbatched).toFixed(1)} µs; ` +
        `through the batcher p50 ${p50(batched).toFixed(1)} µs p99 ${p99(batched).toFixed(1)} µs`,
    );
    // Never the 2 ms maxLatency: the idle runtime takes a lone request at once.
    expect(p50(batched)).toBeLessThan(p50(unbatched) + 100);
  });

  it("with an inference worker, merges concurrent requests and answers each exactly as the main thread does", async () => {
    const withWorker = await loadModel(mlpPath, { inferenceWorker: true });
    try {
      expect(withWorker.mergedRunsOffThread).toBe(true);
      const observer = recorder();
      const batcher = new AdaptiveBatcher(withWorker, { maxBatchSize: 64 }, observer);
      const requests = Array.from({ length: 40 }, (_, i) => row(16, 100 + i));
      const answers = await Promise.all(requests.map((feeds) => batcher.run(feeds)));
      for (let i = 0; i < requests.length; i += 1) {
        expect(plain(answers[i] as TensorMap)).toEqual(plain(await mlp.run(row(16, 100 + i))));
      }
      // Issued in one turn, the 40 requests go as one merged run.
      expect(observer.batches).toEqual([[40, 40]]);
    } finally {
      await withWorker.close();
    }
  });
});
