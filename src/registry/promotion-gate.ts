import type { ModelStage } from "../protocol/mlflow/registry-entities.js";

/**
 * The check the registry runs before an alias moves or a stage changes: the governance domain implements it with
 * per-model rules (required tags, metric thresholds, approvals). The registry refuses the change, audits the refusal
 * and announces it when `allowed` is false.
 */
export type PromotionTarget =
  | { kind: "alias"; alias: string }
  | { kind: "stage"; stage: ModelStage }
  /** What a deployment pinned to a version (models:/M/3) serves as its primary: promote, create and rollback. */
  | { kind: "deployment"; deployment: string };

/**
 * How a check is asked. skipApprovals: a rollback to a version that passed this very target through the gate at
 * `passedAt` (the caller holds that evidence). Approvals are skipped only when the rule in force now was already in
 * force then (the version passed the same rule); every other kind of rule still applies.
 */
export interface PromotionCheckOptions {
  skipApprovals?: { passedAt: number };
}

export interface PromotionVerdict {
  allowed: boolean;
  /** One readable sentence per unmet rule, e.g. "metrics.accuracy >= 0.9 not met (run value 0.85)". */
  unmet: string[];
  /** True when the rule required approvals and the caller's evidence (skipApprovals) stood in for them. */
  approvalsSkipped?: boolean;
}

export interface PromotionGate {
  check(name: string, version: string, target: PromotionTarget, options?: PromotionCheckOptions): Promise<PromotionVerdict>;
}

/** "alias:champion" / "stage:Production" / "deployment:churn-prod", the wire spelling of a target in Cairn's governance API. */
export const formatPromotionTarget = (target: PromotionTarget): string =>
  target.kind === "alias" ? `alias:${target.alias}` : target.kind === "stage" ? `stage:${target.stage}` : `deployment:${target.deployment}`;
