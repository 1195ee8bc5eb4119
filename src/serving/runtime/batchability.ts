import type { TensorSpec } from "../tensor.js";

export interface Batchability {
  batchable: boolean;
  /** Why not, for logs and `deployments show`; undefined when batchable. */
  reason?: string;
}

/** Output names that carry an input's state forward: h -> hn, c -> cn, state -> stateN, past -> past_out... */
const stateOutputNames = (input: string): string[] => {
  const n = input.toLowerCase();
  return [`${n}n`, `${n}_n`, `${n}_out`, `${n}_new`, `new_${n}`, `next_${n}`, `${n}_next`, n.replace(/^past/, "present")];
};

/**
 * Whether concurrent requests may be merged along the first dimension into one run and split back.
 *
 * The heuristic (the ONNX graph says nothing explicit about batching or state):
 * 1. every output, and every input except rank-0 ones, has a dynamic first dimension — a fixed [1,4] model cannot
 *    take 2 rows, and an output without a batch dimension cannot be split back per caller;
 * 2. rank-0 inputs are configuration scalars (Silero's `sr`): they do not block batching, but a batcher must merge
 *    only requests whose scalar inputs are equal;
 * 3. no state pair: an input whose name has a matching output (h -> hn, c -> cn, state -> stateN, past_* ->
 *    present_*) is recurrent state that belongs to one caller's stream, so merging would mix callers' streams.
 * Silero VAD fails 1 (h, c are [2, batch, 64]) and 3 (h -> hn, c -> cn).
 */
export function batchability(inputs: readonly TensorSpec[], outputs: readonly TensorSpec[]): Batchability {
  const outputNames = new Set(outputs.map((o) => o.name.toLowerCase()));
  for (const input of inputs) {
    const state = stateOutputNames(input.name).find((o) => o !== input.name.toLowerCase() && outputNames.has(o));
    if (state !== undefined) return { batchable: false, reason: `input '${input.name}' is state carried to output '${state}'` };
  }
  for (const input of inputs) {
    if (input.shape.length === 0) continue;
    if (input.shape[0] !== null) return { batchable: false, reason: `input '${input.name}' has a fixed first dimension ${input.shape[0]}` };
  }
  for (const output of outputs) {
    if (output.shape.length === 0 || output.shape[0] !== null) {
      return { batchable: false, reason: `output '${output.name}' has no dynamic first dimension` };
    }
  }
  if (inputs.every((i) => i.shape.length === 0)) return { batchable: false, reason: "the model has no batched input" };
  return { batchable: true };
}
