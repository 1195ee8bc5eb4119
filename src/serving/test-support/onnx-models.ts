import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { stringify } from "yaml";
import type { ElementType } from "../tensor.js";
import { ProtoWriter } from "./protobuf-writer.js";

/**
 * Real ONNX files for tests, written from scratch (ModelProto -> GraphProto -> NodeProto/TensorProto/ValueInfoProto,
 * opset 13, IR version 8), and MLflow model directories laid out as `mlflow.onnx.log_model` lays them out.
 * Weights come from a seeded generator so every run builds byte-identical models.
 *
 * Models (all float32 input `x`, a symbolic first dimension `batch` unless said otherwise):
 * - logisticRegressionModel(): x [batch,4] -> Gemm -> Sigmoid -> `prob` [batch,1]
 * - mlpModel():                x [batch,16] -> Gemm 32 -> Relu -> Gemm 3 -> Softmax -> `probabilities` [batch,3]
 * - multiOutputClassifierModel(): x [batch,4] -> `label` int64 [batch] (ArgMax) and `probabilities` float32 [batch,3]
 * - fixedBatchModel():         x [1,4] -> `prob` [1,1] (no dynamic batch: never batchable)
 * - identityModel(type, width): x [batch,width] of any element type -> Identity -> `y` (for datatype round trips)
 * - sileroVadPath: Silero VAD from @ricky0123/vad-web (third-party, stateful, int64 scalar `sr`)
 *
 * Hostile models (valid ONNX that attack the server, for the isolation tests):
 * - constantOfShapeModel(): n int64 [1] -> ConstantOfShape -> `y` float32 [n] zeros: {"n": [150000000]} asks for an
 *   output of 150 million elements (zeros at warm-up: n = 0, an empty output)
 * - loopModel(): x float32 [1], n int64 [1] -> Loop of n iterations (Identity body) -> `y` = x: n = 2e9 runs for hours
 * - loopModel(2e9): the same with the trip count a constant, so that the warm-up itself never ends
 */

/** ONNX TensorProto.DataType numbers. */
const onnxDataType: Record<ElementType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
};

/** A dimension: a number is fixed, a string is a symbolic (dynamic) dimension. */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  type: ElementType;
  shape: OnnxDim[];
}

export type OnnxAttribute =
  | { kind: "int"; value: number }
  | { kind: "float"; value: number }
  | { kind: "ints"; value: number[] }
  | { kind: "graph"; value: OnnxGraph };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttribute>;
}

/** A float32 or int64 constant (weights, biases). */
export interface OnnxInitializer {
  name: string;
  dims: number[];
  values: Float32Array | BigInt64Array;
}

export interface OnnxGraph {
  name?: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  nodes: OnnxNode[];
  initializers?: OnnxInitializer[];
  opset?: number;
}

const valueInfo = (info: OnnxValueInfo): ProtoWriter => {
  const shape = new ProtoWriter();
  for (const dim of info.shape) {
    const d = new ProtoWriter();
    if (typeof dim === "number") d.int(1, dim);
    else d.string(2, dim);
    shape.message(1, d);
  }
  const tensorType = new ProtoWriter().int(1, onnxDataType[info.type]).message(2, shape);
  const typeProto = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, info.name).message(2, typeProto);
};

/** Where large initializers go when a model is saved with external data (onnx.save_model(save_as_external_data)). */
interface ExternalSink {
  location: string;
  threshold: number;
  chunks: Uint8Array[];
  offset: number;
}

const initializer = (init: OnnxInitializer, external?: ExternalSink): ProtoWriter => {
  const w = new ProtoWriter().packedInts(1, init.dims);
  const type = init.values instanceof Float32Array ? onnxDataType.float32 : onnxDataType.int64;
  w.int(2, type);
  const raw = new Uint8Array(init.values.buffer, init.values.byteOffset, init.values.byteLength);
  if (external !== undefined && raw.length >= external.threshold) {
    // TensorProto.external_data (13) as key/value entries, data_location (14) = EXTERNAL.
    const entry = (key: string, value: string): ProtoWriter => new ProtoWriter().string(1, key).string(2, value);
    w.string(8, init.name)
      .message(13, entry("location", external.location))
      .message(13, entry("offset", String(external.offset)))
      .message(13, entry("length", String(raw.length)))
      .int(14, 1);
    external.chunks.push(raw.slice());
    external.offset += raw.length;
    return w;
  }
  if (init.values instanceof Float32Array) w.packedFloats(4, init.values);
  else w.packedInts(7, Array.from(init.values));
  return w.string(8, init.name);
};

