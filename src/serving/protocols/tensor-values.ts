import { CairnError, ErrorCode } from "../../core/errors.js";
import type { ElementType, Tensor, TensorData } from "../tensor.js";
import { fromHalfBits, toHalfBits } from "./half-float.js";

/**
 * JSON values <-> typed tensor data, shared by both protocols. Every element is checked against the element type
 * the model declares (an integer input refuses 1.5, NaN and 2^40 for int32; a bool input refuses "yes"), and the
 * message names the input, the expected type and the offending value, so the caller can fix the request.
 */
export type JsonScalar = number | string | boolean | null;

const INT_RANGES: Partial<Record<ElementType, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

export const badInput = (message: string): CairnError => new CairnError(ErrorCode.BAD_REQUEST, message);

const describe = (value: unknown): string => (typeof value === "string" ? `"${value.slice(0, 40)}"` : String(value));

const refuse = (input: string, type: ElementType, index: number, value: unknown): CairnError =>
  badInput(`Input '${input}': expected ${type} values, received ${describe(value)} at element ${index}.`);

const floatOf = (input: string, type: ElementType, value: unknown, index: number): number => {
  if (typeof value === "number") return value;
  // JSON has no NaN: null (pandas' missing value) and Python's spellings stand for it in float inputs only.
  if (value === null || value === "NaN") return NaN;
  if (value === "Infinity" || value === "inf") return Infinity;
  if (value === "-Infinity" || value === "-inf") return -Infinity;
  throw refuse(input, type, index, value);
};

const integerOf = (input: string, type: ElementType, value: unknown, index: number): number => {
  if (typeof value !== "number" || !Number.isInteger(value)) throw refuse(input, type, index, value);
  const range = INT_RANGES[type];
  if (range && (value < range[0] || value > range[1])) {
    throw badInput(`Input '${input}': ${value} at element ${index} is out of range for ${type} [${range[0]}, ${range[1]}].`);
  }
  return value;
};

const bigintOf = (input: string, type: ElementType, value: unknown, index: number): bigint => {
  // Digits in a string keep int64 values beyond 2^53 exact, since a JSON number would already have lost them.
  if (typeof value === "string" && /^-?\d{1,20}$/.test(value)) {
    const big = BigInt(value);
    const fits = type === "uint64" ? big >= 0n && big < 1n << 64n : big >= -(1n << 63n) && big < 1n << 63n;
    if (fits) return big;
    throw badInput(`Input '${input}': ${value} at element ${index} is out of range for ${type}.`);
  }
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw refuse(input, type, index, value);
  if (type === "uint64" && value < 0) throw badInput(`Input '${input}': ${value} at element ${index} is out of range for uint64.`);
  return BigInt(value);
};

const boolOf = (input: string, value: unknown, index: number): number => {
  if (value === true || value === 1) return 1;
  if (value === false || value === 0) return 0;
  throw refuse(input, "bool", index, value);
};

/** Typed data of `type` from flat values; throws a 400 naming `input` on the first value that does not fit. */
export const tensorDataOf = (input: string, type: ElementType, values: readonly unknown[]): TensorData => {
  const n = values.length;
  switch (type) {
    case "float32":
    case "float64": {
      const data = type === "float32" ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = floatOf(input, type, values[i], i);
      return data;
    }
    case "float16": {
      const data = new Uint16Array(n);
      for (let i = 0; i < n; i++) data[i] = toHalfBits(floatOf(input, type, values[i], i));
      return data;
    }
    case "int8":
    case "uint8":
    case "int16":
    case "uint16":
    case "int32":
    case "uint32": {
      const data = new TYPED_INT[type](n);
      for (let i = 0; i < n; i++) data[i] = integerOf(input, type, values[i], i);
      return data;
    }
    case "int64":
    case "uint64": {
      const data = type === "int64" ? new BigInt64Array(n) : new BigUint64Array(n);
      for (let i = 0; i < n; i++) data[i] = bigintOf(input, type, values[i], i);
      return data;
    }
    case "bool": {
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = boolOf(input, values[i], i);
      return data;
    }
    case "string": {
      const data: string[] = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const value = values[i];
        if (typeof value !== "string") throw refuse(input, type, i, value);
        data[i] = value;
      }
      return data;
    }
  }
};

const TYPED_INT = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
} as const;

/**
 * Flat JSON values of a tensor. int64 values beyond 2^53 cannot be JSON numbers without losing digits; they are
 * written as numbers anyway (what numpy's tolist + json does) since every client expects numbers there.
 */
export const jsonValuesOf = (tensor: Tensor): JsonScalar[] => {
  const { type, data } = tensor;
  if (type === "string") return [...(data as string[])];
  const n = data.length;
  const out: JsonScalar[] = new Array<JsonScalar>(n);
  if (type === "bool") {
    for (let i = 0; i < n; i++) out[i] = (data as Uint8Array)[i] !== 0;
  } else if (type === "float16") {
    for (let i = 0; i < n; i++) out[i] = fromHalfBits((data as Uint16Array)[i] ?? 0);
  } else if (type === "int64" || type === "uint64") {
    for (let i = 0; i < n; i++) out[i] = Number((data as BigInt64Array)[i]);
  } else {
    for (let i = 0; i < n; i++) out[i] = (data as Float32Array)[i] ?? 0;
  }
  return out;
};

/** Row-major flat values as nested lists of `dims` (numpy's tolist): a scalar for rank 0. */
export const nest = (values: readonly JsonScalar[], dims: readonly number[]): unknown => {
  if (dims.length === 0) return values[0] ?? null;
  const build = (axis: number, offset: number): unknown[] => {
    const size = dims[axis] ?? 0;
    if (axis === dims.length - 1) return values.slice(offset, offset + size);
    let stride = 1;
    for (let a = axis + 1; a < dims.length; a++) stride *= dims[a] ?? 0;
    const out: unknown[] = new Array<unknown>(size);
    for (let i = 0; i < size; i++) out[i] = build(axis + 1, offset + i * stride);
    return out;
  };
  return build(0, 0);
};

export const elementCount = (dims: readonly number[]): number => dims.reduce((product, d) => product * d, 1);

/**
 * Flattens a nested row-major JSON array and infers its dims (numpy.asarray's shape). Ragged nesting is a 400
 * naming the input.
 */
export const flattenNested = (input: string, value: unknown): { dims: number[]; values: unknown[] } => {
  const dims: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    dims.push(probe.length);
    probe = probe[0];
  }
  const values: unknown[] = [];
  const walk = (node: unknown, axis: number): void => {
    if (axis === dims.length) {
      if (Array.isArray(node)) throw badInput(`Input '${input}': ragged nested list (deeper than its first element at axis ${axis}).`);
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== dims[axis]) {
      throw badInput(`Input '${input}': ragged nested list: axis ${axis} should have ${dims[axis]} elements, received ${Array.isArray(node) ? node.length : "a scalar"}.`);
    }
    for (const child of node) walk(child, axis + 1);
  };
  walk(value, 0);
  return { dims, values };
};
