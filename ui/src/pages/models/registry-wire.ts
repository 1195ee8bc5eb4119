/**
 * The wire shapes of the registry pages. MLflow's entities and Cairn's self-contained types come from the server
 * (type-only); the governance answers that the server builds inline (rules, approvals) are spelled out here as the
 * routes in src/registry/governance-routes.ts write them.
 */
import type { Actor } from "../../../../src/core/actor.js";
export type { Actor };
export type { LineageEdge, LineageGraph, LineageNode, LineageNodeType, LineageRelation } from "../../../../src/registry/lineage/lineage-graph.js";
export type { EvaluationMetric, ModelCard } from "../../../../src/registry/model-cards/model-card.js";
export type { AliasChange } from "../../../../src/audit/alias-history.js";
export type { AuditEventMessage } from "../../../../src/audit/event.js";
export type { PromotionVerdict } from "../../../../src/registry/promotion-gate.js";

export type MetricComparator = "=" | "!=" | ">" | ">=" | "<" | "<=";

export interface PromotionRuleWire {
  name: string;
  /** "alias:<alias>" or "stage:<Stage>". */
  target: string;
  required_tags: { key: string; value: string }[];
  metric_thresholds: { metric: string; comparator: MetricComparator; value: number }[];
  required_approvals: number;
  updated_by: Actor;
  updated_time: number;
}

export interface ApprovalWire {
  name: string;
  version: string;
  target: string;
  actor: Actor;
  time: number;
  comment?: string;
}
