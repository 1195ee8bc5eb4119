import { systemContext, type WriteContext } from "../../core/actor.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { CairnError, ErrorCode, invalidParameter, notFound } from "../../core/errors.js";
import { RegistryEventType, type DomainEvent, type EventSink } from "../../core/events.js";
import type { AuditRecorder } from "../../audit/recorder.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import { parseModelUri, type ModelUri } from "../../registry/model-uri.js";
import type { LoadedModel, ModelLoadOptions } from "../model/loaded-model.js";
import type { ServedModels } from "../served-model.js";
import type {
  Deployment,
  DeploymentOptions,
  DeploymentRole,
  DeploymentStore,
  HistoryEntry,
  SwitchReason,
  TrafficPolicy,
} from "./deployment.js";
import { LiveDeployment, type RoutingState, type ServedRequest } from "./live-deployment.js";
import { previousPrimary } from "./rollback-target.js";
import { ShadowRecorder, type ShadowReport } from "./shadow-report.js";
import { VersionSlot, type ModelRunner } from "./version-slot.js";
import { warmUp } from "./warm-up.js";

/** What deployments read from the registry (RegistryService provides it). */
export interface DeploymentRegistry {
  resolveModelUri(uri: string | ModelUri): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
}

export interface DeploymentServiceOptions {
  registry: DeploymentRegistry;
  /** A local path of the version's files (artifact-materializer.ts inside the server). */
  materialize: (version: ModelVersion) => Promise<string>;
  loadModel: (path: string, options?: ModelLoadOptions) => Promise<LoadedModel>;
  loadOptions?: ModelLoadOptions;
  /** Puts a runner (the adaptive batcher) in front of a loaded model; default: the model runs each request. */
  wrap?: (model: LoadedModel, options: DeploymentOptions, served: { deployment: string; version: string }) => ModelRunner;
  /** A version loaded and warmed, with the seconds it took (the model-load metric). */
  onLoaded?: (deployment: string, version: string, seconds: number) => void;
  audit: AuditRecorder;
  clock?: Clock;
  random?: () => number;
  /** Every served request, after the answer (prediction log, metrics). */
  onServed?: (request: ServedRequest, options: DeploymentOptions) => void;
  /** Failures of background work (alias following, shadow runs); the server's logger. */
  onError?: (error: unknown, what: string) => void;
  /**
   * How often start() re-reads the deployments and aliases, so that a server replica catches up with changes made
   * through another replica (which only that one hears of as events). Default 5 s; 0 turns it off.
   */
  syncIntervalMs?: number;
}

export interface CreateDeploymentOptions {
  maxBatchSize?: number;
  maxLatencyMs?: number;
  predictionLogSampleRate?: number;
}

/** A canary or shadow target: a version of the deployment's model, or a models:/ URI of the same model. */
export type CandidateTarget = { version: string } | { modelUri: string };

/** The policy a live deployment routes by, in the store's terms. */
const routedPolicy = (routing: RoutingState): TrafficPolicy => ({
  primary: routing.primary.version,
  ...(routing.canary ? { canary: { version: routing.canary.slot.version, weight: routing.canary.weight, sticky: routing.canary.sticky } } : {}),
  ...(routing.shadow ? { shadow: { version: routing.shadow.slot.version, share: routing.shadow.share } } : {}),
});

const samePolicy = (a: TrafficPolicy, b: TrafficPolicy): boolean =>
  a.primary === b.primary &&
  a.canary?.version === b.canary?.version &&
  a.canary?.weight === b.canary?.weight &&
  a.canary?.sticky === b.canary?.sticky &&
  a.shadow?.version === b.shadow?.version &&
  a.shadow?.share === b.shadow?.share;

const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const validateName = (name: string): void => {
  if (!DEPLOYMENT_NAME.test(name)) {
    throw invalidParameter(
      `Invalid deployment name '${name.slice(0, 100)}': expected 1 to 64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit.`,
    );
  }
};

const validateFraction = (field: string, value: number): void => {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw invalidParameter(`Invalid value ${value} for parameter '${field}': expected a number from 0 to 1.`);
  }
};

