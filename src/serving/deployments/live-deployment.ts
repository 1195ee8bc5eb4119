import { performance } from "node:perf_hooks";
import { CairnError, ErrorCode, notFound } from "../../core/errors.js";
import type { InferenceContext, InferenceResult, ServedModel } from "../served-model.js";
import type { TensorMap, TensorSpec } from "../tensor.js";
import { compareOutputs } from "./shadow-comparison.js";
import type { ShadowRecorder } from "./shadow-report.js";
import { routesToCanary } from "./traffic-split.js";
import { failedVersionError, sameLoadOptions, type SlotLoadOptions, type VersionSlot } from "./version-slot.js";

/** Which loaded versions take which traffic, swapped as one object so that a request sees one whole policy. */
export interface RoutingState {
  primary: VersionSlot;
  canary?: { slot: VersionSlot; weight: number; sticky: boolean };
  shadow?: { slot: VersionSlot; share: number; recorder: ShadowRecorder };
}

/** What a served request looked like, for the prediction log and metrics (called off the response path). */
export interface ServedRequest {
  deployment: string;
  version: string;
  context: InferenceContext;
  feeds: TensorMap;
  outputs: TensorMap;
  latencyMs: number;
}

export interface LiveDeploymentOptions {
  random?: () => number;
  onServed?: (request: ServedRequest) => void;
  onShadowError?: (error: unknown) => void;
}

/**
 * A deployment as the protocol routes see it. `state` is replaced, never mutated: a switch builds the next state
 * and assigns it in one statement, and a request reads it once and takes a hold on its slot before its first await,
 * so it runs entirely on the version it was routed to, however many switches happen meanwhile.
 */
export class LiveDeployment implements ServedModel {
  private state: RoutingState | undefined;
  /**
   * The warm standby: the version this deployment served as primary before its last primary switch, still loaded
   * (and warmed) but taking no traffic, so that a rollback or an alias move back to it swaps without a load. Never in
   * `state`; never retired while it is the standby (swap() hands it back for retiring only once it stops being one).
   */
  private standbySlot: VersionSlot | undefined;
  private readonly random: () => number;

  constructor(
    readonly name: string,
    private readonly options: LiveDeploymentOptions = {},
  ) {
    this.random = options.random ?? Math.random;
  }

  get routing(): RoutingState | undefined {
    return this.state;
  }

  /** The warm standby (loaded, taking no traffic), if any. */
  get standby(): VersionSlot | undefined {
    return this.standbySlot;
  }

  /**
   * Makes `slot` (loaded ahead of a switch, taking no traffic) the standby; returns what it replaced, for the caller to
   * retire: the previous standby, or `slot` itself when there is no routing to stand by for (the deployment dropped).
   */
  offerStandby(slot: VersionSlot): VersionSlot[] {
    if (this.state === undefined || slotsOf(this.state).includes(slot) || slot.isRetired) return [slot];
    const previous = this.standbySlot;
    this.standbySlot = slot;
    return previous !== undefined && previous !== slot ? [previous] : [];
  }

  /**
   * Swaps the routing state; returns the slots no longer referenced, by the state or as the standby (the caller
   * retires them, and only them). With `keepStandby` (the options the next state's slots are loaded with), the
   * primary being replaced becomes the standby, replacing the previous standby; a primary that stays keeps the
   * standby there was. A slot is never both returned and kept: a slot returned is retired, and a retired slot is
   * never reused (it closes once drained), so a standby is only a slot that is neither retired nor failed.
   */
  swap(next: RoutingState | undefined, keepStandby?: SlotLoadOptions): VersionSlot[] {
    const previousPrimary = this.state?.primary;
    const before = new Set([...slotsOf(this.state), ...(this.standbySlot !== undefined ? [this.standbySlot] : [])]);
    this.state = next;
    const after = new Set(slotsOf(next));
    const keepable = (slot: VersionSlot | undefined): slot is VersionSlot =>
      keepStandby !== undefined &&
      next !== undefined &&
      slot !== undefined &&
      !after.has(slot) &&
      slot.failure === undefined &&
      !slot.isRetired &&
      sameLoadOptions(slot.loadedWith, keepStandby);
    // The replaced primary first: it is the newer standby (what a rollback returns to).
    this.standbySlot = keepable(previousPrimary) ? previousPrimary : keepable(this.standbySlot) ? this.standbySlot : undefined;
    return [...before].filter((slot) => !after.has(slot) && slot !== this.standbySlot);
  }

