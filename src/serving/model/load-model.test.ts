import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import {
  fixedBatchModel,
  logisticRegressionModel,
  mlpModel,
  multiOutputClassifierModel,
  randomFloats,
  sileroVadPath,
  writeMlflowModelDir,
  writeOnnxFile,
  writePickledModelDir,
} from "../test-support/onnx-models.js";
import type { Tensor, TensorMap } from "../tensor.js";
import { loadModel, sessionSettings } from "./load-model.js";
import type { LoadedModel } from "./loaded-model.js";

let root: string;
const opened: LoadedModel[] = [];
const load = async (path: string, options = {}): Promise<LoadedModel> => {
  const m = await loadModel(path, options);
  opened.push(m);
  return m;
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "cairn-load-model-"));
});
afterAll(async () => {
  for (const m of opened) await m.close();
  await rm(root, { recursive: true, force: true });
});

/** Runs the same feeds through onnxruntime directly, as the reference. */
const direct = async (path: string, feeds: TensorMap): Promise<TensorMap> => {
  const s = await ort.InferenceSession.create(path);
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.type, t.data as Float32Array, t.dims);
    const out = await s.run(ortFeeds);
    const result: TensorMap = {};
    for (const [k, t] of Object.entries(out)) result[k] = { type: t.type as Tensor["type"], dims: Array.from(t.dims), data: t.data as Float32Array };
    return result;
  } finally {
    await s.release();
  }
};

const f32 = (dims: number[], seed: number): Tensor => ({
  type: "float32",
  dims,
  data: randomFloats(dims.reduce((a, b) => a * b, 1), seed, 3),
});

const expect400 = async (promise: Promise<unknown>, message: string): Promise<void> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CairnError);
  expect((error as CairnError).status).toBe(400);
  expect((error as CairnError).code).toBe("INVALID_PARAMETER_VALUE");
  expect((error as CairnError).message).toBe(message);
};