const node = (n: OnnxNode, index: number): ProtoWriter => {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, `${n.op.toLowerCase()}_${index}`).string(4, n.op);
  for (const [name, attr] of Object.entries(n.attributes ?? {})) {
    const a = new ProtoWriter().string(1, name);
    // AttributeProto.type: FLOAT=1, INT=2, GRAPH=5, INTS=7.
    if (attr.kind === "float") a.float(2, attr.value).int(20, 1);
    else if (attr.kind === "int") a.int(3, attr.value).int(20, 2);
    else if (attr.kind === "graph") a.message(6, graphProto(attr.value)).int(20, 5);
    else a.packedInts(8, attr.value).int(20, 7);
    w.message(5, a);
  }
  return w;
};

/** Serializes a graph into ONNX ModelProto bytes. */
export function buildOnnxModel(graph: OnnxGraph): Uint8Array {
  return serialize(graph);
}

/**
 * Serializes a graph with its initializers of `threshold` bytes or more in a separate file, as
 * onnx.save_model(..., save_as_external_data=True) does (mlflow.onnx.log_model's default). Write `data` next to the
 * model under `location`.
 */
export function buildOnnxModelWithExternalData(
  graph: OnnxGraph,
  location: string,
  threshold = 1024,
): { model: Uint8Array; data: Uint8Array } {
  const sink: ExternalSink = { location, threshold, chunks: [], offset: 0 };
  const model = serialize(graph, sink);
  return { model, data: Buffer.concat(sink.chunks) };
}

function graphProto(graph: OnnxGraph, external?: ExternalSink): ProtoWriter {
  const g = new ProtoWriter();
  graph.nodes.forEach((n, i) => g.message(1, node(n, i)));
  g.string(2, graph.name ?? "cairn_test_graph");
  for (const init of graph.initializers ?? []) g.message(5, initializer(init, external));
  for (const i of graph.inputs) g.message(11, valueInfo(i));
  for (const o of graph.outputs) g.message(12, valueInfo(o));
  return g;
}

function serialize(graph: OnnxGraph, external?: ExternalSink): Uint8Array {
  const g = graphProto(graph, external);
  const opset = new ProtoWriter().string(1, "").int(2, graph.opset ?? 13);
  return new ProtoWriter()
    .int(1, 8) // ir_version 8 (ONNX 1.10+, opset 13-16)
    .string(2, "cairn-test")
    .string(3, "1")
    .message(7, g)
    .message(8, opset)
    .finish();
}

