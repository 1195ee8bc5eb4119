import type * as ort from "onnxruntime-node";
import type { TensorMap, TensorSpec } from "../tensor.js";
import { type Batchability, batchability } from "./batchability.js";
import { fromOrtOutputs, toOrtFeeds } from "./ort-tensors.js";
import { type SessionCache, type SessionSettings, sessionCache } from "./session-cache.js";
import { specsFromMetadata } from "./tensor-specs.js";
import { validateFeeds } from "./validate-feeds.js";

/** One ONNX file open in onnxruntime: its specs, batchability, and checked runs. */
export class OnnxSession {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  readonly batchability: Batchability;
  private closed = false;

  private constructor(
    readonly path: string,
    readonly session: ort.InferenceSession,
    private readonly key: string,
    private readonly cache: SessionCache,
  ) {
    this.inputs = specsFromMetadata(session.inputMetadata, "input", path);
    this.outputs = specsFromMetadata(session.outputMetadata, "output", path);
    this.batchability = batchability(this.inputs, this.outputs);
  }

  static async open(path: string, settings: SessionSettings, cache: SessionCache = sessionCache): Promise<OnnxSession> {
    const { key, session } = await cache.acquire(path, settings);
    try {
      return new OnnxSession(path, session, key, cache);
    } catch (error) {
      await cache.release(key);
      throw error;
    }
  }

  /** Throws the 400 that names the input when feeds do not match the model's inputs. */
  check(feeds: TensorMap): void {
    validateFeeds(this.inputs, feeds);
  }

  async run(feeds: TensorMap): Promise<TensorMap> {
    this.check(feeds);
    const outputs = await this.session.run(toOrtFeeds(feeds));
    return fromOrtOutputs(outputs, this.session.outputNames);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cache.release(this.key);
  }
}
