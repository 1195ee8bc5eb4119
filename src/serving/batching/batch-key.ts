import type { TensorMap, TensorSpec } from "../tensor.js";
import { elementsPerRow } from "./tensor-rows.js";

/**
 * Whether a request can join a batch, and with which others: requests merge only when they feed exactly the model's
 * inputs with its types and with the same row shape (dims after the first) input by input. Anything else — a
 * missing or extra input, a wrong type or rank, inconsistent row counts — is not merged: it runs alone, so the
 * model's own validation answers it with its 400 and no other request shares its fate.
 * Returns the key (same key = mergeable) and the request's row count, or undefined when it must run alone.
 */
export interface BatchKey {
  key: string;
  rows: number;
}

export const batchKeyOf = (inputs: readonly TensorSpec[], feeds: TensorMap): BatchKey | undefined => {
  let rows = -1;
  let key = "";
  let fed = 0;
  for (const name in feeds) if (Object.hasOwn(feeds, name)) fed += 1;
  if (fed !== inputs.length) return undefined;
  for (const spec of inputs) {
    const tensor = feeds[spec.name];
    if (tensor === undefined || tensor.type !== spec.type) return undefined;
    const dims = tensor.dims;
    if (dims.length !== spec.shape.length || dims.length === 0) return undefined;
    for (let i = 0; i < dims.length; i += 1) {
      const dim = dims[i] as number;
      const declared = spec.shape[i];
      if (!Number.isInteger(dim) || dim < 0) return undefined;
      if (i > 0 && declared !== null && declared !== undefined && declared !== dim) return undefined;
    }
    const tensorRows = dims[0] as number;
    if (tensorRows === 0 || (rows !== -1 && tensorRows !== rows)) return undefined;
    if (tensor.data.length !== tensorRows * elementsPerRow(dims)) return undefined;
    rows = tensorRows;
    key += `${dims.slice(1).join("x")};`;
  }
  return rows > 0 ? { key, rows } : undefined;
};