  /** The versions that take traffic (not those marked failed). */
  versions(): string[] {
    return [...new Set(slotsOf(this.state).filter((slot) => slot.failure === undefined).map((slot) => slot.version))];
  }

  private slot(version: string | undefined): VersionSlot {
    const state = this.state;
    if (state === undefined) {
      throw new CairnError(ErrorCode.TEMPORARILY_UNAVAILABLE, `Deployment '${this.name}' has no version loaded.`);
    }
    const found = version === undefined ? state.primary : slotsOf(state).find((slot) => slot.version === version);
    if (found === undefined) {
      throw notFound(`Deployment '${this.name}' does not serve version '${version}'; it serves ${this.versions().join(", ")}.`);
    }
    if (found.failure !== undefined) throw failedVersionError(this.name, found.failure);
    return found;
  }

  inputs(version?: string): TensorSpec[] {
    return this.slot(version).model.inputs;
  }

  outputs(version?: string): TensorSpec[] {
    return this.slot(version).model.outputs;
  }

  signatureColumns(version?: string): string[] | undefined {
    return this.slot(version).model.signatureColumns;
  }

  ready(version?: string): boolean {
    if (this.state === undefined) return false;
    return version === undefined ? this.state.primary.failure === undefined : this.versions().includes(version);
  }

  async infer(feeds: TensorMap, context: InferenceContext): Promise<InferenceResult> {
    const state = this.state;
    let chosen: VersionSlot;
    if (context.version !== undefined) chosen = this.slot(context.version);
    else if (state === undefined) chosen = this.slot(undefined);
    else if (
      state.canary &&
      state.canary.slot.failure === undefined &&
      routesToCanary(state.canary.weight, state.canary.sticky, context.routingKey, this.random)
    ) {
      chosen = state.canary.slot;
    } else chosen = this.slot(undefined);
    // A version marked failed takes no traffic: a failed canary's share goes to the primary, a failed shadow mirrors nothing.
    const shadow = state?.shadow !== undefined && state.shadow.slot.failure === undefined && chosen === state.primary && context.version === undefined && this.random() < state.shadow.share
      ? state.shadow
      : undefined;
    // Both holds are taken before the first await (see the class comment).
    chosen.hold();
    shadow?.slot.hold();
    const started = performance.now();
    let outputs: TensorMap;
    try {
      outputs = await chosen.runHeld(feeds);
    } catch (error) {
      if (shadow) {
        shadow.recorder.recordMirrored();
        shadow.recorder.recordPrimaryError();
        void shadow.slot.runHeld(feeds).catch(() => undefined);
      }
      throw error;
    }
    const latencyMs = performance.now() - started;
    if (shadow) setImmediate(() => this.mirror(shadow, feeds, outputs, latencyMs));
    if (this.options.onServed) {
      const onServed = this.options.onServed;
      const served: ServedRequest = { deployment: this.name, version: chosen.version, context, feeds, outputs, latencyMs };
      setImmediate(() => onServed(served));
    }
    return { outputs, version: chosen.version, outputSpecs: chosen.model.outputs };
  }

  /** The shadow run, after the caller has its answer; its result and errors go to the recorder only. */
  private mirror(shadow: NonNullable<RoutingState["shadow"]>, feeds: TensorMap, primary: TensorMap, primaryMs: number): void {
    shadow.recorder.recordMirrored();
    const started = performance.now();
    shadow.slot.runHeld(feeds).then(
      (candidate) => {
        const candidateMs = performance.now() - started;
        try {
          shadow.recorder.recordComparison(compareOutputs(primary, candidate), primaryMs, candidateMs);
        } catch (error) {
          this.options.onShadowError?.(error);
        }
      },
      (error: unknown) => {
        shadow.recorder.recordCandidateError(primaryMs);
        this.options.onShadowError?.(error);
      },
    );
  }
}

export const slotsOf = (state: RoutingState | undefined): VersionSlot[] =>
  state === undefined
    ? []
    : [state.primary, ...(state.canary ? [state.canary.slot] : []), ...(state.shadow ? [state.shadow.slot] : [])];
