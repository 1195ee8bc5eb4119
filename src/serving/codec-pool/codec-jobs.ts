import { CairnError, isCairnError, type ErrorCode } from "../../core/errors.js";
import type { TensorMap, TensorSpec } from "../tensor.js";
import { decodeScoringRequest, encodePredictions, type PredictionForm, type ScoringModel, type ScoringRequest } from "../protocols/mlflow-scoring.js";
import { decodeInferText, encodeInferResponse, type OipInferRequest } from "../protocols/open-inference.js";

/**
 * The four codec steps of a scoring request as plain data in, plain data out, so the same functions run on the event
 * loop (small requests) and on the codec pool's worker threads (large ones): one implementation, same answers and
 * same errors either way.
 */
export type CodecJob =
  | { kind: "decode-mlflow"; body: Uint8Array; contentType: string | undefined; model: ScoringModel }
  | { kind: "decode-oip"; body: Uint8Array; inputs: readonly TensorSpec[]; outputs: readonly TensorSpec[] }
  | { kind: "encode-mlflow"; outputs: TensorMap; order: readonly string[]; form: PredictionForm }
  | { kind: "encode-oip"; modelName: string; version: string; id: string; outputs: TensorMap; order: readonly string[] };

export interface CodecResults {
  "decode-mlflow": ScoringRequest;
  "decode-oip": OipInferRequest;
  "encode-mlflow": Uint8Array;
  "encode-oip": Uint8Array;
}

export type CodecResult = CodecResults[CodecJob["kind"]];

/** A failure as it crosses the thread boundary: a CairnError keeps its code, message and status. */
export interface CodecFailure {
  message: string;
  cairn?: { code: ErrorCode; status: number };
}

const utf8 = new TextEncoder();

/** The body as text exactly as fastify's string parser read it (UTF-8; malformed sequences become U+FFFD). */
export const bodyText = (body: Uint8Array): string => Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");

/** Runs one job. Encoded answers are UTF-8 bytes of the JSON text, sent as they are (no second encoding pass). */
export const runCodecJob = (job: CodecJob): CodecResult => {
  switch (job.kind) {
    case "decode-mlflow":
      return decodeScoringRequest(bodyText(job.body), job.contentType, job.model);
    case "decode-oip":
      return decodeInferText(bodyText(job.body), job.inputs, job.outputs);
    case "encode-mlflow":
      return utf8.encode(JSON.stringify({ predictions: encodePredictions(job.outputs, job.order, job.form) }));
    case "encode-oip":
      return utf8.encode(JSON.stringify(encodeInferResponse(job.modelName, job.version, job.id, job.outputs, job.order)));
  }
};

/** How big a job is, in bytes of input: what the pool's inline threshold and queue bound compare. */
export const codecJobBytes = (job: CodecJob): number => {
  if (job.kind === "decode-mlflow" || job.kind === "decode-oip") return job.body.byteLength;
  let bytes = 0;
  for (const tensor of Object.values(job.outputs)) {
    const data = tensor.data;
    if (Array.isArray(data)) for (const value of data) bytes += value.length;
    else bytes += data.byteLength;
  }
  return bytes;
};

export const failureOf = (error: unknown): CodecFailure =>
  isCairnError(error)
    ? { message: error.message, cairn: { code: error.code, status: error.status } }
    : { message: error instanceof Error ? error.message : String(error) };

/** The failure rebuilt on the loop: a CairnError when it was one (the client's), a plain Error otherwise. */
export const errorOf = (failure: CodecFailure): Error =>
  failure.cairn === undefined ? new Error(failure.message) : new CairnError(failure.cairn.code, failure.message, { status: failure.cairn.status });

/** The ArrayBuffers a result can hand over without copying: decoded feeds' typed arrays, an encoded answer's bytes. */
export const transferablesOf = (result: CodecResult): ArrayBuffer[] => {
  if (result instanceof Uint8Array) return wholeBuffer(result);
  const buffers = new Set<ArrayBuffer>();
  for (const tensor of Object.values(result.feeds)) {
    if (!Array.isArray(tensor.data)) for (const buffer of wholeBuffer(tensor.data)) buffers.add(buffer);
  }
  return [...buffers];
};

/** A view's buffer when the view owns all of it (never a pooled Buffer's shared slab). */
const wholeBuffer = (view: ArrayBufferView): ArrayBuffer[] =>
  view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? [view.buffer] : [];
