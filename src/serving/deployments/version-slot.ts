import { CairnError, ErrorCode } from "../../core/errors.js";
import type { LoadedModel } from "../model/loaded-model.js";
import { ExecutionFailure } from "../runtime/execution-limits.js";
import type { TensorMap } from "../tensor.js";
import type { FailedVersion } from "./deployment.js";

/** What runs requests for one loaded version: the model itself, or an adaptive batcher in front of it. */
export interface ModelRunner {
  run(feeds: TensorMap): Promise<TensorMap>;
  /** Flushes what it holds; the model is closed after it. */
  close?(): Promise<void>;
}

/** The deployment options a loaded version depends on. */
export interface SlotLoadOptions {
  maxBatchSize?: number;
  maxLatencyMs?: number;
  inferenceWorker: boolean;
}

export const sameLoadOptions = (a: SlotLoadOptions | undefined, b: SlotLoadOptions | undefined): boolean =>
  a?.maxBatchSize === b?.maxBatchSize && a?.maxLatencyMs === b?.maxLatencyMs && (a?.inferenceWorker ?? false) === (b?.inferenceWorker ?? false);

/** Execution failures in a row (timeouts, output caps, crashed executors) after which a version is marked failed. */
export const FAILURES_BEFORE_MARKED = 3;

/** Who a slot serves, and what hears of it failing FAILURES_BEFORE_MARKED times in a row. */
export interface SlotWatch {
  deployment: string;
  onFailed(slot: VersionSlot, failure: ExecutionFailure): void;
}

/** The answer of a version marked failed: it takes no traffic (503), and says why and how to clear it. */
export const failedVersionError = (deployment: string, failure: FailedVersion): CairnError =>
  new CairnError(
    ErrorCode.TEMPORARILY_UNAVAILABLE,
    `Deployment '${deployment}' version ${failure.version} is marked failed and takes no traffic (${failure.reason}); ` +
      "redeploy it (delete and create the deployment) or deploy another version.",
  );

/** What a failed slot stands on: no model is loaded (nor warmed) for a version marked failed. */
const unloadedModel = (version: string): LoadedModel => ({
  path: "",
  inputs: [],
  outputs: [],
  batchable: false,
  mergedRunsOffThread: false,
  run: () => Promise.reject(new Error(`version ${version} is not loaded`)),
  runMerged: () => Promise.reject(new Error(`version ${version} is not loaded`)),
  close: () => Promise.resolve(),
});

/**
 * One loaded version of a deployment, counting the requests it is running. A switch retires the slot instead of
 * closing it: requests already inside finish on it, and the session closes when the last one leaves, so that no
 * request ever meets a closed session.
 */
export class VersionSlot {
  private inFlight = 0;
  private retired = false;
  private failuresInARow = 0;
  /** Failures already counted: the executor rejects every run it held with one error, which counts once. */
  private readonly counted = new WeakSet<Error>();
  private failedAs: FailedVersion | undefined;
  private closing: Promise<void> | undefined;
  private drainedResolve: (() => void) | undefined;
  private readonly drainedPromise: Promise<void>;

  constructor(
    readonly version: string,
    readonly model: LoadedModel,
    private readonly runner: ModelRunner,
    /** The options it was loaded and wrapped with (batching, worker): a change of them loads a fresh slot. */
    readonly loadedWith?: SlotLoadOptions,
    private readonly watch?: SlotWatch,
  ) {
    this.drainedPromise = new Promise((resolve) => {
      this.drainedResolve = resolve;
    });
  }

  async run(feeds: TensorMap): Promise<TensorMap> {
    this.hold();
    return this.runHeld(feeds);
  }

  /**
   * Reserves the slot for a run that starts later (a shadow run waits for the primary's answer): a retire() in
   * between waits for it instead of closing the session under it. Every hold() is followed by one runHeld().
   */
  hold(): void {
    this.inFlight += 1;
  }

  /** A slot for a version marked failed before it was loaded (start-up, sync): it holds no model. */
  static failed(deployment: string, failure: FailedVersion, loadedWith?: SlotLoadOptions): VersionSlot {
    const model = unloadedModel(failure.version);
    const slot = new VersionSlot(failure.version, model, { run: (feeds) => model.run(feeds) }, loadedWith, { deployment, onFailed: () => undefined });
    slot.failedAs = failure;
    return slot;
  }

  /** Why this version takes no traffic, once marked failed. */
  get failure(): FailedVersion | undefined {
    return this.failedAs;
  }

  /** Takes the version out of traffic and stops its executor (requests still inside it fail). */
  markFailed(failure: FailedVersion): void {
    if (this.failedAs !== undefined) return;
    this.failedAs = failure;
    void this.model.close().catch(() => undefined);
  }

  async runHeld(feeds: TensorMap): Promise<TensorMap> {
    try {
      if (this.failedAs !== undefined) throw failedVersionError(this.watch?.deployment ?? "?", this.failedAs);
      const outputs = await this.runner.run(feeds);
      this.failuresInARow = 0;
      return outputs;
    } catch (error) {
      if (!(error instanceof ExecutionFailure) || this.watch === undefined) throw error;
      const named = error.within(`Deployment '${this.watch.deployment}' version ${this.version}`);
      if (!this.counted.has(error)) {
        this.counted.add(error);
        this.failuresInARow += 1;
        if (this.failuresInARow >= FAILURES_BEFORE_MARKED && this.failedAs === undefined) this.watch.onFailed(this, named);
      }
      throw named;
    } finally {
      this.inFlight -= 1;
      if (this.retired && this.inFlight === 0) this.drainedResolve?.();
    }
  }

  get active(): number {
    return this.inFlight;
  }

  get isRetired(): boolean {
    return this.retired;
  }

  /** Stops taking part in new routing decisions (the caller already swapped it out) and closes once drained. */
  retire(): Promise<void> {
    if (this.closing) return this.closing;
    this.retired = true;
    if (this.inFlight === 0) this.drainedResolve?.();
    this.closing = this.drainedPromise.then(async () => {
      await this.runner.close?.();
      await this.model.close();
    });
    return this.closing;
  }
}
