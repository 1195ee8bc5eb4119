import type { WriteContext } from "../../core/actor.js";
import type { Clock } from "../../core/clock.js";
import { CairnError, ErrorCode } from "../../core/errors.js";
import { atomically, type AuditEntry, type AuditRecorder } from "../../audit/recorder.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import type { LoadedModel, ModelLoadOptions } from "../model/loaded-model.js";
import { ExecutionFailure } from "../runtime/execution-limits.js";
import { type Deployment, type DeploymentOptions, type DeploymentStore, failureOf, type HistoryEntry, type SwitchReason, type TrafficPolicy } from "./deployment.js";
import { errorText, policySnapshot } from "./deployment-rules.js";
import { LiveDeployment, slotsOf, type RoutingState, type ServedRequest } from "./live-deployment.js";
import type { ShadowKeeper } from "./shadow-keeper.js";
import { VersionFailures } from "./version-failures.js";
import { sameLoadOptions, VersionSlot, type ModelRunner, type SlotLoadOptions } from "./version-slot.js";
import { warmUp } from "./warm-up.js";

/** Why a version is being loaded: a switch, an options update, or a start-up/sync load. */
export type LoadReason = SwitchReason | "update" | "load";

/** What the switch needs of the service's options (DeploymentServiceOptions satisfies it). */
export interface RoutingSwitchOptions {
  registry: { getModelVersion(name: string, version: string): Promise<ModelVersion> };
  materialize: (version: ModelVersion) => Promise<string>;
  loadModel: (path: string, options?: ModelLoadOptions) => Promise<LoadedModel>;
  loadOptions?: ModelLoadOptions;
  wrap?: (model: LoadedModel, options: DeploymentOptions, served: { deployment: string; version: string }) => ModelRunner;
  onLoaded?: (deployment: string, version: string, seconds: number) => void;
  onServed?: (request: ServedRequest, options: DeploymentOptions) => void;
  onError?: (error: unknown, what: string) => void;
  /** Runs `persist` (store and audit the mark of a version taken out of traffic) in the deployment's queue. */
  onVersionFailed?: (deployment: string, persist: () => Promise<void>) => Promise<void>;
  audit: AuditRecorder;
  /**
   * Keep the primary a switch replaces loaded as the deployment's warm standby (default true): a rollback or an alias
   * move back to it swaps at once, without a load, at the cost of one more loaded model per deployment.
   */
  standby?: boolean;
}

const slotOptions = (options: DeploymentOptions): SlotLoadOptions => ({
  ...(options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {}),
  ...(options.maxLatencyMs !== undefined ? { maxLatencyMs: options.maxLatencyMs } : {}),
  inferenceWorker: options.inferenceWorker,
});

/**
 * The live routing of every deployment in this process, and the one way it changes: load (and warm) what a new
 * policy needs, persist the policy with its history, swap the routing, audit, retire what is unused. Nothing is
 * switched when a load fails; the failure is reported (audit, last_error, the error).
 */
export class RoutingSwitch {
  private readonly live = new Map<string, LiveDeployment>();
  /** The options each live deployment serves with; read per request, so a new sample rate applies at once. */
  private readonly servedOptions = new Map<string, DeploymentOptions>();
  private readonly failures: VersionFailures;

  constructor(
    private readonly store: DeploymentStore,
    private readonly options: RoutingSwitchOptions,
    private readonly shadows: ShadowKeeper,
    private readonly clock: Clock,
    private readonly random: () => number,
  ) {
    this.failures = new VersionFailures({ store, audit: options.audit, clock });
  }

  get(name: string): LiveDeployment | undefined {
    return this.live.get(name);
  }

  names(): string[] {
    return [...this.live.keys()];
  }

  all(): LiveDeployment[] {
    return [...this.live.values()];
  }

  /** The options a live deployment serves with (undefined when not live). */
  servedWith(name: string): DeploymentOptions | undefined {
    return this.servedOptions.get(name);
  }

  /** Serves `state` under `name` at once (create, a start-up fallback); returns the slots it replaced. */
  install(name: string, state: RoutingState, options: DeploymentOptions): VersionSlot[] {
    let live = this.live.get(name);
    if (live === undefined) {
      live = new LiveDeployment(name, this.liveOptions(name));
      this.live.set(name, live);
    }
    this.servedOptions.set(name, options);
    return live.swap(state, this.standbyOptions(options));
  }

