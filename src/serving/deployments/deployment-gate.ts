import type { WriteContext } from "../../core/actor.js";
import type { AliasChange } from "../../audit/alias-history.js";
import { parseSnapshot } from "../../audit/snapshot.js";
import type { AuditPage, AuditQuery } from "../../audit/store.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import { parseRegisteredModelUri } from "../../registry/model-uri.js";
import { formatPromotionTarget, type PromotionTarget } from "../../registry/promotion-gate.js";
import type { GatedChange, GatedOutcome } from "../../registry/promotion-enforcement.js";
import type { Deployment } from "./deployment.js";

/**
 * Deployments change what serves as a primary only through the registry's one promotion gate: a deployment that
 * follows an alias moves the alias (RegistryService.setAlias: rules, approvals, audit, webhooks), a deployment pinned
 * to a version asks the same gate for its own target, deployment:<name> (RegistryService.requirePromotion: the same
 * refusal audit event and webhook). This file holds what deployments need for that and nothing that decides.
 */
export interface DeploymentGate {
  setAlias(name: string, alias: string, version: string, ctx: WriteContext, change?: GatedChange): Promise<GatedOutcome>;
  requirePromotion(version: ModelVersion, target: PromotionTarget, ctx: WriteContext, change?: GatedChange): Promise<GatedOutcome>;
}

/** The target whose rules govern a deployment's primary: its alias, or for a pinned deployment its own name. */
export const governingTarget = (deployment: Pick<Deployment, "name" | "modelUri">): PromotionTarget => {
  const uri = parseRegisteredModelUri(deployment.modelUri);
  return uri.kind === "alias" ? { kind: "alias", alias: uri.alias } : { kind: "deployment", deployment: deployment.name };
};

/**
 * Proof that a version went to a target through the gate before (the only ground on which a rollback skips
 * approvals): the time it did, or undefined.
 */
export interface GateEvidence {
  /** `since`: only passes at or after this time count (a deployment re-created under the same name starts afresh). */
  passedAt(model: string, version: string, target: PromotionTarget, since: number): Promise<number | undefined>;
}

export const noGateEvidence: GateEvidence = { passedAt: async () => undefined };

/** The sentence a rollback's response and audit event carry when it skipped approvals. */
export const approvalsSkippedNote = (version: string, target: PromotionTarget, time: number): string =>
  `approvals skipped: version ${version} passed ${formatPromotionTarget(target)} at ${new Date(time).toISOString()}`;

/** What the audit trail offers the evidence (AuditService provides it). */
export interface AuditReads {
  list(query: AuditQuery): Promise<AuditPage>;
  aliasHistory(name: string, alias?: string): Promise<AliasChange[]>;
}

/** Audit events read at most while looking for a pinned deployment's evidence: bounded work on any log size. */
const MAX_EVIDENCE_PAGES = 10;
const EVIDENCE_PAGE = 500;

/**
 * The audit trail as evidence. An alias: its history (every registry.alias.set passed the gate) names the version.
 * A pinned deployment: a serving.deployment.* event whose `after` records that the gate for this target let this
 * version become the primary (`gate` and `policy.primary`), newest first.
 */
export const auditGateEvidence = (audit: AuditReads): GateEvidence => ({
  passedAt: async (model, version, target, since) => {
    if (target.kind === "alias") {
      const changes = await audit.aliasHistory(model, target.alias);
      return changes.filter((change) => change.to_version === version).at(-1)?.time;
    }
    if (target.kind !== "deployment") return undefined;
    const key = formatPromotionTarget(target);
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_EVIDENCE_PAGES; page += 1) {
      const found = await audit.list({
        entityType: "deployment",
        entityId: target.deployment,
        action: "serving.deployment.*",
        startTime: since,
        newestFirst: true,
        maxResults: EVIDENCE_PAGE,
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      for (const record of found.items) {
        const after = parseSnapshot(record.afterJson);
        const policy = after?.policy as { primary?: unknown } | undefined;
        if (after?.gate === key && policy?.primary === version) return record.time;
      }
      pageToken = found.nextPageToken;
      if (pageToken === undefined) return undefined;
    }
    return undefined;
  },
});
