import type { WriteContext } from "../../core/actor.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { CairnError, ErrorCode, invalidParameter, notFound } from "../../core/errors.js";
import { RegistryEventType, type DomainEvent, type EventSink } from "../../core/events.js";
import { atomically, type AuditRecorder } from "../../audit/recorder.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import { parseRegisteredModelUri, type ModelUri } from "../../registry/model-uri.js";
import { formatPromotionTarget } from "../../registry/promotion-gate.js";
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
import { governingTarget, noGateEvidence, type DeploymentGate, type GateEvidence } from "./deployment-gate.js";
import { assessHealth, HealthWatch, type DeploymentHealth } from "./deployment-health.js";
import {
  optionsSnapshot,
  policySnapshot,
  validateFraction,
  validateName,
  validateOptions,
  retentionOptions,
  historyEntry,
  type CreateDeploymentOptions,
  type UpdateDeploymentOptions,
} from "./deployment-rules.js";
import type { LiveDeployment, ServedRequest } from "./live-deployment.js";
import { DeploymentQueue } from "./deployment-queue.js";
import { GatedSwitches, type RollbackResult } from "./gated-switches.js";
import { ChangeWatch } from "./change-watch.js";
import { ReplicaSync } from "./replica-sync.js";
import { RoutingSwitch } from "./routing-switch.js";
import type { CombinedShadowReport, CurrentShadowReport } from "./shadow-combine.js";
import { DEFAULT_PART_LIVENESS_MS } from "./shadow-compaction.js";
import { ShadowKeeper } from "./shadow-keeper.js";
import type { ShadowReport } from "./shadow-report.js";
import type { ModelRunner } from "./version-slot.js";
import { outsideTransactions } from "../../core/transaction-scope.js";

export type { CreateDeploymentOptions, UpdateDeploymentOptions } from "./deployment-rules.js";
export type { RollbackResult } from "./gated-switches.js";

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
   * turns it off. With a store that notifies changes (PostgreSQL), other replicas' changes arrive at once as well.
   */
  syncIntervalMs?: number;
  /**
   * Keep each deployment's replaced primary loaded as a warm standby (default true; `--no-deployment-standby`): a
   * rollback or an alias move back to it switches at once, for one more loaded model per deployment. See RoutingSwitch.
   */
  standby?: boolean;
  /**
   * How long a shadow report part may go unsaved before its process counts as gone and the part may be compacted
   * (ShadowKeeper). Default: 60 s, or 12 sync intervals when longer (the sync timer touches live parts).
   */
  shadowPartLivenessMs?: number;
}

/** A canary or shadow target: a version of the deployment's model, or a models:/ URI of the same model. */
export type CandidateTarget = { version: string } | { modelUri: string };

/**
 * Named deployments: which version of a registered model serves, how traffic is split (canary) and mirrored
 * (shadow), and every change of it — persisted with its history, audited, and applied to the live routing only
 * after the new version loaded and answered a warm-up run. Changes to one deployment are serialised; a change that
 * fails to load leaves the previous routing serving and says why (the error, the audit trail, `last_error`).
 *
 * The parts: RoutingSwitch (load, persist, swap), GatedSwitches (promote, rollback and alias following, each through
 * the registry's promotion gate), ReplicaSync (start-up, sync with other replicas, retries), ShadowKeeper (saved
 * shadow reports), HealthWatch (degraded or serving, after every change). This class is the API over them.
 */
