import type { WriteContext } from "../../core/actor.js";
import type { Clock } from "../../core/clock.js";
import { CairnError, ErrorCode } from "../../core/errors.js";
import { parseRegisteredModelUri } from "../../registry/model-uri.js";
import { formatPromotionTarget } from "../../registry/promotion-gate.js";
import type { GatedChange, GatedOutcome } from "../../registry/promotion-enforcement.js";
import type { Deployment, DeploymentRole, DeploymentStore, SwitchReason, TrafficPolicy } from "./deployment.js";
import { approvalsSkippedNote, governingTarget, type DeploymentGate, type GateEvidence } from "./deployment-gate.js";
import type { DeploymentQueue } from "./deployment-queue.js";
import { historyEntry } from "./deployment-rules.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import type { ModelUri } from "../../registry/model-uri.js";
import { previousPrimary } from "./rollback-target.js";
import type { RoutingSwitch } from "./routing-switch.js";

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
  /** When the version passed the target before (the evidence behind approvalsSkipped). */
  passedAt?: number;
  error?: unknown;
}

export interface GatedSwitchesDeps {
  store: DeploymentStore;
  registry: DeploymentGate & {
    resolveModelUri(uri: string | ModelUri): Promise<ModelVersion>;
    getModelVersion(name: string, version: string): Promise<ModelVersion>;
  };
  evidence: GateEvidence;
  routing: RoutingSwitch;
  queue: DeploymentQueue;
  require: (name: string) => Promise<Deployment>;
  clock: Clock;
}

/**
 * The changes of what serves as a primary, each through the registry's one promotion gate: promote, rollback, and
 * following an alias that moved (by this deployment's promote or rollback, by MLflow's route, by anyone).
 */
export class GatedSwitches {
  /** Promotes and rollbacks of alias-following deployments whose alias move is being followed, by deployment. */
  private readonly intents = new Map<string, AliasIntent>();

  constructor(private readonly deps: GatedSwitchesDeps) {}

  /** Whether a promote or rollback's own alias move waits to be followed (its switch is queued right behind). */
  pending(name: string): boolean {
    const intent = this.intents.get(name);
    return intent !== undefined && intent.error === undefined;
  }