/** mulberry32: a tiny seeded PRNG, so weights (and files) are identical on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform weights in [-scale, scale). */
export function randomFloats(count: number, seed: number, scale = 1): Float32Array {
  const rnd = seededRandom(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (rnd() * 2 - 1) * scale;
  return out;
}

const gemm = (x: string, w: string, b: string, y: string): OnnxNode => ({ op: "Gemm", inputs: [x, w, b], outputs: [y] });

/** Logistic regression, 4 features: x [batch,4] -> prob [batch,1]. */
export function logisticRegressionModel(seed = 1): Uint8Array {
  return buildOnnxModel({
    name: "logistic_regression",
    inputs: [{ name: "x", type: "float32", shape: ["batch", 4] }],
    outputs: [{ name: "prob", type: "float32", shape: ["batch", 1] }],
    initializers: [
      { name: "W", dims: [4, 1], values: randomFloats(4, seed, 2) },
      { name: "B", dims: [1], values: randomFloats(1, seed + 1000, 0.5) },
    ],
    nodes: [gemm("x", "W", "B", "logit"), { op: "Sigmoid", inputs: ["logit"], outputs: ["prob"] }],
  });
}

/** MLP 16 -> 32 (relu) -> 3 (softmax): x [batch,16] -> probabilities [batch,3]. */
export function mlpModel(seed = 2): Uint8Array {
  return buildOnnxModel(mlpGraph(seed));
}

/** The MLP's graph, for buildOnnxModelWithExternalData (its 16x32 weights are 2 KB, over onnx's 1 KB threshold). */
export function mlpGraph(seed = 2): OnnxGraph {
  return {
    name: "mlp",
    inputs: [{ name: "x", type: "float32", shape: ["batch", 16] }],
    outputs: [{ name: "probabilities", type: "float32", shape: ["batch", 3] }],
    initializers: [
      { name: "W1", dims: [16, 32], values: randomFloats(16 * 32, seed, 0.5) },
      { name: "B1", dims: [32], values: randomFloats(32, seed + 1, 0.1) },
      { name: "W2", dims: [32, 3], values: randomFloats(32 * 3, seed + 2, 0.5) },
      { name: "B2", dims: [3], values: randomFloats(3, seed + 3, 0.1) },
    ],
    nodes: [
      gemm("x", "W1", "B1", "h1"),
      { op: "Relu", inputs: ["h1"], outputs: ["a1"] },
      gemm("a1", "W2", "B2", "logits"),
      { op: "Softmax", inputs: ["logits"], outputs: ["probabilities"], attributes: { axis: { kind: "int", value: 1 } } },
    ],
  };
}

/** Classifier with two outputs: x [batch,4] -> label int64 [batch] and probabilities float32 [batch,3]. */
export function multiOutputClassifierModel(seed = 3): Uint8Array {
  return buildOnnxModel({
    name: "multi_output_classifier",
    inputs: [{ name: "x", type: "float32", shape: ["batch", 4] }],
    outputs: [
      { name: "label", type: "int64", shape: ["batch"] },
      { name: "probabilities", type: "float32", shape: ["batch", 3] },
    ],
    initializers: [
      { name: "W", dims: [4, 3], values: randomFloats(12, seed, 1.5) },
      { name: "B", dims: [3], values: randomFloats(3, seed + 1, 0.2) },
    ],
    nodes: [
      gemm("x", "W", "B", "logits"),
      { op: "Softmax", inputs: ["logits"], outputs: ["probabilities"], attributes: { axis: { kind: "int", value: 1 } } },
      {
        op: "ArgMax",
        inputs: ["probabilities"],
        outputs: ["label"],
        attributes: { axis: { kind: "int", value: 1 }, keepdims: { kind: "int", value: 0 } },
      },
    ],
  });
}

/** Logistic regression with a FIXED batch dimension: x [1,4] -> prob [1,1]. */
export function fixedBatchModel(seed = 4): Uint8Array {
  return buildOnnxModel({
    name: "fixed_batch",
    inputs: [{ name: "x", type: "float32", shape: [1, 4] }],
    outputs: [{ name: "prob", type: "float32", shape: [1, 1] }],
    initializers: [
      { name: "W", dims: [4, 1], values: randomFloats(4, seed, 2) },
      { name: "B", dims: [1], values: randomFloats(1, seed + 1000, 0.5) },
    ],
    nodes: [gemm("x", "W", "B", "logit"), { op: "Sigmoid", inputs: ["logit"], outputs: ["prob"] }],
  });
}

/** y = x for any element type: x [batch,width] -> y [batch,width]. Lets protocol tests round-trip every datatype. */
export function identityModel(type: ElementType, width = 2): Uint8Array {
  return buildOnnxModel({
    name: `identity_${type}`,
    inputs: [{ name: "x", type, shape: ["batch", width] }],
    outputs: [{ name: "y", type, shape: ["batch", width] }],
    nodes: [{ op: "Identity", inputs: ["x"], outputs: ["y"] }],
  });
}

/**
 * y = x + [0, 1] on float32 [batch,2]: the shadow tests' known candidate beside identityModel("float32"). For [1, 2]
 * both argmaxes are 1 (they agree); for [2, 1.5] the identity's is 0 and this one's 1 (they disagree).
 */
export function shiftedModel(): Uint8Array {
  return buildOnnxModel({
    name: "shifted",
    inputs: [{ name: "x", type: "float32", shape: ["batch", 2] }],
    outputs: [{ name: "y", type: "float32", shape: ["batch", 2] }],
    initializers: [{ name: "shift", dims: [2], values: Float32Array.from([0, 1]) }],
    nodes: [{ op: "Add", inputs: ["x", "shift"], outputs: ["y"] }],
  });
}

/** Silero VAD (legacy) shipped in @ricky0123/vad-web: input [batch,seq], sr int64 [], h/c [2,batch,64] -> output, hn, cn. */
export const sileroVadPath: string = join(
  createRequire(import.meta.url).resolve("@ricky0123/vad-web/package.json"),
  "..",
  "dist",
  "silero_vad_legacy.onnx",
);

/** ConstantOfShape with the shape from input `n` (int64 [1]): a float32 output of n zeros. */
export function constantOfShapeModel(): Uint8Array {
  return buildOnnxModel({
    name: "constant_of_shape",
    inputs: [{ name: "n", type: "int64", shape: [1] }],
    outputs: [{ name: "y", type: "float32", shape: ["n"] }],
    nodes: [{ op: "ConstantOfShape", inputs: ["n"], outputs: ["y"] }],
  });
}

/**
 * An ONNX Loop whose body passes `x` through unchanged: `n` iterations (input n, int64 [1]), or `tripCount` when given
 * (a constant; the model's only input is then x).
 */
export function loopModel(tripCount?: number): Uint8Array {
  const body: OnnxGraph = {
    name: "loop_body",
    inputs: [
      { name: "i", type: "int64", shape: [] },
      { name: "cond_in", type: "bool", shape: [] },
      { name: "x_in", type: "float32", shape: [1] },
    ],
    outputs: [
      { name: "cond_out", type: "bool", shape: [] },
      { name: "x_out", type: "float32", shape: [1] },
    ],
    nodes: [
      { op: "Identity", inputs: ["cond_in"], outputs: ["cond_out"] },
      { op: "Identity", inputs: ["x_in"], outputs: ["x_out"] },
    ],
  };
  const loop: OnnxNode = { op: "Loop", inputs: ["n", "", "x"], outputs: ["y"], attributes: { body: { kind: "graph", value: body } } };
  return buildOnnxModel({
    name: "loop",
    inputs: [{ name: "x", type: "float32", shape: [1] }, ...(tripCount === undefined ? [{ name: "n", type: "int64" as const, shape: [1] }] : [])],
    outputs: [{ name: "y", type: "float32", shape: [1] }],
    nodes: [loop],
    ...(tripCount === undefined ? {} : { initializers: [{ name: "n", dims: [], values: BigInt64Array.of(BigInt(tripCount)) }] }),
  });
}

/** Writes bytes to dir/name and returns the path. */
export async function writeOnnxFile(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** An MLflow column spec, as mlflow.types.ColSpec.to_dict() writes it. */
export interface MlflowColSpec {
  name?: string;
  type: "double" | "float" | "long" | "integer" | "boolean" | "string" | "binary" | "datetime";
  required?: boolean;
}

/** An MLflow tensor spec, as mlflow.types.TensorSpec.to_dict() writes it. */
export interface MlflowTensorSpec {
  name?: string;
  type: "tensor";
  "tensor-spec": { dtype: string; shape: number[] };
}

export type MlflowSpec = MlflowColSpec | MlflowTensorSpec;

export interface MlflowModelDirOptions {
  signature?: { inputs: MlflowSpec[]; outputs?: MlflowSpec[] };
  /** Written to input_example.json as is; `inputExampleType` goes to saved_input_example_info.type. */
  inputExample?: unknown;
  inputExampleType?: "dataframe" | "ndarray" | "json_object";
  /** Overrides the `data` key of the onnx flavor (for the path-confinement test). */
  dataPath?: string;
  runId?: string;
  /** Further files next to model.onnx (external tensor data). */
  extraFiles?: Record<string, Uint8Array>;
  /** The onnx flavor's onnx_session_options (thread counts), as mlflow.onnx.save_model writes them. */
  onnxSessionOptions?: Record<string, unknown>;
}

/**
 * Writes an MLflow model directory as mlflow.onnx.save_model does: model.onnx, and an MLmodel whose flavors are
 * `onnx` (data, onnx_version, providers, code) and `python_function` (loader_module mlflow.onnx), with the signature
 * as JSON strings (MLflow's Schema.to_json()) and saved_input_example_info pointing at input_example.json.
 */
export async function writeMlflowModelDir(
  dir: string,
  onnxBytes: Uint8Array,
  options: MlflowModelDirOptions = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "model.onnx"), onnxBytes);
  for (const [name, bytes] of Object.entries(options.extraFiles ?? {})) await writeFile(join(dir, name), bytes);
  const mlmodel: Record<string, unknown> = {
    artifact_path: "model",
    flavors: {
      onnx: {
        code: null,
        data: options.dataPath ?? "model.onnx",
        onnx_version: "1.16.1",
        providers: ["CUDAExecutionProvider", "CPUExecutionProvider"],
        ...(options.onnxSessionOptions ? { onnx_session_options: options.onnxSessionOptions } : {}),
      },
      python_function: {
        data: options.dataPath ?? "model.onnx",
        env: { conda: "conda.yaml", virtualenv: "python_env.yaml" },
        loader_module: "mlflow.onnx",
        python_version: "3.11.9",
      },
    },
    mlflow_version: "2.16.2",
    model_size_bytes: onnxBytes.length,
    model_uuid: "0f6c3b1c9d8e4a7b8c6d5e4f3a2b1c0d",
    run_id: options.runId ?? "5b7ad2f1c4e34a2c9f0e1d2c3b4a5968",
    utc_time_created: "2025-01-15 10:20:30.123456",
  };
  if (options.signature) {
    mlmodel.signature = {
      inputs: JSON.stringify(options.signature.inputs),
      outputs: options.signature.outputs ? JSON.stringify(options.signature.outputs) : null,
      params: null,
    };
  }
  if (options.inputExample !== undefined) {
    const type = options.inputExampleType ?? "ndarray";
    await writeFile(join(dir, "input_example.json"), JSON.stringify(options.inputExample));
    mlmodel.saved_input_example_info =
      type === "dataframe"
        ? { artifact_path: "input_example.json", pandas_orient: "split", type }
        : type === "ndarray"
          ? { artifact_path: "input_example.json", format: "tf-serving", type }
          : { artifact_path: "input_example.json", type };
  }
  await writeFile(join(dir, "MLmodel"), stringify(mlmodel));
  return dir;
}

