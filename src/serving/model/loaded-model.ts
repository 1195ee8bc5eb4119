import type { ExecutionLimits } from "../runtime/execution-limits.js";
import type { ModelExecutor } from "../runtime/model-executor.js";
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
  /** The limits every run of it obeys (timeout, output cap), when it runs in a model executor. */
  readonly limits?: ExecutionLimits;
  /** The process it runs in (load-model.ts always uses one; tests kill it to play a crash). */
  readonly executor?: ModelExecutor;
  /**
   * Checks feeds against `inputs` (names, types, shapes) and runs them; a mismatch is a 400 naming the input. A run
   * that exceeds a limit or loses its executor rejects with an ExecutionFailure (execution-limits.ts).
   */
  run(feeds: TensorMap): Promise<TensorMap>;
  /**
   * Runs a batch merged from several requests, like run(), off the event loop when mergedRunsOffThread.
   */
  runMerged(feeds: TensorMap): Promise<TensorMap>;
  /** True when runMerged runs off the event loop (always, for a model from loadModel: it runs in its executor). */
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
   * Kept for the deployments' `inference_worker` option: every run now happens in the model's executor process
   * (model-executor.ts), so it changes nothing any more.
   */
  inferenceWorker?: boolean;
  /** Timeout, output cap and load timeout of the model's executor (default DEFAULT_EXECUTION_LIMITS). */
  limits?: Partial<ExecutionLimits>;
}