describe("loadModel: bare .onnx files", () => {
  it("logistic regression: metadata exact, batchable, answers equal onnxruntime's", async () => {
    const path = await writeOnnxFile(join(root, "lr"), "lr.onnx", logisticRegressionModel());
    const m = await load(path);
    expect(m.path).toBe(path);
    expect(m.inputs).toEqual([{ name: "x", type: "float32", shape: [null, 4] }]);
    expect(m.outputs).toEqual([{ name: "prob", type: "float32", shape: [null, 1] }]);
    expect(m.batchable).toBe(true);
    expect(m.notBatchableReason).toBeUndefined();
    expect(m.signatureColumns).toBeUndefined();
    expect(m.inputExample).toBeUndefined();
    const feeds = { x: f32([3, 4], 11) };
    const out = await m.run(feeds);
    expect(out).toEqual(await direct(path, feeds));
    expect(out.prob?.dims).toEqual([3, 1]);
  });

  it("MLP with dynamic batch", async () => {
    const path = await writeOnnxFile(join(root, "mlp"), "mlp.onnx", mlpModel());
    const m = await load(path);
    expect(m.inputs).toEqual([{ name: "x", type: "float32", shape: [null, 16] }]);
    expect(m.outputs).toEqual([{ name: "probabilities", type: "float32", shape: [null, 3] }]);
    expect(m.batchable).toBe(true);
    for (const rows of [1, 7, 64]) {
      const feeds = { x: f32([rows, 16], rows) };
      expect(await m.run(feeds)).toEqual(await direct(path, feeds));
    }
  });

  it("multi-output classifier: int64 label and float32 probabilities", async () => {
    const path = await writeOnnxFile(join(root, "clf"), "clf.onnx", multiOutputClassifierModel());
    const m = await load(path);
    expect(m.outputs).toEqual([
      { name: "label", type: "int64", shape: [null] },
      { name: "probabilities", type: "float32", shape: [null, 3] },
    ]);
    expect(m.batchable).toBe(true);
    const feeds = { x: f32([5, 4], 5) };
    const out = await m.run(feeds);
    expect(out).toEqual(await direct(path, feeds));
    expect(out.label?.type).toBe("int64");
    expect(out.label?.data).toBeInstanceOf(BigInt64Array);
    expect(Object.keys(out)).toEqual(["label", "probabilities"]);
  });

  it("fixed batch [1,4] is not batchable and refuses 2 rows", async () => {
    const path = await writeOnnxFile(join(root, "fixed"), "fixed.onnx", fixedBatchModel());
    const m = await load(path);
    expect(m.inputs).toEqual([{ name: "x", type: "float32", shape: [1, 4] }]);
    expect(m.batchable).toBe(false);
    expect(m.notBatchableReason).toBe("input 'x' has a fixed first dimension 1");
    const feeds = { x: f32([1, 4], 3) };
    expect(await m.run(feeds)).toEqual(await direct(path, feeds));
    await expect400(m.run({ x: f32([2, 4], 3) }), "input 'x': expected shape [1, 4], got [2, 4]");
  });

  it("Silero VAD: stateful, not batchable, int64 scalar sr accepted", async () => {
    const m = await load(sileroVadPath);
    expect(m.inputs).toEqual([
      { name: "input", type: "float32", shape: [null, null] },
      { name: "sr", type: "int64", shape: [] },
      { name: "h", type: "float32", shape: [2, null, 64] },
      { name: "c", type: "float32", shape: [2, null, 64] },
    ]);
    expect(m.outputs).toEqual([
      { name: "output", type: "float32", shape: [null, 1] },
      { name: "hn", type: "float32", shape: [2, null, 64] },
      { name: "cn", type: "float32", shape: [2, null, 64] },
    ]);
    expect(m.batchable).toBe(false);
    expect(m.notBatchableReason).toBe("input 'h' is state carried to output 'hn'");
    const feeds: TensorMap = {
      input: f32([1, 512], 42),
      sr: { type: "int64", dims: [], data: BigInt64Array.from([16000n]) },
      h: { type: "float32", dims: [2, 1, 64], data: new Float32Array(128) },
      c: { type: "float32", dims: [2, 1, 64], data: new Float32Array(128) },
    };
    const out = await m.run(feeds);
    expect(out).toEqual(await direct(sileroVadPath, feeds));
    expect(out.output?.dims).toEqual([1, 1]);
    expect(out.hn?.dims).toEqual([2, 1, 64]);
    await expect400(
      m.run({ ...feeds, sr: { type: "int64", dims: [1], data: BigInt64Array.from([16000n]) } }),
      "input 'sr': expected shape [], got [1]",
    );
  });
});

describe("loadModel: feed checks", () => {
  let m: LoadedModel;
  beforeAll(async () => {
    m = await load(await writeOnnxFile(join(root, "checks"), "lr.onnx", logisticRegressionModel()));
  });

  it("missing input", async () => {
    await expect400(m.run({}), "missing input 'x': the model expects inputs [x], got []");
  });
  it("extra input", async () => {
    await expect400(
      m.run({ x: f32([1, 4], 1), z: f32([1, 4], 1) }),
      "unexpected input 'z': the model's inputs are [x]",
    );
  });
  it("wrong element type", async () => {
    await expect400(
      m.run({ x: { type: "int64", dims: [1, 4], data: new BigInt64Array(4) } }),
      "input 'x': expected type float32, got int64",
    );
  });
  it("data array not matching the declared type", async () => {
    await expect400(
      m.run({ x: { type: "float32", dims: [1, 4], data: new Float64Array(4) } }),
      "input 'x': float32 data must be a Float32Array, got Float64Array",
    );
  });
  it("wrong rank", async () => {
    await expect400(m.run({ x: f32([4], 1) }), "input 'x': expected shape [-1, 4], got [4]");
  });
  it("wrong fixed dimension", async () => {
    await expect400(m.run({ x: f32([2, 3], 1) }), "input 'x': expected shape [-1, 4], got [2, 3]");
  });
  it("data length not matching dims", async () => {
    await expect400(
      m.run({ x: { type: "float32", dims: [2, 4], data: new Float32Array(7) } }),
      "input 'x': shape [2, 4] holds 8 values, got 7",
    );
  });
  it("NaN passes through for float inputs, as onnxruntime computes it", async () => {
    const out = await m.run({ x: { type: "float32", dims: [1, 4], data: Float32Array.from([Number.NaN, 0, 0, 0]) } });
    expect(Number.isNaN((out.prob?.data as Float32Array)[0])).toBe(true);
  });
  it("an empty batch (0 rows) is valid", async () => {
    const out = await m.run({ x: f32([0, 4], 1) });
    expect(out.prob?.dims).toEqual([0, 1]);
  });
});

