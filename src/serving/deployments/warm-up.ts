import type { LoadedModel } from "../model/loaded-model.js";
import { decodeScoringJson } from "../protocols/mlflow-scoring.js";
import type { ElementType, Tensor, TensorData, TensorMap, TensorSpec } from "../tensor.js";

const zeros = (type: ElementType, size: number): TensorData => {
  switch (type) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "float16":
    case "uint16":
      return new Uint16Array(size);
    case "int8":
      return new Int8Array(size);
    case "uint8":
    case "bool":
      return new Uint8Array(size);
    case "int16":
      return new Int16Array(size);
    case "int32":
      return new Int32Array(size);
    case "uint32":
      return new Uint32Array(size);
    case "int64":
      return new BigInt64Array(size);
    case "uint64":
      return new BigUint64Array(size);
    case "string":
      return Array.from({ length: size }, () => "");
  }
};

/** One row of zeros (an empty string for text) for an input: every dynamic dimension is 1. */
export const zeroTensor = (spec: TensorSpec): Tensor => {
  const dims = spec.shape.map((d) => d ?? 1);
  return { type: spec.type, dims, data: zeros(spec.type, dims.reduce((a, b) => a * b, 1)) };
};

export const zeroFeeds = (inputs: readonly TensorSpec[]): TensorMap => Object.fromEntries(inputs.map((spec) => [spec.name, zeroTensor(spec)]));

/**
 * The model's own MLflow input example as feeds, when it has one that decodes: a scoring payload
 * ({"dataframe_split": ...}, {"inputs": ...}...) or a pandas split-orient frame ({"columns", "data"}) as
 * mlflow writes input_example.json for a DataFrame. Undefined when there is none or it does not fit the inputs.
 */
export const exampleFeeds = (model: LoadedModel): TensorMap | undefined => {
  const example = model.inputExample;
  if (example === null || typeof example !== "object" || Array.isArray(example)) return undefined;
  const payload = "columns" in example && "data" in example ? { dataframe_split: example } : example;
  try {
    return decodeScoringJson(payload, model).feeds;
  } catch {
    return undefined;
  }
};

/**
 * Runs the model once before it takes traffic: onnxruntime allocates its arenas and picks kernels on the first run,
 * which would otherwise land on the first real request after a switch. The model's input example is the most
 * realistic input; without one, zeros of the declared shapes (valid for every model whose inputs are plain
 * tensors). A run that throws means the version cannot serve, and the caller refuses to switch to it.
 */
export const warmUp = async (model: LoadedModel): Promise<void> => {
  await model.run(exampleFeeds(model) ?? zeroFeeds(model.inputs));
};
