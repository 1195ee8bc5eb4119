import type { Tensor, TensorMap } from "../tensor.js";

/** One served request as the serving path hands it over: tensors as they were, serialised later, off the path. */
export interface PredictionEntry {
  deployment: string;
  version: string;
  /** Epoch milliseconds when the request was answered. */
  time: number;
  latencyMs: number;
  requestId: string;
  inputs: TensorMap;
  outputs: TensorMap;
}

/** A tensor in the log: JSON with a flat row-major data array (int64 beyond 2^53 as decimal strings). */
export interface LoggedTensor {
  dims: number[];
  type: string;
  data: Array<number | string | boolean>;
}

/** What the store keeps: the entry with its tensors already JSON text. */
export interface PredictionRecord {
  deployment: string;
  version: string;
  time: number;
  latencyMs: number;
  requestId: string;
  inputs: string;
  outputs: string;
}

export interface LabelRecord {
  requestId: string;
  /** Any JSON value, as text. */
  label: string;
  time: number;
}

const bigintValue = (value: bigint): number | string =>
  value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();

export const loggedTensor = (tensor: Tensor): LoggedTensor => {
  const data: Array<number | string | boolean> = [];
  const source = tensor.data;
  if (source instanceof BigInt64Array || source instanceof BigUint64Array) {
    for (const value of source) data.push(bigintValue(value));
  } else if (tensor.type === "bool") {
    for (const value of source as Uint8Array) data.push(value !== 0);
  } else {
    // NaN and Infinity are not JSON: keep them as the strings MLflow's JSON uses.
    const values = source as ArrayLike<number | string>;
    for (let i = 0; i < values.length; i += 1) {
      const value = values[i] as number | string;
      data.push(typeof value === "number" && !Number.isFinite(value) ? String(value) : value);
    }
  }
  return { dims: [...tensor.dims], type: tensor.type, data };
};

export const tensorMapJson = (tensors: TensorMap): string => {
  const logged: Record<string, LoggedTensor> = {};
  for (const [name, tensor] of Object.entries(tensors)) logged[name] = loggedTensor(tensor);
  return JSON.stringify(logged);
};