const validatePositive = (field: string, value: number | undefined, integer: boolean): void => {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw invalidParameter(`Invalid value ${value} for parameter '${field}': expected a positive ${integer ? "integer" : "number"}.`);
  }
};

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const policySnapshot = (d: Deployment): Record<string, unknown> => ({ model_uri: d.modelUri, policy: d.policy });

/**
 * Named deployments: which version of a registered model serves, how traffic is split (canary) and mirrored
 * (shadow), and every change of it — persisted with its history, audited, and applied to the live routing only
 * after the new version loaded and answered a warm-up run. Changes to one deployment are serialised; a change that
 * fails to load leaves the previous routing serving and says why (the error, the audit trail, `last_error`).
 */
export class DeploymentService implements ServedModels, EventSink {
  private readonly live = new Map<string, LiveDeployment>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly reports = new Map<string, ShadowRecorder>();
  private stopped = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(
    private readonly store: DeploymentStore,
    private readonly options: DeploymentServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  // --- ServedModels ---

  get(name: string): LiveDeployment | undefined {
    return this.live.get(name);
  }

  list(): LiveDeployment[] {
    return [...this.live.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // --- lifecycle ---

  /** Loads every deployment, following aliases that moved while the server was down; then keeps in sync. */
  async start(): Promise<void> {
    for (const deployment of await this.store.list()) {
      await this.serialised(deployment.name, () => this.reconcile(deployment)).catch((error: unknown) =>
        this.options.onError?.(error, `loading deployment '${deployment.name}'`),
      );
    }
    const interval = this.options.syncIntervalMs ?? 5000;
    if (interval > 0) {
      this.syncTimer = setInterval(() => {
        this.syncing ??= this.sync().finally(() => (this.syncing = undefined));
      }, interval);
      this.syncTimer.unref();
    }
  }

  /**
   * Brings this process in line with the store and the registry: deployments created, changed (canary, shadow,
   * promote, rollback) or deleted through another replica, and aliases moved there. What matches is left alone, so
   * a sync in a quiet system reads a few rows and loads nothing.
   */
  async sync(): Promise<void> {
    if (this.stopped) return;
    const stored = await this.store.list();
    for (const deployment of stored) {
      if (this.stopped) return;
      const routing = this.live.get(deployment.name)?.routing;
      if (routing !== undefined && samePolicy(routedPolicy(routing), deployment.policy) && !(await this.aliasMoved(deployment))) continue;
      await this.serialised(deployment.name, async () => {
        const current = await this.store.get(deployment.name);
        if (current !== undefined) await this.reconcile(current);
      }).catch((error: unknown) => this.options.onError?.(error, `syncing deployment '${deployment.name}'`));
    }
    const names = new Set(stored.map((deployment) => deployment.name));
    for (const [name, live] of this.live) {
      if (names.has(name)) continue;
      await this.serialised(name, async () => {
        if (await this.store.get(name)) return;
        this.live.delete(name);
        await Promise.all(live.swap(undefined).map((slot) => slot.retire()));
      });
    }
  }

  private async aliasMoved(deployment: Deployment): Promise<boolean> {
    const uri = parseModelUri(deployment.modelUri);
    if (uri.kind !== "alias") return false;
    const current = await this.options.registry.resolveModelUri(uri).catch(() => undefined);
    return current !== undefined && current.version !== deployment.followedVersion;
  }

  /** Waits for background switches, then closes every loaded version once its requests drained. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    await this.syncing;
    await this.settled();
    const closing: Promise<void>[] = [];
    for (const live of this.live.values()) for (const slot of live.swap(undefined)) closing.push(slot.retire());
    this.live.clear();
    await Promise.all(closing);
  }

  /** Resolves when every alias switch started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  // --- EventSink: alias following ---

  /** Cheap on the registry's path: the switch itself (load, warm, swap) runs in the background. */
  async publish(event: DomainEvent): Promise<void> {
    // A stopped service leaves moved aliases to the next start's reconcile.
    if (this.stopped || event.type !== RegistryEventType.ALIAS_SET) return;
    const { name, alias, version } = event.payload as { name?: unknown; alias?: unknown; version?: unknown };
    if (typeof name !== "string" || typeof alias !== "string" || typeof version !== "string") return;
    const ctx: WriteContext = { actor: event.actor, requestId: event.requestId };
    for (const deployment of await this.store.findByModel(name)) {
      const uri = parseModelUri(deployment.modelUri);
      if (uri.kind !== "alias" || uri.alias !== alias) continue;
      const work = this.serialised(deployment.name, () => this.followAlias(deployment.name, version, ctx)).catch((error: unknown) =>
        this.options.onError?.(error, `following alias ${name}@${alias} in deployment '${deployment.name}'`),
      );
      this.background.add(work);
      void work.finally(() => this.background.delete(work));
    }
  }

  // --- writes ---

  async create(name: string, modelUri: string, options: CreateDeploymentOptions, ctx: WriteContext): Promise<Deployment> {
    validateName(name);
    validatePositive("max_batch_size", options.maxBatchSize, true);
    validatePositive("max_latency_ms", options.maxLatencyMs, false);
    if (options.predictionLogSampleRate !== undefined) validateFraction("prediction_log_sample_rate", options.predictionLogSampleRate);
    const uri = parseModelUri(modelUri);
    if (uri.kind === "stage" || uri.kind === "latest") {
      throw invalidParameter(
        `Invalid model_uri '${modelUri}': a deployment serves models:/<name>/<version> or follows models:/<name>@<alias>; stages and 'latest' are not followed.`,
      );
    }
    return this.serialised(name, async () => {
      if (this.live.has(name) || (await this.store.get(name))) throw new CairnError(ErrorCode.RESOURCE_ALREADY_EXISTS, `Deployment '${name}' already exists.`);
      const version = await this.options.registry.resolveModelUri(uri);
      const now = this.clock();
      const deployment: Deployment = {
        name,
        modelUri,
        modelName: uri.name,
        policy: { primary: version.version },
        ...(uri.kind === "alias" ? { followedVersion: version.version } : {}),
        options: {
          ...(options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {}),
          ...(options.maxLatencyMs !== undefined ? { maxLatencyMs: options.maxLatencyMs } : {}),
          predictionLogSampleRate: options.predictionLogSampleRate ?? 1,
        },
        createdTime: now,
        lastUpdatedTime: now,
      };
      const live = new LiveDeployment(name, this.liveOptions(deployment.options));
      const primary = await this.loadOrReport(deployment, version.version, "create", ctx);
      try {
        await this.store.create(deployment, [this.entry(name, "primary", undefined, version.version, "create", ctx)]);
      } catch (error) {
        await primary.retire();
        throw error;
      }
      live.swap({ primary });
      this.live.set(name, live);
      await this.options.audit.record(ctx, { action: "serving.deployment.create", entityType: "deployment", entityId: name, before: null, after: policySnapshot(deployment) });
      return deployment;
    });
  }

  async setCanary(name: string, target: CandidateTarget, weight: number, sticky: boolean, ctx: WriteContext): Promise<Deployment> {
    validateFraction("weight", weight);
    return this.serialised(name, async () => {
      const deployment = await this.require(name);
      const version = await this.candidateVersion(deployment, target);
      const policy: TrafficPolicy = { primary: deployment.policy.primary, canary: { version, weight, sticky }, ...(deployment.policy.shadow ? { shadow: deployment.policy.shadow } : {}) };
      return this.change(deployment, policy, [this.entry(name, "canary", deployment.policy.canary?.version, version, "canary", ctx)], "canary", ctx);
    });
  }

  async setShadow(name: string, target: CandidateTarget, share: number, ctx: WriteContext): Promise<Deployment> {
    validateFraction("share", share);
    return this.serialised(name, async () => {
      const deployment = await this.require(name);
      const version = await this.candidateVersion(deployment, target);
      const policy: TrafficPolicy = { primary: deployment.policy.primary, ...(deployment.policy.canary ? { canary: deployment.policy.canary } : {}), shadow: { version, share } };
      return this.change(deployment, policy, [this.entry(name, "shadow", deployment.policy.shadow?.version, version, "shadow", ctx)], "shadow", ctx);
    });
  }

  /** The candidate (the canary, else the shadow) becomes the primary and takes all traffic. */
  async promote(name: string, ctx: WriteContext): Promise<Deployment> {
    return this.serialised(name, async () => {
      const deployment = await this.require(name);
      const { canary, shadow, primary } = deployment.policy;
      const candidate = canary?.version ?? shadow?.version;
      if (candidate === undefined) {
        throw new CairnError(ErrorCode.INVALID_STATE, `Deployment '${name}' has no canary or shadow to promote; set one with deployments/canary or deployments/shadow first.`);
      }
      const history = [
        this.entry(name, "primary", primary, candidate, "promote", ctx),
        ...(canary ? [this.entry(name, "canary", canary.version, undefined, "promote", ctx)] : []),
        ...(shadow ? [this.entry(name, "shadow", shadow.version, undefined, "promote", ctx)] : []),
      ];
      return this.change(deployment, { primary: candidate }, history, "promote", ctx);
    });
  }

  /** Drops the canary and the shadow when there is one; otherwise returns to the previous primary. */
  async rollback(name: string, ctx: WriteContext): Promise<Deployment> {
    return this.serialised(name, async () => {
      const deployment = await this.require(name);
      const { canary, shadow, primary } = deployment.policy;
      if (canary || shadow) {
        const history = [
          ...(canary ? [this.entry(name, "canary", canary.version, undefined, "rollback", ctx)] : []),
          ...(shadow ? [this.entry(name, "shadow", shadow.version, undefined, "rollback", ctx)] : []),
        ];
        return this.change(deployment, { primary }, history, "rollback", ctx);
      }
      const previous = previousPrimary(await this.store.history(name));
      if (previous === undefined) {
        throw new CairnError(ErrorCode.INVALID_STATE, `Deployment '${name}' has no previous primary version to roll back to (it has served only version ${primary}).`);
      }
      return this.change(deployment, { primary: previous }, [this.entry(name, "primary", primary, previous, "rollback", ctx)], "rollback", ctx);
    });
  }

  async delete(name: string, ctx: WriteContext): Promise<void> {
    await this.serialised(name, async () => {
      const deployment = await this.require(name);
      const { canary, shadow, primary } = deployment.policy;
      await this.store.delete(name, [
        this.entry(name, "primary", primary, undefined, "delete", ctx),
        ...(canary ? [this.entry(name, "canary", canary.version, undefined, "delete", ctx)] : []),
        ...(shadow ? [this.entry(name, "shadow", shadow.version, undefined, "delete", ctx)] : []),
      ]);
      const live = this.live.get(name);
      this.live.delete(name);
      this.reports.delete(name);
      if (live) void Promise.all(live.swap(undefined).map((slot) => slot.retire()));
      await this.options.audit.record(ctx, { action: "serving.deployment.delete", entityType: "deployment", entityId: name, before: policySnapshot(deployment), after: null });
    });
  }

  // --- reads ---

  async getDeployment(name: string): Promise<Deployment> {
    return this.require(name);
  }

  async listDeployments(): Promise<Deployment[]> {
    return this.store.list();
  }

  async history(name: string): Promise<HistoryEntry[]> {
    const entries = await this.store.history(name);
    if (entries.length === 0) await this.require(name);
    return entries;
  }

  async findByModel(modelName: string): Promise<Deployment[]> {
    return this.store.findByModel(modelName);
  }

  /** The shadow's comparison with the primary since the shadow (or the primary) last changed. */
  async report(name: string): Promise<ShadowReport> {
    const deployment = await this.require(name);
    const recorder = this.live.get(name)?.routing?.shadow?.recorder ?? this.reports.get(name);
    if (recorder === undefined) {
      throw new CairnError(ErrorCode.INVALID_STATE, `Deployment '${name}' has no shadow (its primary is version ${deployment.policy.primary}); set one with deployments/shadow.`);
    }
    return recorder.report();
  }

  // --- internals ---

  private async require(name: string): Promise<Deployment> {
    const deployment = await this.store.get(name);
    if (deployment === undefined) throw notFound(`Deployment '${name}' does not exist.`);
    return deployment;
  }

  /** One change at a time per deployment: two switches never interleave their load, persist and swap. */
  private serialised<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.queues.set(name, next);
    void next.finally(() => {
      if (this.queues.get(name) === next) this.queues.delete(name);
    }).catch(() => undefined);
    return next;
  }

  private entry(name: string, role: DeploymentRole, from: string | undefined, to: string | undefined, reason: SwitchReason, ctx: WriteContext): HistoryEntry {
    return {
      deployment: name,
      time: this.clock(),
      role,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      reason,
      actor: ctx.actor,
      requestId: ctx.requestId,
    };
  }

  private async candidateVersion(deployment: Deployment, target: CandidateTarget): Promise<string> {
    if ("modelUri" in target) {
      const uri = parseModelUri(target.modelUri);
      if (uri.name !== deployment.modelName) {
        throw invalidParameter(`Invalid model_uri '${target.modelUri}': deployment '${deployment.name}' serves model '${deployment.modelName}', not '${uri.name}'.`);
      }
      return (await this.options.registry.resolveModelUri(uri)).version;
    }
    return (await this.options.registry.getModelVersion(deployment.modelName, target.version)).version;
  }

  private liveOptions(options: DeploymentOptions): ConstructorParameters<typeof LiveDeployment>[1] {
    const onServed = this.options.onServed;
    return {
      random: this.random,
      ...(onServed ? { onServed: (request: ServedRequest) => onServed(request, options) } : {}),
      onShadowError: (error: unknown) => this.options.onError?.(error, "shadow run"),
    };
  }

  /** Loads, warms and wraps one version; the model is closed again when any step fails. */
  private async load(deployment: Deployment, version: string): Promise<VersionSlot> {
    const modelVersion = await this.options.registry.getModelVersion(deployment.modelName, version);
    const started = performance.now();
    const path = await this.options.materialize(modelVersion);
    const model = await this.options.loadModel(path, this.options.loadOptions);
    try {
      await warmUp(model);
      this.options.onLoaded?.(deployment.name, modelVersion.version, (performance.now() - started) / 1000);
      const served = { deployment: deployment.name, version: modelVersion.version };
      const runner = this.options.wrap?.(model, deployment.options, served) ?? { run: (feeds) => model.run(feeds) };
      return new VersionSlot(modelVersion.version, model, runner);
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * A load that fails is reported three ways — audit ("serving.deployment.load_fail"), `last_error` on the
   * deployment, and a 400 that says which version and why — and nothing is switched.
   */
  private async loadOrReport(deployment: Deployment, version: string, reason: SwitchReason, ctx: WriteContext): Promise<VersionSlot> {
    try {
      return await this.load(deployment, version);
    } catch (error) {
      const message = `Version ${version} of model '${deployment.modelName}' could not be loaded for deployment '${deployment.name}' (${reason}); the previous routing keeps serving: ${errorText(error)}`;
      await this.options.audit.record(ctx, {
        action: "serving.deployment.load_fail",
        entityType: "deployment",
        entityId: deployment.name,
        after: { version, reason, error: errorText(error) },
      });
      if (this.live.has(deployment.name) || (await this.store.get(deployment.name))) {
        await this.store.update({ ...deployment, lastError: message, lastUpdatedTime: this.clock() }, []).catch(() => undefined);
      }
      throw new CairnError(ErrorCode.INVALID_STATE, message, { cause: error });
    }
  }

  /** A slot for each version of the policy: reuses what is loaded, loads the rest (all before anything switches). */
  private async slotsFor(deployment: Deployment, policy: TrafficPolicy, reason: SwitchReason, ctx: WriteContext): Promise<{ state: RoutingState; loaded: VersionSlot[] }> {
    const current = this.live.get(deployment.name)?.routing;
    const existing = new Map<string, VersionSlot>();
    for (const slot of current ? [current.primary, current.canary?.slot, current.shadow?.slot] : []) if (slot) existing.set(slot.version, slot);
    const loaded: VersionSlot[] = [];
    const slotOf = async (version: string): Promise<VersionSlot> => {
      const found = existing.get(version);
      if (found) return found;
      try {
        const slot = await this.loadOrReport(deployment, version, reason, ctx);
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
      // The comparison restarts when either side changes; a new canary alone does not reset it.
      const recorder =
        kept && kept.slot === slot && current?.primary === primary && kept.share === policy.shadow.share
          ? kept.recorder
          : new ShadowRecorder(deployment.name, primary.version, slot.version, policy.shadow.share, this.clock(), this.random);
      shadow = { slot, share: policy.shadow.share, recorder };
    }
    return { state: { primary, ...(canary ? { canary } : {}), ...(shadow ? { shadow } : {}) }, loaded };
  }

  /** Load what the new policy needs, persist it with its history, swap the routing, audit, retire what is unused. */
  private async change(deployment: Deployment, policy: TrafficPolicy, history: HistoryEntry[], verb: string, ctx: WriteContext, followedVersion?: string): Promise<Deployment> {
    const { state, loaded } = await this.slotsFor(deployment, policy, history[0]?.reason ?? "canary", ctx);
    const { lastError: _cleared, ...rest } = deployment;
    const next: Deployment = { ...rest, policy, ...(followedVersion !== undefined ? { followedVersion } : {}), lastUpdatedTime: this.clock() };
    try {
      await this.store.update(next, history);
    } catch (error) {
      await Promise.all(loaded.map((slot) => slot.retire()));
      throw error;
    }
    let live = this.live.get(deployment.name);
    if (live === undefined) {
      live = new LiveDeployment(deployment.name, this.liveOptions(next.options));
      this.live.set(deployment.name, live);
    }
    const previousShadow = live.routing?.shadow?.recorder;
    const retired = live.swap(state);
    // A dropped or replaced shadow's last report stays readable until the next one starts.
    if (previousShadow && state.shadow?.recorder !== previousShadow) this.reports.set(deployment.name, previousShadow);
    // A start-up load changes nothing (no history): not an audited write.
    if (history.length > 0) await this.options.audit.record(ctx, {
      action: `serving.deployment.${verb}`,
      entityType: "deployment",
      entityId: deployment.name,
      before: policySnapshot(deployment),
      after: policySnapshot(next),
    });
    for (const slot of retired) void slot.retire().catch((error: unknown) => this.options.onError?.(error, `closing version ${slot.version}`));
    return next;
  }

  private async followAlias(name: string, version: string, ctx: WriteContext): Promise<void> {
    const deployment = await this.store.get(name);
    if (deployment === undefined) return;
    if (deployment.policy.primary === version) {
      if (deployment.followedVersion !== version) await this.store.update({ ...deployment, followedVersion: version, lastUpdatedTime: this.clock() }, []);
      return;
    }
    const { canary, shadow } = deployment.policy;
    // The alias names the new primary; a canary or shadow of that very version has nothing left to compare.
    const policy: TrafficPolicy = {
      primary: version,
      ...(canary && canary.version !== version ? { canary } : {}),
      ...(shadow && shadow.version !== version ? { shadow } : {}),
    };
    const history = [
      this.entry(name, "primary", deployment.policy.primary, version, "alias-moved", ctx),
      ...(canary && canary.version === version ? [this.entry(name, "canary", canary.version, undefined, "alias-moved", ctx)] : []),
      ...(shadow && shadow.version === version ? [this.entry(name, "shadow", shadow.version, undefined, "alias-moved", ctx)] : []),
    ];
    await this.change(deployment, policy, history, "switch", ctx, version);
  }

  /** At start-up: an alias that moved while the server was down is followed; otherwise the stored policy loads. */
  private async reconcile(deployment: Deployment): Promise<void> {
    const ctx = systemContext(`start:${deployment.name}`);
    const uri = parseModelUri(deployment.modelUri);
    if (uri.kind === "alias") {
      const current = await this.options.registry.resolveModelUri(uri).catch(() => undefined);
      if (current !== undefined && current.version !== deployment.followedVersion) {
        try {
          await this.followAlias(deployment.name, current.version, ctx);
          return;
        } catch (error) {
          this.options.onError?.(error, `following alias of deployment '${deployment.name}' at start`);
        }
      }
    }
    const reloaded = (await this.store.get(deployment.name)) ?? deployment;
    await this.change(reloaded, reloaded.policy, [], "load", ctx).catch(async (error: unknown) => {
      // The candidates may be what fails; serve the primary alone rather than nothing.
      if (!reloaded.policy.canary && !reloaded.policy.shadow) throw error;
      this.options.onError?.(error, `loading deployment '${deployment.name}'`);
      await this.slotsFor(reloaded, { primary: reloaded.policy.primary }, "create", ctx).then(({ state }) => {
        const live = this.live.get(reloaded.name) ?? new LiveDeployment(reloaded.name, this.liveOptions(reloaded.options));
        this.live.set(reloaded.name, live);
        live.swap(state);
      });
    });
  }
}
