import { CairnError, ErrorCode } from "../core/errors.js";
import { AdaptiveBatcher, type BatchObserver, type BatchingOptions } from "./batching/adaptive-batcher.js";
import type { LoadedModel } from "./model/loaded-model.js";
import type { InferenceContext, InferenceResult, ServedModel, ServedModels } from "./served-model.js";
import type { TensorMap, TensorSpec } from "./tensor.js";

/**
 * The one model of `cairn serve`: a LoadedModel behind adaptive batching, under a name and a single version
 * (no traffic policy: canary and shadow belong to deployments inside `cairn server`).
 */
export class SingleModel implements ServedModel, ServedModels {
  private readonly batcher: AdaptiveBatcher;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly model: LoadedModel,
    private readonly version = "1",
    batching: BatchingOptions = {},
    observer?: BatchObserver,
  ) {
    this.batcher = new AdaptiveBatcher(model, batching, observer);
  }

  get batching(): boolean {
    return this.batcher.batching;
  }

  versions(): string[] {
    return this.closed ? [] : [this.version];
  }

  inputs(): TensorSpec[] {
    return this.model.inputs;
  }

  outputs(): TensorSpec[] {
    return this.model.outputs;
  }

  signatureColumns(): string[] | undefined {
    return this.model.signatureColumns;
  }

  ready(version?: string): boolean {
    return !this.closed && (version === undefined || version === this.version);
  }

  async infer(feeds: TensorMap, context: InferenceContext): Promise<InferenceResult> {
    if (this.closed) throw new CairnError(ErrorCode.TEMPORARILY_UNAVAILABLE, `Model '${this.name}' is shutting down.`);
    if (context.version !== undefined && context.version !== this.version) {
      throw new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `Model '${this.name}' serves version ${this.version}, not ${context.version}.`);
    }
    return { outputs: await this.batcher.run(feeds), version: this.version };
  }

  get(name: string): ServedModel | undefined {
    return name === this.name ? this : undefined;
  }

  list(): ServedModel[] {
    return [this];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.batcher.drain();
    await this.model.close();
  }
}
