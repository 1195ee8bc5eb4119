import { readFile, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { extname, join, resolve } from "node:path";
import { CairnError, ErrorCode, invalidParameter, isCairnError, notFound } from "../../core/errors.js";
import { DEFAULT_YAML_LIMITS, parseLimitedYamlData } from "../../core/limited-yaml.js";
import { batchability } from "../runtime/batchability.js";
import { DEFAULT_EXECUTION_LIMITS } from "../runtime/execution-limits.js";
import { ModelExecutor } from "../runtime/model-executor.js";
import type { SessionSettings } from "../runtime/session-options.js";
import { specsFromMetadata } from "../runtime/tensor-specs.js";
import { validateFeeds } from "../runtime/validate-feeds.js";
import type { TensorMap, TensorSpec } from "../tensor.js";
import { confinedPath } from "./confined-path.js";
import type { LoadedModel, ModelLoadOptions } from "./loaded-model.js";
import { type ModelSignature, parseSignature, signatureColumns } from "./signature.js";

const PICKLE_EXTENSIONS = new Set([".pkl", ".pickle", ".joblib", ".cloudpickle"]);

const refusal = (detail: string): CairnError =>
  invalidParameter(
    `Cairn executes only ONNX models; ${detail}: loading a pickled model would run arbitrary code. Log it with mlflow.onnx.log_model.`,
  );

interface MlmodelInfo {
  onnxPath: string;
  signature?: ModelSignature;
  inputExample?: unknown;
  /** onnx_session_options of the flavor (thread counts), used when the caller sets none. */
  flavorThreads: Partial<SessionSettings>;
}

/**
 * Loads a model for serving: a bare `.onnx` file, or an MLflow model directory whose MLmodel has the `onnx` flavor
 * (what mlflow.onnx.log_model writes). Nothing but ONNX is ever executed: pickle-based flavors and pickle files are
 * refused by name and extension before any of their bytes are read, since unpickling runs arbitrary code.
 */
export async function loadModel(path: string, options: ModelLoadOptions = {}): Promise<LoadedModel> {
  const absolute = resolve(path);
  let isDir: boolean;
  try {
    isDir = (await stat(absolute)).isDirectory();
  } catch {
    throw notFound(`model path ${path} does not exist`);
  }
  let info: MlmodelInfo;
  if (isDir) {
    info = await readMlflowModelDir(absolute);
  } else {
    const ext = extname(absolute).toLowerCase();
    if (PICKLE_EXTENSIONS.has(ext)) throw refusal(`${path} is a pickle file (${ext})`);
    if (ext !== ".onnx" && ext !== ".ort") {
      throw invalidParameter(`model path ${path}: expected a .onnx file or an MLflow model directory with an MLmodel file`);
    }
    info = { onnxPath: absolute, flavorThreads: {} };
  }
  const settings = sessionSettings(options, info.flavorThreads);
  const limits = { ...DEFAULT_EXECUTION_LIMITS, ...options.limits };
  // Every run, warm-up included, happens in the executor's process: never on the event loop (model-executor.ts).
  const executor = await ModelExecutor.start(info.onnxPath, settings, limits);
  let inputs: TensorSpec[];
  let outputs: TensorSpec[];
  try {
    inputs = specsFromMetadata(executor.metadata.inputs, "input", path);
    outputs = specsFromMetadata(executor.metadata.outputs, "output", path);
  } catch (error) {
    await executor.close();
    throw error;
  }
  const batching = batchability(inputs, outputs);
  const columns = signatureColumns(info.signature);
  const run = async (feeds: TensorMap): Promise<TensorMap> => {
    validateFeeds(inputs, feeds);
    return executor.run(feeds);
  };
  const model: LoadedModel = {
    path: absolute,
    inputs,
    outputs,
    batchable: batching.batchable,
    ...(batching.reason === undefined ? {} : { notBatchableReason: batching.reason }),
    ...(columns === undefined ? {} : { signatureColumns: columns }),
    ...(info.signature === undefined ? {} : { signature: info.signature }),
    ...(info.inputExample === undefined ? {} : { inputExample: info.inputExample }),
    limits,
    run,
    mergedRunsOffThread: true,
    runMerged: run,
    executor,
    close: () => executor.close(),
  };
  return model;
}

/**
 * The session's thread counts: the operator's when given, else the model's own (its MLmodel's
 * onnx_session_options) cut to the operator's budget, else 1.
 */
export function sessionSettings(options: ModelLoadOptions, flavorThreads: Partial<SessionSettings>): SessionSettings {
  const budget = positive(options.maxModelThreads ?? availableParallelism(), "maxModelThreads");
  const fromModel = (value: number | undefined, name: string): number | undefined => {
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || value < 1) throw invalidParameter(`MLmodel onnx_session_options.${name} must be a positive integer, got ${value}`);
    return Math.min(value, budget);
  };
  return {
    intraOpThreads: positive(options.intraOpThreads ?? fromModel(flavorThreads.intraOpThreads, "intra_op_num_threads") ?? 1, "intraOpThreads"),
    interOpThreads: positive(options.interOpThreads ?? fromModel(flavorThreads.interOpThreads, "inter_op_num_threads") ?? 1, "interOpThreads"),
  };
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    throw invalidParameter(`${name} must be an integer between 1 and 256, got ${value}`);
  }
  return value;
}

