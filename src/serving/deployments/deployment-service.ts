import { systemContext, type WriteContext } from "../../core/actor.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { CairnError, ErrorCode, invalidParameter, notFound } from "../../core/errors.js";
import { RegistryEventType, type DomainEvent, type EventSink } from "../../core/events.js";
import type { AuditRecorder } from "../../audit/recorder.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import { parseRegisteredModelUri, type ModelUri } from "../../registry/model-uri.js";
import { formatPromotionTarget } from "../../registry/promotion-gate.js";
import type { GatedChange } from "../../registry/service.js";
import type { LoadedModel, ModelLoadOptions } from "../model/loaded-model.js";
import type { ServedModels } from "../served-model.js";
import type {
  Deployment,
  DeploymentOptions,
  DeploymentRole,
  DeploymentStore,
  HistoryEntry,
  SavedShadowReport,
  SwitchReason,
  TrafficPolicy,
} from "./deployment.js";
import { approvalsSkippedNote, governingTarget, noGateEvidence, type DeploymentGate, type GateEvidence } from "./deployment-gate.js";
import { assessHealth, HealthWatch, type DeploymentHealth } from "./deployment-health.js";
import {
  optionsSnapshot,
  policySnapshot,
  routedPolicy,
  sameOptions,
  samePolicy,
  validateFraction,
  validateName,
  validateOptions,
  type CreateDeploymentOptions,
  type UpdateDeploymentOptions,
} from "./deployment-rules.js";
import type { LiveDeployment, ServedRequest } from "./live-deployment.js";
import { previousPrimary } from "./rollback-target.js";
import { RoutingSwitch } from "./routing-switch.js";
import { ShadowKeeper } from "./shadow-keeper.js";
import type { ShadowReport } from "./shadow-report.js";
import type { ModelRunner } from "./version-slot.js";

export type { CreateDeploymentOptions, UpdateDeploymentOptions } from "./deployment-rules.js";

/** What deployments read from the registry, and its one path for changes of what serves (RegistryService provides it). */
export interface DeploymentRegistry extends DeploymentGate {
  resolveModelUri(uri: string | ModelUri): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
}

export interface DeploymentServiceOptions {
  registry: DeploymentRegistry;
  /** Where a rollback finds that its version passed the gate before (the audit trail); default: nowhere, so none skips approvals. */
  evidence?: GateEvidence;
  /** Where deployment.degraded / deployment.recovered go (the webhooks). */
  events?: EventSink;
  /** Each new health verdict of a deployment (undefined once it is gone): the degraded gauge. */
  onHealth?: (deployment: string, health: DeploymentHealth | undefined) => void;
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
   * through another replica (which only that one hears of as events), and retries loads that failed. Default 5 s; 0
   * turns it off.
   */
  syncIntervalMs?: number;
}

/** A canary or shadow target: a version of the deployment's model, or a models:/ URI of the same model. */
export type CandidateTarget = { version: string } | { modelUri: string };

/** A rollback's answer: the deployment, and when it skipped approvals, the sentence that says on what evidence. */
export type RollbackResult = Deployment & { approvalsSkipped?: string };

/**
 * A promote or rollback of an alias-following deployment in flight: the alias moved through the registry, whose
 * event makes the switch (followAlias) record it as this reason; a failed load is kept for the caller's answer.
 */
interface AliasIntent {
  version: string;
  reason: "promote" | "rollback";
  approvalsSkipped?: string;
  error?: unknown;
}

/**
 * Named deployments: which version of a registered model serves, how traffic is split (canary) and mirrored
 * (shadow), and every change of it — persisted with its history, audited, and applied to the live routing only
 * after the new version loaded and answered a warm-up run. Changes to one deployment are serialised; a change that
 * fails to load leaves the previous routing serving and says why (the error, the audit trail, `last_error`).
 */
