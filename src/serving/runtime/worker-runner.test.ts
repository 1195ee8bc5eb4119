import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import { loadModel } from "../model/load-model.js";
import { fixedBatchModel, mlpModel, multiOutputClassifierModel, randomFloats, writeOnnxFile } from "../test-support/onnx-models.js";
import { WorkerRunner } from "./worker-runner.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "cairn-worker-runner-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const settings = { intraOpThreads: 1, interOpThreads: 1 };

describe("inference worker", () => {
  it("answers merged batches exactly as onnxruntime does on the main thread", async () => {
    const path = await writeOnnxFile(root, "mlp.onnx", mlpModel());
    const model = await loadModel(path, { inferenceWorker: true });
    expect(WorkerRunner.running).toBe(1);
    try {
      const data = randomFloats(16 * 5, 41);
      const reference = await (await ort.InferenceSession.create(path)).run({ x: new ort.Tensor("float32", data.slice(), [5, 16]) });
      const outputs = await model.runMerged({ x: { type: "float32", dims: [5, 16], data: data.slice() } });
      const expected = reference[Object.keys(reference)[0] as string] as ort.Tensor;
      const served = Object.values(outputs)[0];
      expect(served?.dims).toEqual([5, 3]);
      expect(Array.from(served?.data as Float32Array)).toEqual(Array.from(expected.data as Float32Array));
    } finally {
      await model.close();
    }
  });

  it("keeps the order of concurrent runs and the int64 labels of a multi-output classifier", async () => {
    const path = await writeOnnxFile(root, "classifier.onnx", multiOutputClassifierModel());
    const model = await loadModel(path, { inferenceWorker: true });
    try {
      const batches = [1, 2, 3, 4].map((rows, i) => ({ x: { type: "float32" as const, dims: [rows, 4], data: randomFloats(rows * 4, 50 + i) } }));
      const onMain = await Promise.all(batches.map((feeds) => model.run({ x: { ...feeds.x, data: feeds.x.data.slice() } })));
      const onWorker = await Promise.all(batches.map((feeds) => model.runMerged(feeds)));
      expect(onWorker).toEqual(onMain);
      expect(onWorker.map((outputs) => Object.values(outputs).map((tensor) => tensor.type))[0]).toEqual(Object.values(onMain[0] ?? {}).map((tensor) => tensor.type));
    } finally {
      await model.close();
    }
  });

  it("checks merged feeds on the main thread: a wrong shape is the usual 400 naming the input", async () => {
    const path = await writeOnnxFile(root, "mlp-check.onnx", mlpModel());
    const model = await loadModel(path, { inferenceWorker: true });
    try {
      const error = await model.runMerged({ x: { type: "float32", dims: [2, 5], data: new Float32Array(10) } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CairnError);
      expect((error as CairnError).status).toBe(400);
      expect((error as CairnError).message).toContain("'x'");
    } finally {
      await model.close();
    }
  });

  it("is not started for a model whose batch dimension is fixed (runMerged then runs on the main thread)", async () => {
    const path = await writeOnnxFile(root, "fixed.onnx", fixedBatchModel());
    const model = await loadModel(path, { inferenceWorker: true });
    try {
      expect(model.batchable).toBe(false);
      expect(WorkerRunner.running).toBe(0);
      const feeds = { x: { type: "float32" as const, dims: [1, 4], data: randomFloats(4, 3) } };
      expect(await model.runMerged(feeds)).toEqual(await model.run(feeds));
    } finally {
      await model.close();
    }
  });

  it("refuses a file onnxruntime cannot load with a 400 that names it, and rejects runs after close", async () => {
    const bad = join(root, "not-a-model.onnx");
    await (await import("node:fs/promises")).writeFile(bad, "not protobuf");
    const error = await WorkerRunner.start(bad, settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).message).toContain("not-a-model.onnx");

    const runner = await WorkerRunner.start(await writeOnnxFile(root, "mlp-close.onnx", mlpModel()), settings);
    await runner.close();
    await expect(runner.run({ x: { type: "float32", dims: [1, 16], data: new Float32Array(16) } })).rejects.toThrow(/closed/);
  });
});
