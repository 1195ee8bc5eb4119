import { invalidParameter } from "../../core/errors.js";
import type { ElementType, Tensor, TensorData, TensorMap, TensorSpec } from "../tensor.js";
import { formatShape } from "./tensor-specs.js";

/** The typed array onnxruntime-node takes for each element type (bool is a Uint8Array of 0/1, float16 its bits). */
const arrayTypeOf: Record<ElementType, string> = {
  float32: "Float32Array",
  float64: "Float64Array",
  float16: "Uint16Array",
  int8: "Int8Array",
  uint8: "Uint8Array",
  int16: "Int16Array",
  uint16: "Uint16Array",
  int32: "Int32Array",
  uint32: "Uint32Array",
  int64: "BigInt64Array",
  uint64: "BigUint64Array",
  bool: "Uint8Array",
  string: "Array",
};

/** The typed array's own kind: a Buffer counts as the Uint8Array it is (constructor.name would say "Buffer"). */
const arrayKind = (data: TensorData): string =>
  Array.isArray(data) ? "Array" : Object.prototype.toString.call(data).slice(8, -1);

const dataMatches = (type: ElementType, data: TensorData): boolean =>
  type === "string" ? Array.isArray(data) && data.every((v) => typeof v === "string") : arrayKind(data) === arrayTypeOf[type];

/**
 * Checks feeds against the model's inputs before onnxruntime sees them, so that every mismatch is a 400 naming
 * the input, the expected and the received value — onnxruntime's own messages name neither the input nor the
 * request. Order: missing, extra, element type, rank and fixed dimensions, data length.
 *
 * NaN: only float tensors (float16/32/64) can hold NaN, and NaN is passed through to the model there (it is a
 * valid float, and some models treat it as "missing"). Integer and bool typed arrays cannot represent NaN at all;
 * the protocol decoders refuse NaN for those types when they build the typed array (see protocols/tensor-values.ts).
 */
export function validateFeeds(inputs: readonly TensorSpec[], feeds: TensorMap): void {
  const expected = inputs.map((i) => i.name);
  for (const name of expected) {
    if (!Object.hasOwn(feeds, name)) {
      throw invalidParameter(`missing input '${name}': the model expects inputs [${expected.join(", ")}], got [${Object.keys(feeds).join(", ")}]`);
    }
  }
  for (const name of Object.keys(feeds)) {
    if (!expected.includes(name)) {
      throw invalidParameter(`unexpected input '${name}': the model's inputs are [${expected.join(", ")}]`);
    }
  }
  for (const spec of inputs) checkTensor(spec, feeds[spec.name] as Tensor);
}

function checkTensor(spec: TensorSpec, tensor: Tensor): void {
  if (tensor.type !== spec.type) {
    throw invalidParameter(`input '${spec.name}': expected type ${spec.type}, got ${tensor.type}`);
  }
  if (!dataMatches(spec.type, tensor.data)) {
    throw invalidParameter(
      `input '${spec.name}': ${spec.type} data must be a ${arrayTypeOf[spec.type]}, got ${arrayKind(tensor.data)}`,
    );
  }
  const dims = tensor.dims;
  const shapeMismatch = (): Error =>
    invalidParameter(`input '${spec.name}': expected shape ${formatShape(spec.shape)}, got ${formatShape(dims)}`);
  if (dims.length !== spec.shape.length) throw shapeMismatch();
  let count = 1;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i] as number;
    if (!Number.isSafeInteger(d) || d < 0) {
      throw invalidParameter(`input '${spec.name}': dimensions must be non-negative integers, got [${dims.join(", ")}]`);
    }
    const fixed = spec.shape[i];
    if (fixed !== null && fixed !== undefined && fixed !== d) throw shapeMismatch();
    count *= d;
  }
  if (tensor.data.length !== count) {
    throw invalidParameter(
      `input '${spec.name}': shape ${formatShape(dims)} holds ${count} values, got ${tensor.data.length}`,
    );
  }
}