export class DeploymentService implements ServedModels, EventSink {
  private readonly background = new Set<Promise<unknown>>();
  private readonly shadows: ShadowKeeper;
  private readonly routing: RoutingSwitch;
  private readonly health: HealthWatch;
  private readonly queue: DeploymentQueue;
  private readonly gated: GatedSwitches;
  private readonly replicas: ReplicaSync;
  private readonly changes: ChangeWatch;
  private stopped = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private loading: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(
    private readonly store: DeploymentStore,
    private readonly options: DeploymentServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    const livenessMs = options.shadowPartLivenessMs ?? Math.max(DEFAULT_PART_LIVENESS_MS, 12 * (options.syncIntervalMs ?? 5000));
    this.shadows = new ShadowKeeper(store, {
      clock: this.clock,
      livenessMs,
      liveOf: (name) => this.routing.get(name)?.routing?.shadow?.recorder,
      servedNames: () => this.routing.names(),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    // A mark is stored in the deployment's queue, like every change of it, and the health verdict follows it.
    const onVersionFailed = (name: string, persist: () => Promise<void>): Promise<void> => this.queue.run(name, persist);
    this.routing = new RoutingSwitch(store, { ...options, onVersionFailed }, this.shadows, this.clock, this.random);
    this.health = new HealthWatch({
      clock: this.clock,
      record: (name, health, time) => store.recordHealth(name, health.state, health.reason, time),
      ...(options.events ? { events: options.events } : {}),
      ...(options.onHealth ? { onHealth: options.onHealth } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    this.queue = new DeploymentQueue((name) => this.assess(name));
    const require = (name: string): Promise<Deployment> => this.require(name);
    this.gated = new GatedSwitches({
      store,
      registry: options.registry,
      evidence: options.evidence ?? noGateEvidence,
      routing: this.routing,
      queue: this.queue,
      require,
      clock: this.clock,
    });
    this.replicas = new ReplicaSync({
      store,
      registry: options.registry,
      routing: this.routing,
      queue: this.queue,
      gated: this.gated,
      stopped: () => this.stopped,
      ...(options.onError ? { onError: options.onError } : {}),
    });
    this.changes = new ChangeWatch({
      store,
      ready: async () => void (await this.loading),
      syncOne: (name) => this.replicas.syncOne(name),
      syncAll: () => this.sync(),
      stopped: () => this.stopped,
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

  /**
   * Loads every deployment in the background, following aliases that moved while the server was down; then keeps in
   * sync. Returns at once: start-up never waits for a model to load or warm up (each does so in its executor, within
   * its timeout, and a version marked failed is not loaded at all); loaded() says when the loads are done.
   */
  async start(): Promise<void> {
    const loading = this.replicas.loadAll().catch((error: unknown) => this.options.onError?.(error, "loading deployments"));
    this.loading = loading;
    this.background.add(loading);
    void loading.finally(() => this.background.delete(loading));
    // Changes made through other replicas, at once where the store notifies them (PostgreSQL); the interval below
    // is the fallback (and the only way on SQLite).
    this.changes.start();
    const interval = this.options.syncIntervalMs ?? 5000;
    if (interval > 0) {
      this.syncTimer = setInterval(() => {
        // The first sync waits for start-up's loads, which it would otherwise repeat.
        this.syncing ??= loading
          .then(() => this.sync())
          .catch((error: unknown) => this.options.onError?.(error, "syncing deployments"))
          .then(() => this.saveShadowReports())
          .then(async () => void (await this.compactShadowReports()))
          .finally(() => (this.syncing = undefined));
      }, interval);
      this.syncTimer.unref();
    }
  }

  /** Resolves when start()'s loads have finished (each loaded, failed, or skipped as marked failed). */
  async loaded(): Promise<void> {
    await this.loading;
  }

  /**
   * Brings this process in line with the store and the registry: deployments created, changed or deleted through
   * another replica, aliases moved there, and loads that failed (retried). See ReplicaSync.
   */
  async sync(): Promise<void> {
    await this.replicas.sync();
  }

  /** Waits for background switches, then closes every loaded version once its requests drained. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    await this.changes.stop();
    await this.syncing;
    await this.settled();
    // Released: a restarted process takes this process's parts over and continues them.
    await this.saveShadowReports(true);
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
      // The other replicas start loading the version now, in parallel with this one's load (their standby): when this
      // replica has stored the switch, they swap without a load of their own. Sent at the alias's commit.
      if (this.options.standby !== false && deployment.followedVersion !== version) {
        await this.store.announce?.(deployment.name).catch((error: unknown) => this.options.onError?.(error, `announcing the alias move of deployment '${deployment.name}'`));
      }
      // The registry publishes inside the alias's transaction (its webhooks are an outbox): the switch is background
      // work, which must not run its queries on that transaction's connection.
      const work = outsideTransactions(() => this.queue.run(deployment.name, () => this.gated.followAlias(deployment.name, version, ctx))).catch((error: unknown) => {
        // A promote or rollback waits for this switch: it answers with the failure (the alias moved regardless).
        if (!this.gated.followFailed(deployment.name, version, error)) {
          this.options.onError?.(error, `following alias ${name}@${alias} in deployment '${deployment.name}'`);
        }
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
    return this.queue.run(name, async () => {
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
          ...retentionOptions(options),
        },
        createdTime: now,
        lastUpdatedTime: now,
      };
      const primary = await this.routing.loadOrReport(deployment, version.version, "create", ctx, deployment.options);
      try {
        // The deployment and its audit event commit together: a crash keeps both or neither.
        await atomically(this.options.audit, async () => {
          await this.store.create(deployment, [this.entry(name, "primary", undefined, version.version, "create", ctx)]);
          await this.options.audit.record(ctx, {
            action: "serving.deployment.create",
            entityType: "deployment",
            entityId: name,
            before: null,
            after: { ...policySnapshot(deployment), ...(gate !== undefined ? { gate: formatPromotionTarget(gate) } : {}) },
          });
        });
      } catch (error) {
        await primary.retire();
        throw error;
      }
      this.routing.install(name, { primary }, deployment.options);
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
        "Nothing to update: give at least one of 'max_batch_size', 'max_latency_ms', 'prediction_log_sample_rate', 'inference_worker', 'prediction_log_max_age_seconds' and 'prediction_log_max_rows'.",
      );
    }
    return this.queue.run(name, async () => {
      const deployment = await this.require(name);
      const options: DeploymentOptions = {
        ...deployment.options,
        ...(changes.maxBatchSize !== undefined ? { maxBatchSize: changes.maxBatchSize } : {}),
        ...(changes.maxLatencyMs !== undefined ? { maxLatencyMs: changes.maxLatencyMs } : {}),
        ...(changes.predictionLogSampleRate !== undefined ? { predictionLogSampleRate: changes.predictionLogSampleRate } : {}),
        ...(changes.inferenceWorker !== undefined ? { inferenceWorker: changes.inferenceWorker } : {}),
        ...retentionOptions(changes),
      };
      return this.routing.change({ ...deployment, options }, deployment.policy, [], "update", ctx, {
        reason: "update",
        auditEntry: (next) => ({
          action: "serving.deployment.update",
          entityType: "deployment",
          entityId: name,
          before: { options: optionsSnapshot(deployment.options) },
          after: { options: optionsSnapshot(next.options) },
        }),
      });
    });
  }

  async setCanary(name: string, target: CandidateTarget, weight: number, sticky: boolean, ctx: WriteContext): Promise<Deployment> {
    validateFraction("weight", weight);
    return this.queue.run(name, async () => {
      const deployment = await this.require(name);
      const version = await this.candidateVersion(deployment, target);
      const policy: TrafficPolicy = { primary: deployment.policy.primary, canary: { version, weight, sticky }, ...(deployment.policy.shadow ? { shadow: deployment.policy.shadow } : {}) };
      return this.routing.change(deployment, policy, [this.entry(name, "canary", deployment.policy.canary?.version, version, "canary", ctx)], "canary", ctx);
    });
  }

  async setShadow(name: string, target: CandidateTarget, share: number, ctx: WriteContext): Promise<Deployment> {
    validateFraction("share", share);
    return this.queue.run(name, async () => {
      const deployment = await this.require(name);
      const version = await this.candidateVersion(deployment, target);
      const policy: TrafficPolicy = { primary: deployment.policy.primary, ...(deployment.policy.canary ? { canary: deployment.policy.canary } : {}), shadow: { version, share } };
      return this.routing.change(deployment, policy, [this.entry(name, "shadow", deployment.policy.shadow?.version, version, "shadow", ctx)], "shadow", ctx);
    });
  }

  async promote(name: string, ctx: WriteContext): Promise<Deployment> {
    return this.gated.promote(name, ctx);
  }

  async rollback(name: string, ctx: WriteContext): Promise<RollbackResult> {
    return this.gated.rollback(name, ctx);
  }

  async delete(name: string, ctx: WriteContext): Promise<void> {
    await this.queue.run(name, async () => {
      const deployment = await this.require(name);
      const { canary, shadow, primary } = deployment.policy;
      // The comparison's last state is kept (like the history): it is what a promotion was decided on.
      await this.shadows.saveOf(name);
      await atomically(this.options.audit, async () => {
        await this.store.delete(name, [
          this.entry(name, "primary", primary, undefined, "delete", ctx),
          ...(canary ? [this.entry(name, "canary", canary.version, undefined, "delete", ctx)] : []),
          ...(shadow ? [this.entry(name, "shadow", shadow.version, undefined, "delete", ctx)] : []),
        ]);
        await this.options.audit.record(ctx, { action: "serving.deployment.delete", entityType: "deployment", entityId: name, before: policySnapshot(deployment), after: null });
      });
      this.shadows.forget(name);
      void this.routing.drop(name);
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
   * The comparison of the live shadow (or of the last one dropped while this process ran), as every replica counted
   * it; else the latest saved comparison of this deployment (ShadowKeeper.currentOf). `updatedTime`: the latest save
   * of a part.
   */
  async currentReport(name: string): Promise<CurrentShadowReport> {
    const deployment = await this.require(name);
    const current = await this.shadows.currentOf(deployment);
    if (current !== undefined) return current;
    throw new CairnError(ErrorCode.INVALID_STATE, `Deployment '${name}' has no shadow (its primary is version ${deployment.policy.primary}); set one with deployments/shadow.`);
  }

  /**
   * Every saved comparison of this deployment name, newest first, each combined across replicas, including those of
   * an earlier deployment of the same name (like the history); what this process is counting is saved first, so the
   * list is current.
   */
  async shadowReports(name: string): Promise<CombinedShadowReport[]> {
    const saved = await this.shadows.savedReports(name);
    if (saved.length === 0) await this.require(name);
    return saved;
  }

  /**
   * Saves every comparison that counted something since its last save (the sync timer, stop, and tests call it);
   * `release` at stop: the parts are marked for a restarted process to continue.
   */
  async saveShadowReports(release = false): Promise<void> {
    await this.shadows.saveAll(release);
  }

  /**
   * Merges dead processes' shadow report parts (released, or unsaved past the liveness bound) into one compacted part
   * per comparison, for every deployment this process serves; each at most once per half liveness bound (the sync
   * timer calls it after each save). Returns how many parts were merged.
   */
  async compactShadowReports(): Promise<number> {
    return this.shadows.compactAllDue();
  }

  // --- internals ---

  private async require(name: string): Promise<Deployment> {
    const deployment = await this.store.get(name);
    if (deployment === undefined) throw notFound(`Deployment '${name.slice(0, 100)}' does not exist.`);
    return deployment;
  }

  /**
   * Compares what serves with what should (DeploymentHealth). Skipped while a promote or rollback's own alias move is
   * being followed: the switch is queued right behind, and the moment between is not a degradation.
   */
  private async assess(name: string): Promise<void> {
    if (this.stopped) return;
    if (this.gated.pending(name)) return;
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
    return historyEntry(this.clock(), name, role, from, to, reason, ctx);
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
}
