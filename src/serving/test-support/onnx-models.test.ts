import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import {
  fixedBatchModel,
  identityModel,
  logisticRegressionModel,
  mlpModel,
  multiOutputClassifierModel,
  randomFloats,
  writeOnnxFile,
} from "./onnx-models.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const session = async (bytes: Uint8Array): Promise<ort.InferenceSession> => {
  const dir = await mkdtemp(join(tmpdir(), "cairn-onnx-"));
  dirs.push(dir);
  return ort.InferenceSession.create(await writeOnnxFile(dir, "m.onnx", bytes));
};

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

describe("ONNX test-model builders", () => {
  it("logistic regression computes sigmoid(x·W + b) for a dynamic batch", async () => {
    const s = await session(logisticRegressionModel());
    expect(s.inputMetadata).toEqual([{ name: "x", isTensor: true, type: "float32", shape: ["batch", 4] }]);
    expect(s.outputMetadata).toEqual([{ name: "prob", isTensor: true, type: "float32", shape: ["batch", 1] }]);
    const x = Float32Array.from([1, 2, 3, 4, -1, 0.5, 0, 2]);
    const out = await s.run({ x: new ort.Tensor("float32", x, [2, 4]) });
    const w = randomFloats(4, 1, 2);
    const b = randomFloats(1, 1001, 0.5)[0] ?? 0;
    const prob = out.prob as ort.Tensor;
    expect(prob.dims).toEqual([2, 1]);
    for (let r = 0; r < 2; r++) {
      let z = b;
      for (let j = 0; j < 4; j++) z += (x[r * 4 + j] ?? 0) * (w[j] ?? 0);
      expect((prob.data as Float32Array)[r]).toBeCloseTo(sigmoid(z), 5);
    }
  });

  it("MLP returns a softmax over 3 classes per row", async () => {
    const s = await session(mlpModel());
    const out = await s.run({ x: new ort.Tensor("float32", randomFloats(5 * 16, 9), [5, 16]) });
    const p = out.probabilities as ort.Tensor;
    expect(p.dims).toEqual([5, 3]);
    const data = p.data as Float32Array;
    for (let r = 0; r < 5; r++) expect((data[r * 3] ?? 0) + (data[r * 3 + 1] ?? 0) + (data[r * 3 + 2] ?? 0)).toBeCloseTo(1, 5);
  });

  it("multi-output classifier: label is the argmax of probabilities", async () => {
    const s = await session(multiOutputClassifierModel());
    expect(s.outputNames).toEqual(["label", "probabilities"]);
    const out = await s.run({ x: new ort.Tensor("float32", randomFloats(3 * 4, 7, 3), [3, 4]) });
    const label = out.label as ort.Tensor;
    const probs = (out.probabilities as ort.Tensor).data as Float32Array;
    expect(label.type).toBe("int64");
    expect(label.dims).toEqual([3]);
    for (let r = 0; r < 3; r++) {
      const row = Array.from(probs.slice(r * 3, r * 3 + 3));
      expect((label.data as BigInt64Array)[r]).toBe(BigInt(row.indexOf(Math.max(...row))));
    }
  });

  it("fixed batch model declares [1,4]", async () => {
    const s = await session(fixedBatchModel());
    expect(s.inputMetadata).toEqual([{ name: "x", isTensor: true, type: "float32", shape: [1, 4] }]);
    const out = await s.run({ x: new ort.Tensor("float32", Float32Array.from([1, 2, 3, 4]), [1, 4]) });
    expect((out.prob as ort.Tensor).dims).toEqual([1, 1]);
  });

  it("identity model round-trips int64, bool and string", async () => {
    const i64 = await session(identityModel("int64"));
    const o1 = await i64.run({ x: new ort.Tensor("int64", BigInt64Array.from([1n, -2n]), [1, 2]) });
    expect(Array.from((o1.y as ort.Tensor).data as BigInt64Array)).toEqual([1n, -2n]);
    const bool = await session(identityModel("bool"));
    const o2 = await bool.run({ x: new ort.Tensor("bool", Uint8Array.from([1, 0]), [1, 2]) });
    expect(Array.from((o2.y as ort.Tensor).data as Uint8Array)).toEqual([1, 0]);
    const str = await session(identityModel("string"));
    const o3 = await str.run({ x: new ort.Tensor("string", ["a", "b"], [1, 2]) });
    expect((o3.y as ort.Tensor).data).toEqual(["a", "b"]);
  });
});
