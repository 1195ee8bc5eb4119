import type { TensorMap } from "../tensor.js";

/** What the main thread and an inference worker say to each other. */
export interface WorkerRequest {
  id: number;
  feeds: TensorMap;
}

export type WorkerReply = { id: number; outputs: TensorMap } | { id: number; error: string };

/**
 * The buffers that can move to the other thread instead of being copied: a typed array that is the whole of its
 * buffer (a view into a larger buffer, such as a slice of a request body, would take its neighbours along).
 */
export const transferablesOf = (tensors: TensorMap): ArrayBuffer[] => {
  const buffers: ArrayBuffer[] = [];
  for (const tensor of Object.values(tensors)) {
    const data = tensor.data;
    if (Array.isArray(data)) continue;
    const buffer = data.buffer;
    if (buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength && !buffers.includes(buffer)) {
      buffers.push(buffer);
    }
  }
  return buffers;
};
