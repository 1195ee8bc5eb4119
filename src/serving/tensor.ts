/**
 * Tensors as the serving domain passes them between protocols, batching and the runtime. The element types are
 * onnxruntime's names; data is the typed array onnxruntime takes (BigInt64Array for int64, string[] for string).
 */
export type ElementType =
  | "float32"
  | "float64"
  | "float16"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "bool"
  | "string";

export type TensorData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

export interface Tensor {
  type: ElementType;
  /** Concrete dimensions, row-major. */
  dims: number[];
  data: TensorData;
}

/** An input or output as the model declares it; a dimension is null when it is dynamic (-1 on the wire). */
export interface TensorSpec {
  name: string;
  type: ElementType;
  shape: Array<number | null>;
}

export type TensorMap = Record<string, Tensor>;