/**
 * Writes what mlflow.sklearn.log_model leaves behind: an MLmodel with sklearn + python_function flavors and a
 * model.pkl. The pickle bytes are a harmless placeholder; Cairn must refuse before ever reading them.
 */
export async function writePickledModelDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  // Protocol-4 pickle of the string "not a model" — never unpickled by anything in Cairn.
  await writeFile(join(dir, "model.pkl"), Buffer.from("80049510000000000000008c0b6e6f742061206d6f64656c942e", "hex"));
  const mlmodel = {
    artifact_path: "model",
    flavors: {
      python_function: {
        env: { conda: "conda.yaml", virtualenv: "python_env.yaml" },
        loader_module: "mlflow.sklearn",
        model_path: "model.pkl",
        predict_fn: "predict",
        python_version: "3.11.9",
      },
      sklearn: {
        code: null,
        pickled_model: "model.pkl",
        serialization_format: "cloudpickle",
        sklearn_version: "1.5.2",
      },
    },
    mlflow_version: "2.16.2",
    model_uuid: "1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6",
    run_id: "5b7ad2f1c4e34a2c9f0e1d2c3b4a5968",
    utc_time_created: "2025-01-15 10:20:30.123456",
  };
  await writeFile(join(dir, "MLmodel"), stringify(mlmodel));
  return dir;
}