  /** What swap() keeps a standby for: slots loaded with these options (none when the standby is turned off). */
  private standbyOptions(options: DeploymentOptions): SlotLoadOptions | undefined {
    return this.options.standby === false ? undefined : slotOptions(options);
  }

  /** Stops serving `name`; its versions close once their requests drained. */
  async drop(name: string): Promise<void> {
    const live = this.live.get(name);
    this.live.delete(name);
    this.servedOptions.delete(name);
    if (live) await Promise.all(live.swap(undefined).map((slot) => slot.retire()));
  }

  async dropAll(): Promise<void> {
    await Promise.all(this.names().map((name) => this.drop(name)));
  }

  /** The live deployment's hooks; the options are looked up per request, so an update applies at once. */
  private liveOptions(name: string): ConstructorParameters<typeof LiveDeployment>[1] {
    const onServed = this.options.onServed;
    return {
      random: this.random,
      ...(onServed
        ? {
            onServed: (request: ServedRequest) => {
              const options = this.servedOptions.get(name);
              if (options !== undefined) onServed(request, options);
            },
          }
        : {}),
      onShadowError: (error: unknown) => this.options.onError?.(error, "shadow run"),
    };
  }

  /**
   * Loads, warms and wraps one version with these options; the model is closed again when any step fails. A load or
   * warm-up that fails by an execution limit (timeout, output cap, crash) marks the version failed at once: it would
   * fail the same way on every retry, and each retry would cost the full timeout again. `marks` false: a preload,
   * which marks nothing (the switch that follows meets the failure and marks it).
   */
  async load(deployment: Deployment, version: string, options: DeploymentOptions, marks = true): Promise<VersionSlot> {
    const modelVersion = await this.options.registry.getModelVersion(deployment.modelName, version);
    const started = performance.now();
    const path = await this.options.materialize(modelVersion);
    let model: LoadedModel;
    try {
      model = await this.options.loadModel(path, { ...this.options.loadOptions, inferenceWorker: options.inferenceWorker });
    } catch (error) {
      if (marks) await this.failedToWarm(deployment.name, modelVersion.version, error);
      throw error;
    }
    try {
      await warmUp(model);
      this.options.onLoaded?.(deployment.name, modelVersion.version, (performance.now() - started) / 1000);
      const served = { deployment: deployment.name, version: modelVersion.version };
      const runner = this.options.wrap?.(model, options, served) ?? { run: (feeds) => model.run(feeds) };
      return new VersionSlot(modelVersion.version, model, runner, slotOptions(options), {
        deployment: deployment.name,
        onFailed: (slot, failure) => this.failedInRequests(deployment.name, slot, failure),
      });
    } catch (error) {
      await model.close().catch(() => undefined);
      if (marks) await this.failedToWarm(deployment.name, modelVersion.version, error);
      throw error;
    }
  }

  /**
   * Loads (and warms) `version` ahead of a switch another replica is making, as the deployment's standby, so that the
   * switch, once stored, finds it loaded: a move to a version this replica never loaded costs one load in parallel
   * with that replica's, not one after it. Nothing is stored: a failure is reported and left for the switch to meet
   * (and mark). Runs in the deployment's queue. Nothing is loaded when the version is held already, marked failed,
   * or the standby is turned off.
   */
  async preload(deployment: Deployment, version: string): Promise<void> {
    const live = this.live.get(deployment.name);
    if (this.options.standby === false || live?.routing === undefined || failureOf(deployment, version) !== undefined) return;
    const held = [...slotsOf(live.routing), ...(live.standby !== undefined ? [live.standby] : [])];
    if (held.some((slot) => slot.version === version && !slot.isRetired && sameLoadOptions(slot.loadedWith, deployment.options))) return;
    const slot = await this.load(deployment, version, deployment.options, false);
    // Dropped meanwhile (stop): the slot has nothing to stand by for.
    const replaced = this.live.get(deployment.name) === live ? live.offerStandby(slot) : [slot];
    for (const old of replaced) void old.retire().catch((error: unknown) => this.options.onError?.(error, `closing version ${old.version}`));
  }

  private async failedToWarm(deployment: string, version: string, error: unknown): Promise<void> {
    if (!(error instanceof ExecutionFailure)) return;
    // The same version answering requests here right now (a reload for new options) proves the model can run: this
    // failure says more about the moment (a busy machine) than about the model, and the switch failing is enough.
    const live = this.live.get(deployment)?.routing;
    if (live !== undefined && slotsOf(live).some((slot) => slot.version === version && slot.failure === undefined)) return;
    await this.failures
      .mark(deployment, this.failures.failure(version, error, "warm-up"), error.message)
      .catch((cause: unknown) => this.options.onError?.(cause, `marking version ${version} of deployment '${deployment}' failed`));
  }

