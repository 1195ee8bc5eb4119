import type { LoadedModel } from "../model/loaded-model.js";
import type { TensorMap } from "../tensor.js";

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

/**
 * One loaded version of a deployment, counting the requests it is running. A switch retires the slot instead of
 * closing it: requests already inside finish on it, and the session closes when the last one leaves, so that no
 * request ever meets a closed session.
 */
export class VersionSlot {
  private inFlight = 0;
  private retired = false;
  private closing: Promise<void> | undefined;
  private drainedResolve: (() => void) | undefined;
  private readonly drainedPromise: Promise<void>;

  constructor(
    readonly version: string,
    readonly model: LoadedModel,
    private readonly runner: ModelRunner,
    /** The options it was loaded and wrapped with (batching, worker): a change of them loads a fresh slot. */
    readonly loadedWith?: SlotLoadOptions,
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

  async runHeld(feeds: TensorMap): Promise<TensorMap> {
    try {
      return await this.runner.run(feeds);
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
