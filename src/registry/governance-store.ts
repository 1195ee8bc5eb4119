import type { Actor } from "../core/actor.js";

/**
 * The storage of the governance domain: promotion rules per (model, target), approvals per (model, version, target,
 * actor) and model cards per (model, version). Backends implement it (SQLite now). Rows are keyed by model name and
 * version text, so whoever renames or deletes registered models and versions must call renameModel / deleteModel /
 * deleteVersion for the governance rows to follow.
 */
export interface GovernanceStore {
  /** Creates or replaces the rule of (model, target). */
  putRule(rule: PromotionRule): Promise<void>;
  getRule(name: string, target: string): Promise<PromotionRule | undefined>;
  /** Rules of a model, ordered by target. */
  listRules(name: string): Promise<PromotionRule[]>;
  /** Returns false when there was no such rule. */
  deleteRule(name: string, target: string): Promise<boolean>;

  /**
   * Records the approval unless this actor (exact name) has a standing one for (model, version, target); returns the
   * standing approval. After a revoke, approving again creates a new approval.
   */
  addApproval(approval: Approval): Promise<{ approval: StoredApproval; created: boolean }>;
  /** Standing (not revoked) approvals of a version (all targets, or one), oldest first: the ones that can count. */
  listApprovals(name: string, version: string, target?: string): Promise<StoredApproval[]>;
  /** A model's approvals, revoked ones included on request, newest first (time, then id), keyset-paged. */
  searchApprovals(query: ApprovalQuery): Promise<{ items: StoredApproval[]; nextPageToken?: string }>;
  /**
   * Marks the standing approval with this id revoked; returns it as revoked, or undefined when there is no such
   * approval or it was already revoked (a revoke never changes an earlier revoke).
   */
  revokeApproval(id: number, revokedBy: Actor, time: number): Promise<StoredApproval | undefined>;

  putCard(card: StoredModelCard): Promise<void>;
  getCard(name: string, version: string): Promise<StoredModelCard | undefined>;

  /** Moves every governance row of model `name` to `newName`. */
  renameModel(name: string, newName: string): Promise<void>;
  /** Deletes every governance row of the model. */
  deleteModel(name: string): Promise<void>;
  /** Deletes the approvals and the card of one version. */
  deleteVersion(name: string, version: string): Promise<void>;
}

export type MetricComparator = "=" | "!=" | ">" | ">=" | "<" | "<=";
export const METRIC_COMPARATORS: readonly MetricComparator[] = ["=", "!=", ">", ">=", "<", "<="];

export interface RequiredTag {
  key: string;
  value: string;
}

export interface MetricThreshold {
  metric: string;
  comparator: MetricComparator;
  value: number;
}

export interface PromotionRule {
  name: string;
  /** "alias:<alias>" or "stage:<Stage>", see formatPromotionTarget. */
  target: string;
  requiredTags: RequiredTag[];
  metricThresholds: MetricThreshold[];
  requiredApprovals: number;
  /** Approvals by the version's creator or its source run's user do not count, and are refused. */
  forbidSelfApproval: boolean;
  updatedBy: Actor;
  updatedTime: number;
}

export interface Approval {
  name: string;
  version: string;
  target: string;
  actor: Actor;
  time: number;
  comment?: string;
}

/** An approval as stored: its id (unique within the store) and, once revoked, who revoked it and when. */
export interface StoredApproval extends Approval {
  id: number;
  revokedBy?: Actor;
  revokedTime?: number;
}

export interface ApprovalQuery {
  name: string;
  version?: string;
  target?: string;
  includeRevoked: boolean;
  maxResults: number;
  pageToken?: string;
}

/** The user-written part of a model card; evaluation metrics are read from the run when the card is shown. */
export interface ModelCardFields {
  description: string;
  intendedUse: string;
  trainingData: string;
  limitations: string;
  ethicalConsiderations: string;
  owners: string[];
}

export interface StoredModelCard extends ModelCardFields {
  name: string;
  version: string;
  updatedBy: Actor;
  updatedTime: number;
}
