import type { WriteContext } from "../core/actor.js";
import { CairnError, ErrorCode } from "../core/errors.js";
import { RegistryEventType } from "../core/events.js";
import type { AuditRecorder } from "../audit/recorder.js";
import type { ModelVersion } from "../protocol/mlflow/registry-entities.js";
import { formatPromotionTarget, type PromotionGate, type PromotionTarget } from "./promotion-gate.js";
import { versionEntity } from "./registry-writes.js";
import type { RegistryStore } from "./store.js";

/**
 * A change that passes the promotion gate on behalf of another domain (deployments): why it is made, and when a
 * rollback may skip approvals, the evidence that the version passed this very target before.
 */
export interface GatedChange {
  /** Recorded with the change ("promote", "rollback"); a plain alias set records none. */
  reason?: "promote" | "rollback";
  /** "approvals skipped: version 2 passed alias:champion at ...": approvals are not required, every other rule is. */
  approvalsSkipped?: string;
  /** When the version passed the target (the evidence behind approvalsSkipped); compared with the rule's last change. */
  passedAt?: number;
  /** What the target names now, for the refusal event (e.g. {deployment, current_version}); aliases and stages know it. */
  current?: Record<string, unknown>;
}

/** What a gated change passed on: the approvals-skipped sentence when approvals were required and skipped. */
export interface GatedOutcome {
  approvalsSkipped?: string;
}

export interface PromotionEnforcementDeps {
  gate: PromotionGate;
  store: Pick<RegistryStore, "getVersionByAlias">;
  audit: AuditRecorder;
  /** The registry's event publisher (webhooks and deployments hear promotion.refused through it). */
  publish: (type: RegistryEventType, ctx: WriteContext, payload: Record<string, unknown>) => Promise<void>;
}

/**
 * The one promotion gate: asks the promotion rules; a refusal is audited ("registry.promotion.refuse") and announced
 * (promotion.refused) before the error, so that a refused attempt is as visible as a successful one. Every change of
 * what users are served passes here: alias moves, stage changes, and deployments' own targets (deployment:<name>).
 */
export class PromotionEnforcement {
  constructor(private readonly deps: PromotionEnforcementDeps) {}

  async require(version: ModelVersion, target: PromotionTarget, ctx: WriteContext, change: GatedChange = {}): Promise<GatedOutcome> {
    const evidence = change.approvalsSkipped !== undefined && change.passedAt !== undefined ? { skipApprovals: { passedAt: change.passedAt } } : {};
    const verdict = await this.deps.gate.check(version.name, version.version, target, evidence);
    // The evidence is only worth saying when a rule required approvals that it stood in for.
    if (verdict.allowed) return verdict.approvalsSkipped === true && change.approvalsSkipped !== undefined ? { approvalsSkipped: change.approvalsSkipped } : {};
    const targetText = formatPromotionTarget(target);
    const current =
      target.kind === "alias"
        ? { alias: target.alias, current_version: (await this.deps.store.getVersionByAlias(version.name, target.alias))?.version ?? null }
        : target.kind === "stage"
          ? { stage: target.stage, current_stage: version.current_stage }
          : { deployment: target.deployment, ...change.current };
    await this.deps.audit.record(ctx, {
      action: "registry.promotion.refuse",
      entityType: "model_version",
      entityId: versionEntity(version.name, version.version),
      after: { target: targetText, unmet: verdict.unmet, ...(change.reason !== undefined ? { reason: change.reason } : {}) },
    });
    await this.deps.publish(RegistryEventType.PROMOTION_REFUSED, ctx, {
      name: version.name,
      version: version.version,
      target: targetText,
      ...current,
      unmet: verdict.unmet,
    });
    const reasons = verdict.unmet.length > 0 ? verdict.unmet.join("; ") : "the promotion rules refused it";
    throw new CairnError(
      ErrorCode.INVALID_PARAMETER_VALUE,
      `Promotion of model '${version.name}' version ${version.version} to ${targetText} refused: ${reasons}.`,
    );
  }
}
