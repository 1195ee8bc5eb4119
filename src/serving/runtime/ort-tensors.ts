import * as ort from "onnxruntime-node";
import type { ElementType, Tensor, TensorData, TensorMap } from "../tensor.js";

/** Cairn tensors -> onnxruntime tensors (no copy: ort wraps the typed array). */
export function toOrtFeeds(feeds: TensorMap): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    out[name] = new ort.Tensor(t.type, t.data as ort.Tensor.DataType, t.dims);
  }
  return out;
}

/** onnxruntime outputs -> Cairn tensors, in the model's output order. */
export function fromOrtOutputs(outputs: ort.InferenceSession.ReturnType, names: readonly string[]): TensorMap {
  const result: TensorMap = {};
  for (const name of names) {
    const t = outputs[name];
    if (t === undefined) continue;
    const tensor: Tensor = { type: t.type as ElementType, dims: Array.from(t.dims), data: t.data as TensorData };
    result[name] = tensor;
  }
  return result;
}
