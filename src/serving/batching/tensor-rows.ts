import { invalidParameter } from "../../core/errors.js";
import type { Tensor, TensorData } from "../tensor.js";

/**
 * Row-wise (dim 0) concatenation and splitting of tensors, for every element type the runtime takes: the typed arrays
 * and string[] (onnxruntime's string tensors). Batching merges requests with these and splits the answers back.
 */

/** Elements per row: the product of the dimensions after the first (1 for a rank-1 tensor). */
export const elementsPerRow = (dims: readonly number[]): number => {
  let size = 1;
  for (let i = 1; i < dims.length; i += 1) size *= dims[i] as number;
  return size;
};

export const rowCount = (tensor: Tensor): number => {
  if (tensor.dims.length === 0) throw invalidParameter("A scalar tensor (dims []) has no rows to batch.");
  return tensor.dims[0] as number;
};

type TypedArray = Exclude<TensorData, string[]>;
type TypedArrayConstructor = new (length: number) => TypedArray;

/** Concatenates tensors of one element type and one row shape along dim 0. */
export const concatRows = (tensors: readonly Tensor[]): Tensor => {
  const first = tensors[0];
  if (first === undefined) throw invalidParameter("concatRows needs at least one tensor.");
  if (tensors.length === 1) return first;
  const rowDims = first.dims.slice(1);
  let rows = 0;
  let length = 0;
  for (const tensor of tensors) {
    if (tensor.type !== first.type) {
      throw invalidParameter(`Cannot concatenate a ${tensor.type} tensor with a ${first.type} tensor.`);
    }
    if (tensor.dims.length !== first.dims.length || tensor.dims.some((dim, i) => i > 0 && dim !== rowDims[i - 1])) {
      throw invalidParameter(`Cannot concatenate rows of shape [${tensor.dims.join(", ")}] with [${first.dims.join(", ")}].`);
    }
    rows += rowCount(tensor);
    length += tensor.data.length;
  }
  const dims = [rows, ...rowDims];
  if (Array.isArray(first.data)) {
    const data: string[] = [];
    for (const tensor of tensors) for (const value of tensor.data as string[]) data.push(value);
    return { type: first.type, dims, data };
  }
  const Constructor = (first.data as TypedArray).constructor as TypedArrayConstructor;
  const data = new Constructor(length);
  let offset = 0;
  for (const tensor of tensors) {
    // set() copies between arrays of the same kind in one memcpy; mixed kinds were refused above by type.
    (data as unknown as { set(source: ArrayLike<number | bigint>, offset: number): void }).set(
      tensor.data as unknown as ArrayLike<number | bigint>,
      offset,
    );
    offset += tensor.data.length;
  }
  return { type: first.type, dims, data };
};

/** Splits a tensor along dim 0 into pieces of the given row counts (which must add up to its rows). */
export const splitRows = (tensor: Tensor, counts: readonly number[]): Tensor[] => {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (rowCount(tensor) !== total) {
    throw invalidParameter(`Cannot split ${rowCount(tensor)} rows into pieces of ${counts.join(", ")} rows.`);
  }
  if (counts.length === 1) return [tensor];
  const perRow = elementsPerRow(tensor.dims);
  const rowDims = tensor.dims.slice(1);
  const pieces: Tensor[] = [];
  let start = 0;
  for (const count of counts) {
    const end = start + count * perRow;
    // slice() copies: a caller's answer must not keep the whole batch's buffer alive or alias its neighbours'.
    const data = tensor.data.slice(start, end) as TensorData;
    pieces.push({ type: tensor.type, dims: [count, ...rowDims], data });
    start = end;
  }
  return pieces;
};