async function readMlflowModelDir(dir: string): Promise<MlmodelInfo> {
  let text: string;
  try {
    // An MLmodel file is a few KiB: a larger one is refused before it is read into memory.
    const size = (await stat(join(dir, "MLmodel"))).size;
    if (size > DEFAULT_YAML_LIMITS.maxBytes) {
      throw invalidParameter(`${dir}/MLmodel is ${size} bytes, more than the limit of ${DEFAULT_YAML_LIMITS.maxBytes}`);
    }
    text = await readFile(join(dir, "MLmodel"), "utf8");
  } catch (error) {
    if (isCairnError(error)) throw error;
    throw invalidParameter(`model directory ${dir} has no MLmodel file (expected an MLflow model directory or a .onnx file)`);
  }
  let doc: unknown;
  try {
    // yaml's default (core) schema builds plain data only; python tags in a hostile file stay inert strings.
    doc = parseLimitedYamlData(text, `${dir}/MLmodel`, { ...DEFAULT_YAML_LIMITS, maxAliasCount: 50 });
  } catch (error) {
    if (isCairnError(error)) throw error;
    throw invalidParameter(`${dir}/MLmodel is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof doc !== "object" || doc === null) throw invalidParameter(`${dir}/MLmodel must be a YAML mapping`);
  const mlmodel = doc as Record<string, unknown>;
  const flavors = (typeof mlmodel.flavors === "object" && mlmodel.flavors !== null ? mlmodel.flavors : {}) as Record<string, unknown>;
  const onnx = flavors.onnx;
  if (typeof onnx !== "object" || onnx === null) {
    // python_function last: the framework flavor says what the model is.
    const names = Object.keys(flavors).sort((a, b) => Number(a === "python_function") - Number(b === "python_function"));
    throw refusal(`this model's flavors are [${names.join(", ")}]`);
  }
  const flavor = onnx as Record<string, unknown>;
  const data = flavor.data ?? "model.onnx";
  if (typeof data !== "string") throw invalidParameter(`${dir}/MLmodel: flavors.onnx.data must be a file name`);
  const ext = extname(data).toLowerCase();
  if (PICKLE_EXTENSIONS.has(ext)) throw refusal(`flavors.onnx.data names a pickle file (${data})`);
  const onnxPath = await confinedPath(dir, data, "flavors.onnx.data");
  if (!(await stat(onnxPath)).isFile()) throw invalidParameter(`flavors.onnx.data '${data}' is not a file`);

  const signature = parseSignature(mlmodel.signature, `${dir}/MLmodel`);
  const inputExample = await readInputExample(dir, mlmodel.saved_input_example_info);
  const sessionOptions = (flavor.onnx_session_options ?? {}) as Record<string, unknown>;
  const flavorThreads: Partial<SessionSettings> = {};
  if (typeof sessionOptions.intra_op_num_threads === "number") flavorThreads.intraOpThreads = sessionOptions.intra_op_num_threads;
  if (typeof sessionOptions.inter_op_num_threads === "number") flavorThreads.interOpThreads = sessionOptions.inter_op_num_threads;
  return {
    onnxPath,
    ...(signature === undefined ? {} : { signature }),
    ...(inputExample === undefined ? {} : { inputExample }),
    flavorThreads,
  };
}

/**
 * MLflow's saved_input_example_info: {artifact_path: input_example.json, type: dataframe|ndarray|json_object, ...}.
 * Returned as parsed JSON; a missing example file does not stop serving (the example is documentation).
 */
async function readInputExample(dir: string, raw: unknown): Promise<unknown> {
  if (typeof raw !== "object" || raw === null) return undefined;
  const artifactPath = (raw as Record<string, unknown>).artifact_path;
  if (typeof artifactPath !== "string") return undefined;
  let file: string;
  try {
    file = await confinedPath(dir, artifactPath, "saved_input_example_info.artifact_path");
  } catch (error) {
    if (error instanceof CairnError && error.code === ErrorCode.RESOURCE_DOES_NOT_EXIST) return undefined;
    throw error;
  }
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw invalidParameter(`input example ${artifactPath} is not valid JSON`);
  }
}