  /** The slot leaves traffic now; the mark is persisted and audited in the background. */
  private failedInRequests(deployment: string, slot: VersionSlot, error: ExecutionFailure): void {
    const failure = this.failures.failure(slot.version, error, "requests");
    slot.markFailed(failure);
    const persist = (): Promise<void> => this.failures.mark(deployment, failure, error.message);
    const marked = this.options.onVersionFailed ? this.options.onVersionFailed(deployment, persist) : persist();
    void marked.catch((cause: unknown) => this.options.onError?.(cause, `marking version ${slot.version} of deployment '${deployment}' failed`));
  }

  /**
   * A load that fails is reported three ways — audit ("serving.deployment.load_fail"), `last_error` on the stored
   * deployment (whose options stay as they were), and a 400 that says which version and why — and nothing is switched.
   */
  async loadOrReport(deployment: Deployment, version: string, reason: LoadReason, ctx: WriteContext, options: DeploymentOptions): Promise<VersionSlot> {
    try {
      return await this.load(deployment, version, options);
    } catch (error) {
      const message = `Version ${version} of model '${deployment.modelName}' could not be loaded for deployment '${deployment.name}' (${reason}); the previous routing keeps serving: ${errorText(error)}`;
      await this.options.audit.record(ctx, {
        action: "serving.deployment.load_fail",
        entityType: "deployment",
        entityId: deployment.name,
        after: { version, reason, error: errorText(error) },
      });
      const stored = await this.store.get(deployment.name).catch(() => undefined);
      if (stored !== undefined) await this.store.update({ ...stored, lastError: message, lastUpdatedTime: this.clock() }, []).catch(() => undefined);
      throw new CairnError(ErrorCode.INVALID_STATE, message, { cause: error });
    }
  }

  /**
   * A slot for each version of the policy, loaded with the deployment's options: reuses a loaded slot whose batching
   * and worker settings are these, loads the rest (all before anything switches).
   */
  async slotsFor(
    deployment: Deployment,
    policy: TrafficPolicy,
    reason: LoadReason,
    ctx: WriteContext,
    resume = false,
  ): Promise<{ state: RoutingState; loaded: VersionSlot[] }> {
    const live = this.live.get(deployment.name);
    const current = live?.routing;
    const existing = new Map<string, VersionSlot>();
    // The warm standby is reused like a serving slot (a move back to its version loads nothing), unless its version
    // was marked failed meanwhile (through another replica). A retired slot is never reused: it closes once drained.
    const standby = live?.standby !== undefined && failureOf(deployment, live.standby.version) === undefined ? live.standby : undefined;
    for (const slot of [standby, ...(current ? [current.primary, current.canary?.slot, current.shadow?.slot] : [])]) {
      if (slot && !slot.isRetired && sameLoadOptions(slot.loadedWith, deployment.options)) existing.set(slot.version, slot);
    }
    const loaded: VersionSlot[] = [];
    const slotOf = async (version: string): Promise<VersionSlot> => {
      const found = existing.get(version);
      if (found) return found;
      const failure = failureOf(deployment, version);
      if (failure !== undefined) {
        // Start-up and syncs keep the policy as stored, with the failed version out of traffic and never loaded;
        // a switch to it is refused (an operator clears the mark by redeploying).
        if (reason === "load" || reason === "update") return VersionSlot.failed(deployment.name, failure, slotOptions(deployment.options));
        await Promise.all(loaded.map((slot) => slot.retire()));
        throw new CairnError(
          ErrorCode.INVALID_STATE,
          `Version ${version} of model '${deployment.modelName}' is marked failed in deployment '${deployment.name}' (${failure.reason}); ` +
            "redeploy it (delete and create the deployment) or deploy another version.",
        );
      }
      try {
        const slot = await this.loadOrReport(deployment, version, reason, ctx, deployment.options);
        existing.set(version, slot);
        loaded.push(slot);
        return slot;
      } catch (error) {
        await Promise.all(loaded.map((slot) => slot.retire()));
        throw error;
      }
    };
    const primary = await slotOf(policy.primary);
    const canary = policy.canary ? { slot: await slotOf(policy.canary.version), weight: policy.canary.weight, sticky: policy.canary.sticky } : undefined;
    let shadow: RoutingState["shadow"];
    if (policy.shadow) {
      const slot = await slotOf(policy.shadow.version);
      const kept = current?.shadow;
      const share = policy.shadow.share;
      // The comparison restarts when either side's version changes; a new canary or reloaded slots do not reset it.
      const recorder =
        kept && kept.slot.version === slot.version && current?.primary.version === primary.version && kept.share === share
          ? kept.recorder
          : ((resume ? await this.shadows.resumedRecorder(deployment, primary.version, slot.version, share) : undefined) ??
            this.shadows.newRecorder(deployment.name, primary.version, slot.version, share));
      shadow = { slot, share, recorder };
    }
    return { state: { primary, ...(canary ? { canary } : {}), ...(shadow ? { shadow } : {}) }, loaded };
  }

