import type {
  MetricThreshold,
  PromotionRule,
  RequiredTag,
  StoredApproval,
  StoredModelCard,
} from "../../registry/governance-store.js";

/** Governance row shapes (promotion_rules, promotion_approvals, model_cards) and their mapping, for both SQL backends. */

export interface RuleRow {
  model_name: string;
  target: string;
  required_tags: string;
  metric_thresholds: string;
  required_approvals: number;
  forbid_self_approval: number;
  updated_by: string;
  updated_by_verified: number;
  updated_time: number;
}

export interface ApprovalRow {
  approval_id: number;
  model_name: string;
  version: string;
  target: string;
  actor_name: string;
  actor_verified: number;
  time: number;
  comment: string | null;
  revoked_by: string | null;
  revoked_by_verified: number | null;
  revoked_time: number | null;
}

export interface CardRow {
  model_name: string;
  version: string;
  description: string;
  intended_use: string;
  training_data: string;
  limitations: string;
  ethical_considerations: string;
  owners: string;
  updated_by: string;
  updated_by_verified: number;
  updated_time: number;
}

export const toRule = (row: RuleRow): PromotionRule => ({
  name: row.model_name,
  target: row.target,
  requiredTags: JSON.parse(row.required_tags) as RequiredTag[],
  metricThresholds: JSON.parse(row.metric_thresholds) as MetricThreshold[],
  requiredApprovals: row.required_approvals,
  forbidSelfApproval: row.forbid_self_approval === 1,
  updatedBy: { name: row.updated_by, verified: row.updated_by_verified === 1 },
  updatedTime: row.updated_time,
});

export const toApproval = (row: ApprovalRow): StoredApproval => ({
  id: row.approval_id,
  name: row.model_name,
  version: row.version,
  target: row.target,
  actor: { name: row.actor_name, verified: row.actor_verified === 1 },
  time: row.time,
  ...(row.comment === null ? {} : { comment: row.comment }),
  ...(row.revoked_by === null || row.revoked_time === null
    ? {}
    : { revokedBy: { name: row.revoked_by, verified: row.revoked_by_verified === 1 }, revokedTime: row.revoked_time }),
});

/** The endpoint named in a bad page token's error. */
export const APPROVALS_ENDPOINT = "governance/approvals";

export const toCard = (row: CardRow): StoredModelCard => ({
  name: row.model_name,
  version: row.version,
  description: row.description,
  intendedUse: row.intended_use,
  trainingData: row.training_data,
  limitations: row.limitations,
  ethicalConsiderations: row.ethical_considerations,
  owners: JSON.parse(row.owners) as string[],
  updatedBy: { name: row.updated_by, verified: row.updated_by_verified === 1 },
  updatedTime: row.updated_time,
});

/** The tables a model's governance rows live in (renamed and deleted with the model). */
export const GOVERNANCE_TABLES = ["promotion_rules", "promotion_approvals", "model_cards"] as const;
