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

  /** Records the approval unless this actor already approved (model, version, target); returns the stored one. */
  addApproval(approval: Approval): Promise<{ approval: Approval; created: boolean }>;
  /** Approvals of a version (all targets, or one), oldest first. */
  listApprovals(name: string, version: string, target?: string): Promise<Approval[]>;

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