  /**
   * The alias event's switch failed: when a promote or rollback waits for it, the failure is its answer (true);
   * otherwise it is the caller's to report (false).
   */
  followFailed(name: string, version: string, error: unknown): boolean {
    const intent = this.intents.get(name);
    if (intent?.version !== version) return false;
    intent.error = error;
    return true;
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
    const step = await this.deps.queue.run(name, async (): Promise<{ done: Deployment } | { follow: string }> => {
      const deployment = await this.deps.require(name);
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
      const version = await this.deps.registry.getModelVersion(deployment.modelName, candidate);
      await this.deps.registry.requirePromotion(version, target, ctx, { reason: "promote", current: { current_version: primary } });
      const history = [
        this.entry(name, "primary", primary, candidate, "promote", ctx),
        ...(canary ? [this.entry(name, "canary", canary.version, undefined, "promote", ctx)] : []),
        ...(shadow ? [this.entry(name, "shadow", shadow.version, undefined, "promote", ctx)] : []),
      ];
      return { done: await this.deps.routing.change(deployment, { primary: candidate }, history, "promote", ctx, { gate: formatPromotionTarget(target) }) };
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
    const step = await this.deps.queue.run(name, async (): Promise<{ done: RollbackResult } | { follow: string; approvalsSkipped?: string }> => {
      const deployment = await this.deps.require(name);
      const { canary, shadow, primary } = deployment.policy;
      if (canary || shadow) {
        const history = [
          ...(canary ? [this.entry(name, "canary", canary.version, undefined, "rollback", ctx)] : []),
          ...(shadow ? [this.entry(name, "shadow", shadow.version, undefined, "rollback", ctx)] : []),
        ];
        return { done: await this.deps.routing.change(deployment, { primary }, history, "rollback", ctx) };
      }
      const previous = previousPrimary(await this.deps.store.history(name));
      if (previous === undefined) {
        throw new CairnError(ErrorCode.INVALID_STATE, `Deployment '${name}' has no previous primary version to roll back to (it has served only version ${primary}).`);
      }
      const target = governingTarget(deployment);
      const passedAt = await this.deps.evidence.passedAt(deployment.modelName, previous, target, deployment.createdTime);
      const evidence = passedAt !== undefined ? { approvalsSkipped: approvalsSkippedNote(previous, target, passedAt), passedAt } : {};
      if (target.kind === "alias") {
        const outcome = await this.moveAlias(deployment, target.alias, { version: previous, reason: "rollback", ...evidence }, ctx);
        return { follow: previous, ...outcome };
      }
      const version = await this.deps.registry.getModelVersion(deployment.modelName, previous);
      // What the gate says it skipped (nothing when no rule required approvals), not what the evidence would allow.
      const outcome = await this.deps.registry.requirePromotion(version, target, ctx, { reason: "rollback", current: { current_version: primary }, ...evidence });
      const skipped = outcome.approvalsSkipped !== undefined ? { approvalsSkipped: outcome.approvalsSkipped } : {};
      const history = [this.entry(name, "primary", primary, previous, "rollback", ctx)];
      const next = await this.deps.routing.change(deployment, { primary: previous }, history, "rollback", ctx, { gate: formatPromotionTarget(target), ...skipped });
      return { done: { ...next, ...skipped } };
    });
    if ("done" in step) return step.done;
    const next = await this.awaitFollow(name, step.follow, ctx);
    return { ...next, ...(step.approvalsSkipped !== undefined ? { approvalsSkipped: step.approvalsSkipped } : {}) };
  }

  /**
   * Inside the queue: the alias moves through the registry (its gate may refuse); the registry's event then queues
   * the switch behind this step, which records it as `intent.reason`.
   */
  private async moveAlias(deployment: Deployment, alias: string, intent: AliasIntent, ctx: WriteContext): Promise<GatedOutcome> {
    this.intents.set(deployment.name, intent);
    const change: GatedChange = {
      reason: intent.reason,
      ...(intent.approvalsSkipped !== undefined ? { approvalsSkipped: intent.approvalsSkipped } : {}),
      ...(intent.passedAt !== undefined ? { passedAt: intent.passedAt } : {}),
    };
    try {
      const outcome = await this.deps.registry.setAlias(deployment.modelName, alias, intent.version, ctx, change);
      // The switch (queued behind this step by the alias event) records only what the gate actually skipped.
      if (outcome.approvalsSkipped === undefined) delete intent.approvalsSkipped;
      return outcome;
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
    return this.deps.queue.run(name, async () => {
      const intent = this.intents.get(name);
      try {
        if (intent?.version === version && intent.error !== undefined) throw intent.error;
        const deployment = await this.deps.require(name);
        if (deployment.policy.primary === version && deployment.followedVersion === version) return deployment;
        const current = await this.deps.registry.resolveModelUri(parseRegisteredModelUri(deployment.modelUri)).catch(() => undefined);
        if (current?.version !== version) return deployment;
        await this.followAlias(name, version, ctx);
        return await this.deps.require(name);
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
  async followAlias(name: string, version: string, ctx: WriteContext): Promise<void> {
    const deployment = await this.deps.store.get(name);
    if (deployment === undefined) return;
    if (deployment.policy.primary === version) {
      if (deployment.followedVersion !== version) await this.deps.store.update({ ...deployment, followedVersion: version, lastUpdatedTime: this.deps.clock() }, []);
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
    await this.deps.routing.change(deployment, policy, history, intent?.reason ?? "switch", ctx, {
      followedVersion: version,
      // Every replica may follow the same move (the request's at once, the others from their sync): one records it.
      ifUnchanged: true,
      ...(intent !== undefined ? { gate: formatPromotionTarget(target) } : {}),
      ...(intent?.approvalsSkipped !== undefined ? { approvalsSkipped: intent.approvalsSkipped } : {}),
    });
  }

  private entry(name: string, role: DeploymentRole, from: string | undefined, to: string | undefined, reason: SwitchReason, ctx: WriteContext) {
    return historyEntry(this.deps.clock(), name, role, from, to, reason, ctx);
  }
}
