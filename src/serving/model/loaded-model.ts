import type { TensorMap, TensorSpec } from "../tensor.js";
import type { ModelSignature } from "./signature.js";

/**
 * One model loaded into onnxruntime, ready to run: what batching, deployments and `cairn serve` build on.
 * `loadModel(path, options)` in load-model.ts makes one from a bare .onnx file or an MLflow model directory
 * (MLmodel with the onnx flavor); anything else (a pickled model...) is refused before any of it is read as code.
 */
export interface LoadedModel {
  /** The local path it was loaded from. */
  readonly path: string;
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  /** Input column names of the MLflow signature, in order, when the model has a column-based signature. */
  readonly signatureColumns?: string[];
  /** The MLflow input example, when the model directory has one (already parsed JSON). */
  readonly inputExample?: unknown;
  /**
   * True when concurrent requests may be merged into one run: every input and output has a dynamic first dimension
   * and the model carries no recurrent state (state in, state out) that would mix between callers.
   */
  readonly batchable: boolean;
  /** Why the model is not batchable (state pair, fixed first dimension...); undefined when it is. */
  readonly notBatchableReason?: string;
  /** The MLflow signature (column- or tensor-based) when the model directory has one. */
  readonly signature?: ModelSignature;
  /** Checks feeds against `inputs` (names, types, shapes) and runs them; a mismatch is a 400 naming the input. */
  run(feeds: TensorMap): Promise<TensorMap>;
  /**
   * Runs a batch merged from several requests, like run(); on the model's inference worker thread when it was loaded
   * with `inferenceWorker`, so the event loop keeps serving HTTP meanwhile. The feeds' buffers may be transferred.
   */
  runMerged(feeds: TensorMap): Promise<TensorMap>;
  /** True when runMerged runs on an inference worker thread. */
  readonly mergedRunsOffThread: boolean;
  close(): Promise<void>;
}

export interface ModelLoadOptions {
  /** onnxruntime intra-op threads (default 1: serving parallelism comes from requests, not from one op). */
  intraOpThreads?: number;
  interOpThreads?: number;
  /**
   * The operator's budget of threads per session: thread counts a model's MLmodel asks for
   * (`onnx_session_options`) are cut to it, so a model file cannot make the server start hundreds of threads
   * (default: the machine's available parallelism). Counts the operator sets above are theirs and not cut.
   */
  maxModelThreads?: number;
  /**
   * Run merged batches on a worker thread with its own session (default false). Pays when a batch's run is long
   * enough to be worth overlapping with HTTP work (see docs/benchmarks.md, serving); only for batchable models.
   */
  inferenceWorker?: boolean;
}