export class DeploymentService implements ServedModels, EventSink {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly shadows: ShadowKeeper;
  private readonly routing: RoutingSwitch;
  private readonly health: HealthWatch;
  private readonly evidence: GateEvidence;
  /** Promotes and rollbacks of alias-following deployments whose alias move is being followed, by deployment. */
  private readonly intents = new Map<string, AliasIntent>();
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
    this.evidence = options.evidence ?? noGateEvidence;
    this.shadows = new ShadowKeeper(store, { clock: this.clock, random: this.random, ...(options.onError ? { onError: options.onError } : {}) });
    this.routing = new RoutingSwitch(store, options, this.shadows, this.clock, this.random);
    this.health = new HealthWatch({
      clock: this.clock,
      ...(options.events ? { events: options.events } : {}),
      ...(options.onHealth ? { onHealth: options.onHealth } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  /** Whether the deployment serves what its alias (or pinned primary) names; undefined before it was first assessed. */
  healthOf(name: string): DeploymentHealth | undefined {
    return this.health.get(name);
  }

  // --- ServedModels ---

  get(name: string): LiveDeployment | undefined {
    return this.routing.get(name);
  }

  list(): LiveDeployment[] {
    return this.routing.all().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // --- lifecycle ---

  /** Loads every deployment, following aliases that moved while the server was down; then keeps in sync. */
  async start(): Promise<void> {
    for (const deployment of await this.store.list()) {
      await this.serialised(deployment.name, () => this.reconcile(deployment, true)).catch((error: unknown) =>
        this.options.onError?.(error, `loading deployment '${deployment.name}'`),
      );
    }
    const interval = this.options.syncIntervalMs ?? 5000;
    if (interval > 0) {
      this.syncTimer = setInterval(() => {
        this.syncing ??= this.sync()
          .catch((error: unknown) => this.options.onError?.(error, "syncing deployments"))
          .then(() => this.saveShadowReports())
          .finally(() => (this.syncing = undefined));
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
      const routing = this.routing.get(deployment.name)?.routing;
      const served = this.routing.servedWith(deployment.name);
      if (
        routing !== undefined &&
        samePolicy(routedPolicy(routing), deployment.policy) &&
        served !== undefined &&
        sameOptions(served, deployment.options) &&
        !(await this.aliasMoved(deployment))
      ) {
        await this.serialised(deployment.name, async () => undefined);
        continue;
      }
      await this.serialised(deployment.name, async () => {
        const current = await this.store.get(deployment.name);
        if (current !== undefined) await this.reconcile(current);
      }).catch((error: unknown) => this.options.onError?.(error, `syncing deployment '${deployment.name}'`));
    }
    const names = new Set(stored.map((deployment) => deployment.name));
    for (const name of this.routing.names()) {
      if (names.has(name)) continue;
      await this.serialised(name, async () => {
        if (await this.store.get(name)) return;
        this.health.remove(name);
        await this.routing.drop(name);
      });
    }
  }

  private async aliasMoved(deployment: Deployment): Promise<boolean> {
    const uri = parseRegisteredModelUri(deployment.modelUri);
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
    await this.saveShadowReports();
    this.health.clear();
    await this.routing.dropAll();
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
      const uri = parseRegisteredModelUri(deployment.modelUri);
      if (uri.kind !== "alias" || uri.alias !== alias) continue;
      const work = this.serialised(deployment.name, () => this.followAlias(deployment.name, version, ctx)).catch((error: unknown) => {
        // A promote or rollback waits for this switch: it answers with the failure (the alias moved regardless).
        const intent = this.intents.get(deployment.name);
        if (intent?.version === version) intent.error = error;
        else this.options.onError?.(error, `following alias ${name}@${alias} in deployment '${deployment.name}'`);
      });
      this.background.add(work);
      void work.finally(() => this.background.delete(work));
    }
  }

  // --- writes ---

  async create(name: string, modelUri: string, options: CreateDeploymentOptions, ctx: WriteContext): Promise<Deployment> {
    validateName(name);
    validateOptions(options);
    const uri = parseRegisteredModelUri(modelUri);
    if (uri.kind === "stage" || uri.kind === "latest") {
      throw invalidParameter(
        `Invalid model_uri '${modelUri}': a deployment serves models:/<name>/<version> or follows models:/<name>@<alias>; stages and 'latest' are not followed.`,
      );
    }
    return this.serialised(name, async () => {
      if (this.routing.get(name) !== undefined || (await this.store.get(name))) throw new CairnError(ErrorCode.RESOURCE_ALREADY_EXISTS, `Deployment '${name}' already exists.`);
      const version = await this.options.registry.resolveModelUri(uri);
      // A pinned deployment's first primary passes the rules of deployment:<name> (an alias passed its own when set).
      const gate = uri.kind === "alias" ? undefined : governingTarget({ name, modelUri });
      if (gate !== undefined) await this.options.registry.requirePromotion(version, gate, ctx, { current: { current_version: null } });
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
          inferenceWorker: options.inferenceWorker ?? false,
        },
        createdTime: now,
        lastUpdatedTime: now,
      };
      const primary = await this.routing.loadOrReport(deployment, version.version, "create", ctx, deployment.options);
      try {
        await this.store.create(deployment, [this.entry(name, "primary", undefined, version.version, "create", ctx)]);
      } catch (error) {
        await primary.retire();
        throw error;
      }
      this.routing.install(name, { primary }, deployment.options);
      await this.options.audit.record(ctx, {
        action: "serving.deployment.create",
        entityType: "deployment",
        entityId: name,
        before: null,
        after: { ...policySnapshot(deployment), ...(gate !== undefined ? { gate: formatPromotionTarget(gate) } : {}) },
      });
      return deployment;
    });
  }

  /**
   * Changes the options of a deployment; only the fields given change. A change of batching or of the inference
   * worker loads every version the policy serves again with the new options (warmed up) and swaps them in as one, as
   * any switch does; a change of the sample rate alone applies to the next request without loading anything. The
   * shadow comparison goes on: it compares versions, and those stay.
   */
  async update(name: string, changes: UpdateDeploymentOptions, ctx: WriteContext): Promise<Deployment> {
    validateOptions(changes);
    if (Object.values(changes).every((value) => value === undefined)) {
      throw invalidParameter(
        "Nothing to update: give at least one of 'max_batch_size', 'max_latency_ms', 'prediction_log_sample_rate' and 'inference_worker'.",
      );
    }
    return this.serialised(name, async () => {
      const deployment = await this.require(name);
      const options: DeploymentOptions = {
        ...deployment.options,
        ...(changes.maxBatchSize !== undefined ? { maxBatchSize: changes.maxBatchSize } : {}),
        ...(changes.maxLatencyMs !== undefined ? { maxLatencyMs: changes.maxLatencyMs } : {}),
        ...(changes.predictionLogSampleRate !== undefined ? { predictionLogSampleRate: changes.predictionLogSampleRate } : {}),
        ...(changes.inferenceWorker !== undefined ? { inferenceWorker: changes.inferenceWorker } : {}),
      };
      const next = await this.routing.change({ ...deployment, options }, deployment.policy, [], "update", ctx, { reason: "update" });
      await this.options.audit.record(ctx, {
        action: "serving.deployment.update",
        entityType: "deployment",
        entityId: name,
        before: { options: optionsSnapshot(deployment.options) },
        after: { options: optionsSnapshot(next.options) },
      });
      return next;
    });
  }

  async setCanary(name: string, target: CandidateTarget, weight: number, sticky: boolean, ctx: WriteContext): Promise<Deployment> {
    validateFraction("weight", weight);
    return this.serialised(name, async () => {
      const deployment = await this.require(name);
      const version = await this.candidateVersion(deployment, target);
      const policy: TrafficPolicy = { primary: deployment.policy.primary, canary: { version, weight, sticky }, ...(deployment.policy.shadow ? { shadow: deployment.policy.shadow } : {}) };
      return this.routing.change(deployment, policy, [this.entry(name, "canary", deployment.policy.canary?.version, version, "canary", ctx)], "canary", ctx);
    });
  }

  async setShadow(name: string, target: CandidateTarget, share: number, ctx: WriteContext): Promise<Deployment> {
    validateFraction("share", share);
    return this.serialised(name, async () => {
      const deployment = await this.require(name);
      const version = await this.candidateVersion(deployment, target);
      const policy: TrafficPolicy = { primary: deployment.policy.primary, ...(deployment.policy.canary ? { canary: deployment.policy.canary } : {}), shadow: { version, share } };
      return this.routing.change(deployment, policy, [this.entry(name, "shadow", deployment.policy.shadow?.version, version, "shadow", ctx)], "shadow", ctx);
    });
  }

  /**
   * The candidate (the canary, else the shadow) becomes the primary and takes all traffic, through the promotion
   * gate: for a deployment that follows an alias, this is the alias move (the registry's rules, approvals, audit and
   * webhooks; a refusal in the rule's own words, as set-registered-model-alias gives it), after which the deployment
   * switches as it does for any alias move; for a pinned deployment, the rules of its own target deployment:<name>.
   * Answers once the deployment switched, or with the load error (then the alias names the new version and the
   * deployment reports itself degraded until a retried load succeeds).
   */
  async promote(name: string, ctx: WriteContext): Promise<Deployment> {
    const step = await this.serialised(name, async (): Promise<{ done: Deployment } | { follow: string }> => {
      const deployment = await this.require(name);
      const { canary, shadow, primary } = deployment.policy;
      const candidate = canary?.version ?? shadow?.version;
      if (candidate === undefined) {
        throw new CairnError(ErrorCode.INVALID_STATE, `Deployment '${name}' has no canary or shadow to promote; set one with deployments/canary or deployments/shadow first.`);
      }
      const target = governingTarget(deployment);
      if (target.kind === "alias") {
        await this.moveAlias(deployment, target.alias, { version: candidate, reason: "promote" }, ctx);
        return { follow: candidate };
      }
      const version = await this.options.registry.getModelVersion(deployment.modelName, candidate);
      await this.options.registry.requirePromotion(version, target, ctx, { reason: "promote", current: { current_version: primary } });
      const history = [
        this.entry(name, "primary", primary, candidate, "promote", ctx),
        ...(canary ? [this.entry(name, "canary", canary.version, undefined, "promote", ctx)] : []),
        ...(shadow ? [this.entry(name, "shadow", shadow.version, undefined, "promote", ctx)] : []),
      ];
      return { done: await this.routing.change(deployment, { primary: candidate }, history, "promote", ctx, { gate: formatPromotionTarget(target) }) };
    });
    return "done" in step ? step.done : this.awaitFollow(name, step.follow, ctx);
  }

  /**
   * Drops the canary and the shadow when there is one (no gate: nothing new serves); otherwise returns to the
   * version that served before, through the gate like a promote (for an alias-following deployment the alias moves
   * back). Approvals may be skipped, and only they, for a version that passed this very target through the gate
   * before (the audit trail says when); the answer and the audit event say so.
   */
  async rollback(name: string, ctx: WriteContext): Promise<RollbackResult> {
    const step = await this.serialised(name, async (): Promise<{ done: RollbackResult } | { follow: string; approvalsSkipped?: string }> => {
      const deployment = await this.require(name);
      const { canary, shadow, primary } = deployment.policy;
      if (canary || shadow) {
        const history = [
          ...(canary ? [this.entry(name, "canary", canary.version, undefined, "rollback", ctx)] : []),
          ...(shadow ? [this.entry(name, "shadow", shadow.version, undefined, "rollback", ctx)] : []),
        ];
        return { done: await this.routing.change(deployment, { primary }, history, "rollback", ctx) };
      }
      const previous = previousPrimary(await this.store.history(name));
      if (previous === undefined) {
        throw new CairnError(ErrorCode.INVALID_STATE, `Deployment '${name}' has no previous primary version to roll back to (it has served only version ${primary}).`);
      }
      const target = governingTarget(deployment);
      const passedAt = await this.evidence.passedAt(deployment.modelName, previous, target, deployment.createdTime);
      const approvalsSkipped = passedAt !== undefined ? approvalsSkippedNote(previous, target, passedAt) : undefined;
      const skipped = approvalsSkipped !== undefined ? { approvalsSkipped } : {};
      if (target.kind === "alias") {
        await this.moveAlias(deployment, target.alias, { version: previous, reason: "rollback", ...skipped }, ctx);
        return { follow: previous, ...skipped };
      }
      const version = await this.options.registry.getModelVersion(deployment.modelName, previous);
      await this.options.registry.requirePromotion(version, target, ctx, { reason: "rollback", current: { current_version: primary }, ...skipped });
      const history = [this.entry(name, "primary", primary, previous, "rollback", ctx)];
      const next = await this.routing.change(deployment, { primary: previous }, history, "rollback", ctx, { gate: formatPromotionTarget(target), ...skipped });
      return { done: { ...next, ...skipped } };
    });
    if ("done" in step) return step.done;
    const next = await this.awaitFollow(name, step.follow, ctx);
    return { ...next, ...(step.approvalsSkipped !== undefined ? { approvalsSkipped: step.approvalsSkipped } : {}) };
  }

  async delete(name: string, ctx: WriteContext): Promise<void> {
    await this.serialised(name, async () => {
      const deployment = await this.require(name);
      const { canary, shadow, primary } = deployment.policy;
      // The comparison's last state is kept (like the history): it is what a promotion was decided on.
      await this.saveShadowReportsOf(name);
      await this.store.delete(name, [
        this.entry(name, "primary", primary, undefined, "delete", ctx),
        ...(canary ? [this.entry(name, "canary", canary.version, undefined, "delete", ctx)] : []),
        ...(shadow ? [this.entry(name, "shadow", shadow.version, undefined, "delete", ctx)] : []),
      ]);
      this.shadows.forget(name);
      void this.routing.drop(name);
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
    return (await this.currentReport(name)).report;
  }

  /**
   * The comparison of the live shadow (or of the last one dropped while this process ran); else the latest saved
   * report of this deployment (saved since it was created), e.g. after a restart. `updatedTime` only for a saved one.
   */
  async currentReport(name: string): Promise<{ report: ShadowReport; live: boolean; updatedTime?: number }> {
    const deployment = await this.require(name);
    const recorder = this.routing.get(name)?.routing?.shadow?.recorder ?? this.shadows.droppedOf(name);
    if (recorder !== undefined) return { report: recorder.report(), live: true };
    const saved = (await this.store.shadowReports(name)).find((s) => s.report.since >= deployment.createdTime);
    if (saved !== undefined) return { report: saved.report, live: false, updatedTime: saved.updatedTime };
    throw new CairnError(ErrorCode.INVALID_STATE, `Deployment '${name}' has no shadow (its primary is version ${deployment.policy.primary}); set one with deployments/shadow.`);
  }

  /**
   * Every saved comparison of this deployment name, newest first, including those of an earlier deployment of the
   * same name (like the history); what this process is counting is saved first, so the list is current.
   */
  async shadowReports(name: string): Promise<SavedShadowReport[]> {
    await this.saveShadowReportsOf(name);
    const saved = await this.store.shadowReports(name);
    if (saved.length === 0) await this.require(name);
    return saved;
  }

  /** Saves every comparison that counted something since its last save (the sync timer, stop, and tests call it). */
  async saveShadowReports(): Promise<void> {
    for (const name of new Set([...this.routing.names(), ...this.shadows.names()])) await this.saveShadowReportsOf(name);
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
    const next = previous.catch(() => undefined).then(() => this.assessedAfter(name, work));
    this.queues.set(name, next);
    void next.finally(() => {
      if (this.queues.get(name) === next) this.queues.delete(name);
    }).catch(() => undefined);
    return next;
  }

  /** Every change (and every failure) of a deployment ends with a fresh verdict on what it serves. */
  private async assessedAfter<T>(name: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      await this.assess(name);
    }
  }

  /**
   * Compares what serves with what should (DeploymentHealth). Skipped while a promote or rollback's own alias move is
   * being followed: the switch is queued right behind, and the moment between is not a degradation.
   */
  private async assess(name: string): Promise<void> {
    if (this.stopped) return;
    const intent = this.intents.get(name);
    if (intent !== undefined && intent.error === undefined) return;
    try {
      const deployment = await this.store.get(name);
      if (deployment === undefined) {
        this.health.remove(name);
        return;
      }
      const served = this.routing.get(name)?.routing?.primary.version;
      const uri = parseRegisteredModelUri(deployment.modelUri);
      const aliasVersion =
        uri.kind === "alias" ? ((await this.options.registry.resolveModelUri(uri).catch(() => undefined))?.version ?? null) : undefined;
      await this.health.update(deployment, assessHealth(deployment, served, aliasVersion));
    } catch (error) {
      this.options.onError?.(error, `assessing deployment '${name}'`);
    }
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
      const uri = parseRegisteredModelUri(target.modelUri);
      if (uri.name !== deployment.modelName) {
        throw invalidParameter(`Invalid model_uri '${target.modelUri}': deployment '${deployment.name}' serves model '${deployment.modelName}', not '${uri.name}'.`);
      }
      return (await this.options.registry.resolveModelUri(uri)).version;
    }
    return (await this.options.registry.getModelVersion(deployment.modelName, target.version)).version;
  }

  private async saveShadowReportsOf(name: string): Promise<void> {
    await this.shadows.saveOf(name, this.routing.get(name)?.routing?.shadow?.recorder);
  }

  /**
   * Inside the queue: the alias moves through the registry (its gate may refuse); the registry's event then queues
   * the switch behind this step, which records it as `intent.reason`.
   */
  private async moveAlias(deployment: Deployment, alias: string, intent: AliasIntent, ctx: WriteContext): Promise<void> {
    this.intents.set(deployment.name, intent);
    const change: GatedChange = {
      reason: intent.reason,
      ...(intent.approvalsSkipped !== undefined ? { approvalsSkipped: intent.approvalsSkipped } : {}),
    };
    try {
      await this.options.registry.setAlias(deployment.modelName, alias, intent.version, ctx, change);
    } catch (error) {
      this.intents.delete(deployment.name);
      throw error;
    }
  }

  /**
   * Outside the queue, after moveAlias: waits behind the switch the alias event queued (never inside the queue, where
   * it would wait for itself) and answers with the deployment, or with that switch's load error. A service that heard
   * no event (stopped) makes the switch here; an alias moved again meanwhile is left to its own event.
   */
  private async awaitFollow(name: string, version: string, ctx: WriteContext): Promise<Deployment> {
    return this.serialised(name, async () => {
      const intent = this.intents.get(name);
      try {
        if (intent?.version === version && intent.error !== undefined) throw intent.error;
        const deployment = await this.require(name);
        if (deployment.policy.primary === version && deployment.followedVersion === version) return deployment;
        const current = await this.options.registry.resolveModelUri(parseRegisteredModelUri(deployment.modelUri)).catch(() => undefined);
        if (current?.version !== version) return deployment;
        await this.followAlias(name, version, ctx);
        return await this.require(name);
      } finally {
        if (this.intents.get(name) === intent) this.intents.delete(name);
      }
    });
  }

  /**
   * The deployment takes the version its alias names now. A move made by this deployment's promote or rollback is
   * recorded as such and ends the evaluation (canary and shadow drop, as a pinned deployment's promote does); any
   * other move keeps a canary or shadow of another version.
   */
  private async followAlias(name: string, version: string, ctx: WriteContext): Promise<void> {
    const deployment = await this.store.get(name);
    if (deployment === undefined) return;
    if (deployment.policy.primary === version) {
      if (deployment.followedVersion !== version) await this.store.update({ ...deployment, followedVersion: version, lastUpdatedTime: this.clock() }, []);
      return;
    }
    const intended = this.intents.get(name);
    const intent = intended?.version === version ? intended : undefined;
    const reason: SwitchReason = intent?.reason ?? "alias-moved";
    const { canary, shadow } = deployment.policy;
    // The alias names the new primary; a canary or shadow of that very version has nothing left to compare.
    const keepCanary = canary !== undefined && intent === undefined && canary.version !== version;
    const keepShadow = shadow !== undefined && intent === undefined && shadow.version !== version;
    const policy: TrafficPolicy = {
      primary: version,
      ...(canary && keepCanary ? { canary } : {}),
      ...(shadow && keepShadow ? { shadow } : {}),
    };
    const history = [
      this.entry(name, "primary", deployment.policy.primary, version, reason, ctx),
      ...(canary && !keepCanary ? [this.entry(name, "canary", canary.version, undefined, reason, ctx)] : []),
      ...(shadow && !keepShadow ? [this.entry(name, "shadow", shadow.version, undefined, reason, ctx)] : []),
    ];
    const target = governingTarget(deployment);
    await this.routing.change(deployment, policy, history, intent?.reason ?? "switch", ctx, {
      followedVersion: version,
      ...(intent !== undefined ? { gate: formatPromotionTarget(target) } : {}),
      ...(intent?.approvalsSkipped !== undefined ? { approvalsSkipped: intent.approvalsSkipped } : {}),
    });
  }

  /**
   * At start-up (and when syncing with another replica's changes): an alias that moved meanwhile is followed;
   * otherwise the stored policy loads with the stored options. At start-up a shadow continues its saved comparison.
   */
  private async reconcile(deployment: Deployment, resume = false): Promise<void> {
    const ctx = systemContext(`start:${deployment.name}`);
    const uri = parseRegisteredModelUri(deployment.modelUri);
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
    await this.routing.change(reloaded, reloaded.policy, [], "load", ctx, { resume }).catch(async (error: unknown) => {
      // The candidates may be what fails; serve the primary alone rather than nothing.
      if (!reloaded.policy.canary && !reloaded.policy.shadow) throw error;
      this.options.onError?.(error, `loading deployment '${deployment.name}'`);
      await this.routing.slotsFor(reloaded, { primary: reloaded.policy.primary }, "load", ctx).then(({ state }) => {
        for (const slot of this.routing.install(reloaded.name, state, reloaded.options)) void slot.retire();
      });
    });
  }
}
