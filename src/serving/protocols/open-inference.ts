import { checkJsonDepth } from "../../server/json.js";
import type { TensorMap, TensorSpec } from "../tensor.js";
import { checkFeeds, checkShape } from "./check-feeds.js";
import { OIP_DATATYPE_OF, OIP_DATATYPES, elementTypeOfDatatype } from "./datatypes.js";
import { badInput, elementCount, flattenNested, jsonValuesOf, tensorDataOf, type JsonScalar } from "./tensor-values.js";

/**
 * The Open Inference Protocol (KServe V2 / Triton HTTP) as JSON <-> tensors. Requests are checked field by field
 * against the model's inputs: datatype, shape and data length must agree with each other and with the model, and
 * every refusal names the input (kserve docs/predict-api/v2/required_api.md).
 */
export interface OipTensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface OipInferRequest {
  id?: string;
  feeds: TensorMap;
  /** Output names the caller asked for, in its order; undefined = all of them. */
  outputs?: string[];
}

export interface OipOutputTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: JsonScalar[];
}

export interface OipInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: OipOutputTensor[];
}

export const tensorMetadata = (spec: TensorSpec): OipTensorMetadata => ({
  name: spec.name,
  datatype: OIP_DATATYPE_OF[spec.type],
  shape: spec.shape.map((d) => (d === null ? -1 : d)),
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const decodeInput = (raw: unknown, index: number, specs: ReadonlyMap<string, TensorSpec>): [string, TensorMap[string]] => {
  if (!isObject(raw)) throw badInput(`inputs[${index}] must be an object with name, shape, datatype and data.`);
  const { name, shape, datatype, data } = raw;
  if (typeof name !== "string" || name === "") throw badInput(`inputs[${index}].name must be a non-empty string.`);
  const spec = specs.get(name);
  if (spec === undefined) {
    throw badInput(`Unknown input '${name}': the model's inputs are ${[...specs.keys()].map((n) => `'${n}'`).join(", ")}.`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)) {
    throw badInput(`Input '${name}': shape must be a list of non-negative integers, received ${JSON.stringify(shape)}.`);
  }
  if (typeof datatype !== "string") throw badInput(`Input '${name}': datatype must be one of ${OIP_DATATYPES.join(", ")}.`);
  const type = elementTypeOfDatatype(datatype);
  if (type === undefined) throw badInput(`Input '${name}': unknown datatype '${datatype}'; one of ${OIP_DATATYPES.join(", ")}.`);
  if (type !== spec.type) {
    throw badInput(`Input '${name}': expected datatype ${OIP_DATATYPE_OF[spec.type]}, received ${datatype}.`);
  }
  const dims = shape as number[];
  checkShape(spec, dims);
  if (data === undefined) throw badInput(`Input '${name}': data is missing.`);
  // Row-major data may come flat or nested; only its element count has to match the declared shape.
  const values = Array.isArray(data) ? (data.some(Array.isArray) ? flattenNested(name, data).values : data) : [data];
  const expected = elementCount(dims);
  if (values.length !== expected) {
    throw badInput(`Input '${name}': shape [${dims.join(", ")}] needs ${expected} elements, data has ${values.length}.`);
  }
  return [name, { type, dims, data: tensorDataOf(name, type, values) }];
};

export const decodeInferRequest = (body: unknown, inputs: readonly TensorSpec[], outputs: readonly TensorSpec[]): OipInferRequest => {
  if (!isObject(body)) throw badInput("The inference request must be a JSON object with an 'inputs' list.");
  const { id, parameters, inputs: rawInputs, outputs: rawOutputs } = body;
  if (id !== undefined && typeof id !== "string") throw badInput("id must be a string.");
  if (parameters !== undefined && !isObject(parameters)) throw badInput("parameters must be an object.");
  if (!Array.isArray(rawInputs) || rawInputs.length === 0) throw badInput("inputs must be a non-empty list of input tensors.");
  const specs = new Map(inputs.map((spec) => [spec.name, spec]));
  const feeds: TensorMap = {};
  rawInputs.forEach((raw, index) => {
    const [name, tensor] = decodeInput(raw, index, specs);
    if (feeds[name] !== undefined) throw badInput(`Input '${name}' is given twice.`);
    feeds[name] = tensor;
  });
  checkFeeds(feeds, inputs);
  const request: OipInferRequest = { feeds };
  if (id !== undefined) request.id = id;
  if (rawOutputs !== undefined) {
    if (!Array.isArray(rawOutputs)) throw badInput("outputs must be a list of {name}.");
    const known = new Set(outputs.map((spec) => spec.name));
    request.outputs = rawOutputs.map((raw, index) => {
      const name = isObject(raw) ? raw.name : undefined;
      if (typeof name !== "string") throw badInput(`outputs[${index}].name must be a string.`);
      if (!known.has(name)) {
        throw badInput(`Unknown output '${name}': the model's outputs are ${[...known].map((n) => `'${n}'`).join(", ")}.`);
      }
      return name;
    });
  }
  return request;
};

/** Parses and decodes a request body's text (depth-checked JSON first, a 400 when it is not valid JSON). */
export const decodeInferText = (text: string, inputs: readonly TensorSpec[], outputs: readonly TensorSpec[]): OipInferRequest => {
  let body: unknown;
  try {
    checkJsonDepth(text);
    body = JSON.parse(text);
  } catch (error) {
    throw badInput(`The inference request is not valid JSON: ${(error as Error).message}`);
  }
  return decodeInferRequest(body, inputs, outputs);
};

export const encodeInferResponse = (
  modelName: string,
  version: string,
  id: string,
  outputs: TensorMap,
  order: readonly string[],
): OipInferResponse => ({
  model_name: modelName,
  model_version: version,
  id,
  outputs: order.flatMap((name) => {
    const tensor = outputs[name];
    if (tensor === undefined) return [];
    return [{ name, shape: tensor.dims, datatype: OIP_DATATYPE_OF[tensor.type], data: jsonValuesOf(tensor) }];
  }),
});

export interface OipModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: OipTensorMetadata[];
  outputs: OipTensorMetadata[];
}

export const modelMetadata = (
  name: string,
  versions: string[],
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
): OipModelMetadata => ({
  name,
  versions,
  // Triton's name for an ONNX model run by onnxruntime.
  platform: "onnxruntime_onnx",
  inputs: inputs.map(tensorMetadata),
  outputs: outputs.map(tensorMetadata),
});