describe("session thread counts", () => {
  it("cuts what an MLmodel asks for to the operator's budget, and keeps what the operator sets", () => {
    // 9 deployments of a model whose MLmodel asked for 256 threads started 2,307 threads before this budget.
    expect(sessionSettings({ maxModelThreads: 4 }, { intraOpThreads: 256, interOpThreads: 10_000 })).toEqual({ intraOpThreads: 4, interOpThreads: 4 });
    expect(sessionSettings({ maxModelThreads: 4 }, { intraOpThreads: 2 })).toEqual({ intraOpThreads: 2, interOpThreads: 1 });
    expect(sessionSettings({ maxModelThreads: 4, intraOpThreads: 8 }, { intraOpThreads: 256 })).toEqual({ intraOpThreads: 8, interOpThreads: 1 });
    expect(sessionSettings({}, { intraOpThreads: 100_000 }).intraOpThreads).toBe(availableParallelism());
    expect(() => sessionSettings({}, { intraOpThreads: -1 })).toThrow("MLmodel onnx_session_options.intra_op_num_threads must be a positive integer, got -1");
    expect(() => sessionSettings({ maxModelThreads: 0 }, {})).toThrow("maxModelThreads must be an integer between 1 and 256, got 0");
  });

  it("loads a model directory whose MLmodel asks for 100,000 threads, with the budget's", async () => {
    const dir = await writeMlflowModelDir(join(root, "mlflow-threads"), logisticRegressionModel(), {
      onnxSessionOptions: { intra_op_num_threads: 100_000, inter_op_num_threads: 100_000 },
    });
    const m = await loadModel(dir, { maxModelThreads: 2 });
    const feeds = { x: f32([2, 4], 5) };
    expect(await m.run(feeds)).toEqual(await direct(join(dir, "model.onnx"), feeds));
    await m.close();
  });
});