  /**
   * Load what the new policy (and options) need, persist it with its history, swap the routing, audit, retire what
   * is unused. An empty history is a load (start-up, sync) or an options update: not audited here.
   */
  async change(
    deployment: Deployment,
    policy: TrafficPolicy,
    history: HistoryEntry[],
    verb: string,
    ctx: WriteContext,
    how: {
      followedVersion?: string;
      reason?: LoadReason;
      resume?: boolean;
      gate?: string;
      approvalsSkipped?: string;
      /** The audit event of a change that writes no history (an options update); default: `serving.deployment.<verb>`
       * when there is history. */
      auditEntry?: (next: Deployment) => AuditEntry;
      /**
       * false: load what the store holds without writing it back (a replica syncing with another's change). Writing
       * would replace, with the row read before the load, a change another replica committed during the load.
       */
      persist?: boolean;
      /**
       * Persist only if the stored deployment is still the one read (a compare-and-set on last_updated_time): when
       * several replicas follow the same alias move, one records it; the others load what it stored.
       */
      ifUnchanged?: boolean;
    } = {},
  ): Promise<Deployment> {
    const { state, loaded } = await this.slotsFor(deployment, policy, how.reason ?? history[0]?.reason ?? "load", ctx, how.resume);
    const { lastError: _cleared, ...rest } = deployment;
    const next: Deployment = {
      ...rest,
      policy,
      ...(how.followedVersion !== undefined ? { followedVersion: how.followedVersion } : {}),
      lastUpdatedTime: this.clock(),
    };
    const entry: AuditEntry | undefined =
      how.auditEntry?.(next) ??
      (history.length > 0
        ? {
            action: `serving.deployment.${verb}`,
            entityType: "deployment",
            entityId: deployment.name,
            before: policySnapshot(deployment),
            // `gate`: the target whose rules let this primary serve (a later rollback's evidence); and what it skipped.
            after: {
              ...policySnapshot(next),
              ...(how.gate !== undefined ? { gate: how.gate } : {}),
              ...(how.approvalsSkipped !== undefined ? { approvals_skipped: how.approvalsSkipped } : {}),
            },
          }
        : undefined);
    try {
      // The stored switch and its audit event commit together: a crash keeps both or neither.
      if (how.persist !== false) {
        const written = await atomically(this.options.audit, async () => {
          const stored = await this.store.update(next, history, how.ifUnchanged === true ? deployment.lastUpdatedTime : undefined);
          if (stored && entry !== undefined) await this.options.audit.record(ctx, entry);
          return stored;
        });
        if (!written) {
          // Another replica recorded a change first. The same policy: serve what was loaded; another: load what it stored.
          const current = await this.store.get(deployment.name);
          if (current === undefined || JSON.stringify(current.policy) !== JSON.stringify(policy)) {
            await Promise.all(loaded.map((slot) => slot.retire()));
            return current === undefined ? deployment : this.change(current, current.policy, [], verb, ctx, { persist: false });
          }
        }
      }
    } catch (error) {
      await Promise.all(loaded.map((slot) => slot.retire()));
      throw error;
    }
    let live = this.live.get(deployment.name);
    if (live === undefined) {
      live = new LiveDeployment(deployment.name, this.liveOptions(deployment.name));
      this.live.set(deployment.name, live);
    }
    const previousShadow = live.routing?.shadow?.recorder;
    this.servedOptions.set(deployment.name, next.options);
    const retired = live.swap(state, this.standbyOptions(next.options));
    // A dropped or replaced shadow's last report stays readable until the next one starts, and is saved.
    if (previousShadow && state.shadow?.recorder !== previousShadow) await this.shadows.keepDropped(deployment.name, previousShadow);
    for (const slot of retired) void slot.retire().catch((error: unknown) => this.options.onError?.(error, `closing version ${slot.version}`));
    return next;
  }

}
