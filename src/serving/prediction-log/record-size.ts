import type { TensorMap } from "../tensor.js";
import { type PredictionEntry, type PredictionRecord, tensorMapJson } from "./records.js";

/**
 * Largest inputs + outputs JSON one logged request keeps (64 KiB): a tabular request of a few hundred rows fits;
 * an 18 MB scoring body does not, so it cannot grow the log by megabytes per request.
 */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

/** A tensor whose values were not logged because its request was over the record limit: its shape and type stay. */
export interface OmittedTensor {
  dims: number[];
  type: string;
  omitted: true;
}

const omittedJson = (tensors: TensorMap): string => {
  const logged: Record<string, OmittedTensor> = {};
  for (const [name, tensor] of Object.entries(tensors)) logged[name] = { dims: [...tensor.dims], type: tensor.type, omitted: true };
  return JSON.stringify(logged);
};

/** The entry with its tensors replaced by their shapes (cheap: no value is read). */
export const omittedRecord = (entry: PredictionEntry): PredictionRecord => ({
  deployment: entry.deployment,
  version: entry.version,
  time: entry.time,
  latencyMs: entry.latencyMs,
  requestId: entry.requestId,
  inputs: omittedJson(entry.inputs),
  outputs: omittedJson(entry.outputs),
});

const elements = (tensors: TensorMap): number => {
  let total = 0;
  for (const tensor of Object.values(tensors)) total += tensor.data.length;
  return total;
};

/**
 * Whether the entry is certainly over `maxBytes` without serialising it: every value takes at least one byte of
 * JSON. O(number of tensors), so record() can use it on the serving path and let go of a huge body at once.
 */
export const certainlyOverLimit = (entry: PredictionEntry, maxBytes: number): boolean =>
  elements(entry.inputs) + elements(entry.outputs) > maxBytes;

/** The record as stored: whole when its inputs + outputs JSON fit in `maxBytes`, else with its tensors omitted. */
export const boundedRecord = (entry: PredictionEntry, maxBytes: number): PredictionRecord => {
  if (certainlyOverLimit(entry, maxBytes)) return omittedRecord(entry);
  const inputs = tensorMapJson(entry.inputs);
  const outputs = tensorMapJson(entry.outputs);
  if (Buffer.byteLength(inputs) + Buffer.byteLength(outputs) > maxBytes) return omittedRecord(entry);
  return { deployment: entry.deployment, version: entry.version, time: entry.time, latencyMs: entry.latencyMs, requestId: entry.requestId, inputs, outputs };
};