describe("loadModel: MLflow model directories", () => {
  it("reads the onnx flavor, a column signature and the input example", async () => {
    const dir = await writeMlflowModelDir(join(root, "mlflow-cols"), logisticRegressionModel(), {
      signature: {
        inputs: ["a", "b", "c", "d"].map((name) => ({ name, type: "float", required: true })),
        outputs: [{ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 1] } }],
      },
      inputExample: { columns: ["a", "b", "c", "d"], data: [[1, 2, 3, 4]] },
      inputExampleType: "dataframe",
    });
    const m = await load(dir);
    expect(m.path).toBe(dir);
    expect(m.signatureColumns).toEqual(["a", "b", "c", "d"]);
    expect(m.signature).toEqual({
      inputs: ["a", "b", "c", "d"].map((name) => ({ kind: "column", name, type: "float", required: true })),
      outputs: [{ kind: "tensor", dtype: "float32", shape: [-1, 1] }],
    });
    expect(m.inputExample).toEqual({ columns: ["a", "b", "c", "d"], data: [[1, 2, 3, 4]] });
    expect(m.inputs).toEqual([{ name: "x", type: "float32", shape: [null, 4] }]);
    const feeds = { x: f32([2, 4], 8) };
    expect(await m.run(feeds)).toEqual(await direct(join(dir, "model.onnx"), feeds));
  });

  it("reads a tensor signature (no signature columns)", async () => {
    const dir = await writeMlflowModelDir(join(root, "mlflow-tensor"), mlpModel(), {
      signature: {
        inputs: [{ name: "x", type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 16] } }],
        outputs: [{ name: "probabilities", type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 3] } }],
      },
      inputExample: { inputs: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]] },
    });
    const m = await load(dir);
    expect(m.signatureColumns).toBeUndefined();
    expect(m.signature?.inputs).toEqual([{ kind: "tensor", name: "x", dtype: "float32", shape: [-1, 16] }]);
    expect(m.inputExample).toEqual({ inputs: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]] });
  });

  it("a directory without a signature or example", async () => {
    const m = await load(await writeMlflowModelDir(join(root, "mlflow-plain"), multiOutputClassifierModel()));
    expect(m.signature).toBeUndefined();
    expect(m.inputExample).toBeUndefined();
    expect(m.outputs.map((o) => o.name)).toEqual(["label", "probabilities"]);
  });

  it("refuses a pickled (sklearn) model directory", async () => {
    const dir = await writePickledModelDir(join(root, "pickled"));
    await expect400(
      loadModel(dir),
      "Cairn executes only ONNX models; this model's flavors are [sklearn, python_function]: loading a pickled model would run arbitrary code. Log it with mlflow.onnx.log_model.",
    );
  });

  it("refuses pickle files by extension", async () => {
    for (const ext of [".pkl", ".pickle", ".joblib", ".cloudpickle"]) {
      const file = join(root, `model${ext}`);
      await writeFile(file, "x");
      await expect400(
        loadModel(file),
        `Cairn executes only ONNX models; ${file} is a pickle file (${ext}): loading a pickled model would run arbitrary code. Log it with mlflow.onnx.log_model.`,
      );
    }
  });

  it("confines flavor data to the model directory", async () => {
    const dir = await writeMlflowModelDir(join(root, "escape"), logisticRegressionModel(), { dataPath: "../../etc/passwd" });
    await expect400(loadModel(dir), "flavors.onnx.data '../../etc/passwd' points outside the model directory");
    const abs = await writeMlflowModelDir(join(root, "escape-abs"), logisticRegressionModel(), { dataPath: "/etc/passwd" });
    await expect400(loadModel(abs), "flavors.onnx.data '/etc/passwd' must be a relative path inside the model directory");
    const outsideFile = await writeOnnxFile(join(root, "outside"), "secret.onnx", logisticRegressionModel());
    const linked = await writeMlflowModelDir(join(root, "escape-link"), logisticRegressionModel(), { dataPath: "link.onnx" });
    await symlink(outsideFile, join(linked, "link.onnx"));
    await expect400(loadModel(linked), "flavors.onnx.data 'link.onnx' points outside the model directory (through a symlink)");
  });

  it("a directory without MLmodel, a missing path, a non-ONNX file and a corrupt ONNX file are clear errors", async () => {
    const empty = join(root, "empty");
    await mkdir(empty, { recursive: true });
    await expect400(
      loadModel(empty),
      `model directory ${empty} has no MLmodel file (expected an MLflow model directory or a .onnx file)`,
    );
    const missing = await loadModel(join(root, "nope")).catch((e: unknown) => e);
    expect((missing as CairnError).status).toBe(404);
    const txt = join(root, "model.txt");
    await writeFile(txt, "hello");
    await expect400(loadModel(txt), `model path ${txt}: expected a .onnx file or an MLflow model directory with an MLmodel file`);
    const corrupt = join(root, "corrupt.onnx");
    await writeFile(corrupt, "not protobuf at all");
    const error = (await loadModel(corrupt).catch((e: unknown) => e)) as CairnError;
    expect(error.status).toBe(400);
    expect(error.message.startsWith(`could not load ONNX model ${corrupt}: `)).toBe(true);
  });

  it("refuses an MLmodel file over 1 MiB, with deep nesting or with too many aliases before building it", async () => {
    const big = join(root, "big-mlmodel");
    await mkdir(big, { recursive: true });
    await writeFile(join(big, "MLmodel"), `flavors: {}\nx: ${"a".repeat(1024 * 1024)}\n`);
    await expect400(loadModel(big), `${big}/MLmodel is 1048592 bytes, more than the limit of 1048576`);
    const deep = join(root, "deep-mlmodel");
    await mkdir(deep, { recursive: true });
    await writeFile(join(deep, "MLmodel"), `flavors: ${"[".repeat(50_000)}\n`);
    await expect400(loadModel(deep), `${deep}/MLmodel is nested deeper than the limit of 64 levels`);
    const laughs = join(root, "laughs-mlmodel");
    await mkdir(laughs, { recursive: true });
    const rows = Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(", ")}]`);
    await writeFile(join(laughs, "MLmodel"), `l0: &l0 [lol]\n${rows.join("\n")}\nflavors: {}\n`);
    await expect400(loadModel(laughs), `${laughs}/MLmodel has more than 50 aliases`);
  });

  it("refuses bad thread settings", async () => {
    const path = await writeOnnxFile(join(root, "threads"), "lr.onnx", logisticRegressionModel());
    await expect400(loadModel(path, { intraOpThreads: 0 }), "intraOpThreads must be an integer between 1 and 256, got 0");
  });
});

describe("loadModel: one executor process per loaded model", () => {
  it("runs in a process of its own, which close() stops", async () => {
    const { ModelExecutor } = await import("../runtime/model-executor.js");
    const path = await writeOnnxFile(join(root, "own-process"), "lr.onnx", logisticRegressionModel());
    const before = ModelExecutor.running;
    const a = await loadModel(path);
    const b = await loadModel(path);
    expect(ModelExecutor.running).toBe(before + 2);
    expect(a.executor?.pid).toBeGreaterThan(0);
    expect(a.executor?.pid).not.toBe(process.pid);
    expect(a.executor?.pid).not.toBe(b.executor?.pid);
    expect(a.mergedRunsOffThread).toBe(true);
    await a.close();
    await a.close(); // idempotent
    expect(ModelExecutor.running).toBe(before + 1);
    await b.close();
    expect(ModelExecutor.running).toBe(before);
  });
});

describe("loadModel: external tensor data (mlflow.onnx.log_model's default save_as_external_data=True)", () => {
  it("loads weights stored next to model.onnx and answers as onnxruntime does", async () => {
    const { buildOnnxModelWithExternalData, mlpGraph } = await import("../test-support/onnx-models.js");
    const { model, data } = buildOnnxModelWithExternalData(mlpGraph(), "model.onnx.data");
    expect(data.length).toBe(16 * 32 * 4);
    const dir = await writeMlflowModelDir(join(root, "external"), model, { extraFiles: { "model.onnx.data": data } });
    const m = await load(dir);
    const feeds = { x: f32([4, 16], 77) };
    const out = await m.run(feeds);
    expect(out).toEqual(await direct(join(dir, "model.onnx"), feeds));
    // Same weights as the self-contained MLP.
    const inline = await load(await writeOnnxFile(join(root, "external-inline"), "mlp.onnx", mlpModel()));
    expect(await inline.run(feeds)).toEqual(out);
  });

  it("external data pointing outside the model directory is refused", async () => {
    const { buildOnnxModelWithExternalData, mlpGraph } = await import("../test-support/onnx-models.js");
    const { model, data } = buildOnnxModelWithExternalData(mlpGraph(), "../outside.data");
    await writeFile(join(root, "outside.data"), data);
    const dir = await writeMlflowModelDir(join(root, "external-escape"), model);
    const error = (await loadModel(dir).catch((e: unknown) => e)) as CairnError;
    expect(error).toBeInstanceOf(CairnError);
    expect(error.status).toBe(400);
    // onnxruntime 1.30 itself validates external data locations; Cairn relies on it and pins the behaviour here.
    expect(error.message).toContain("External data path escapes model directory");
  });
});
