import type { Actor } from "../core/actor.js";
import { iteratePages, type Page } from "./paging.js";
import type { VersionRef } from "./registry-api.js";
import type { HttpTransport } from "./transport.js";

/** Comparators a metric threshold may use (the source run's latest value on the left). */
export type ThresholdComparator = "=" | "!=" | ">" | ">=" | "<" | "<=";

export interface MetricThresholdWire {
  metric: string;
  comparator: ThresholdComparator;
  value: number;
}

/** A promotion rule as Cairn's governance API sends it. `target` is "alias:<alias>", "stage:<Stage>" or "deployment:<name>". */
export interface PromotionRuleWire {
  name: string;
  target: string;
  required_tags: { key: string; value: string }[];
  metric_thresholds: MetricThresholdWire[];
  required_approvals: number;
  /** Approvals by the version's creator or its source run's user are refused and never count. */
  forbid_self_approval: boolean;
  updated_by?: Actor;
  updated_time?: number;
}

export interface SetPromotionRuleRequest {
  name: string;
  target: string;
  requiredTags?: { key: string; value: string }[] | Record<string, string>;
  metricThresholds?: MetricThresholdWire[];
  requiredApprovals?: number;
  /** Refuse approvals by the version's creator or its run's user (the server's default: false). */
  forbidSelfApproval?: boolean;
}

export interface ApprovalWire {
  name: string;
  version: string;
  target: string;
  actor: Actor;
  time: number;
  comment?: string;
  /** Set once the approver revoked it: a revoked approval no longer counts. */
  revoked_by?: Actor;
  revoked_time?: number;
}

export interface ListApprovalsRequest {
  name: string;
  /** Only this version's approvals. */
  version?: VersionRef;
  /** Only approvals for this target, e.g. "alias:champion". */
  target?: string;
  /** Revoked approvals too (default: only the standing ones). */
  includeRevoked?: boolean;
  /** Page size, 1 to 1000 (server default 100). */
  maxResults?: number;
  pageToken?: string;
}

export interface PromotionCheck {
  allowed: boolean;
  /** One sentence per unmet rule. */
  unmet: string[];
}

export type LineageNodeType = "model_version" | "registered_model" | "run" | "experiment" | "dataset" | "code" | "deployment";

export interface LineageNode {
  /** e.g. "model_version:churn/3", "run:<id>". */
  id: string;
  type: LineageNodeType | string;
  label: string;
  attributes?: Record<string, unknown>;
}

export interface LineageEdge {
  from: string;
  to: string;
  relation: "produced" | "used" | "version_of" | "logged_in" | "built_from" | string;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface DatasetUsage {
  runs: { run_id: string; run_name?: string; experiment_id: string; context?: string }[];
  model_versions: { name: string; version: string; run_id?: string }[];
}

/** The fields a person writes on a model card; evaluation metrics come from the run. */
export interface ModelCardInput {
  description?: string;
  intended_use?: string;
  training_data?: string;
  limitations?: string;
  ethical_considerations?: string;
  owners?: string[];
}

export interface ModelCard extends ModelCardInput {
  name: string;
  version: string;
  evaluation_metrics?: { key: string; value: number; step?: number }[];
  updated_by?: Actor;
  updated_time?: number;
}

export const CARD_FIELDS: readonly (keyof ModelCardInput)[] = [
  "description",
  "intended_use",
  "training_data",
  "limitations",
  "ethical_considerations",
  "owners",
];

const keyValues = (tags: { key: string; value: string }[] | Record<string, string> | undefined): { key: string; value: string }[] | undefined => {
  if (tags === undefined) return undefined;
  return Array.isArray(tags) ? tags : Object.entries(tags).map(([key, value]) => ({ key, value }));
};

/** Cairn's governance API: promotion rules, approvals, promotion checks, lineage and model cards. */
export class GovernanceApi {
  constructor(private readonly http: HttpTransport) {}

  /** Creates or replaces the rule for one target of a model. */
  async setRule(request: SetPromotionRuleRequest): Promise<PromotionRuleWire> {
    const answer = await this.http.callCairn<{ rule: PromotionRuleWire }>("POST", "registered-models/promotion-rules/set", {
      name: request.name,
      target: request.target,
      required_tags: keyValues(request.requiredTags) ?? [],
      metric_thresholds: request.metricThresholds ?? [],
      required_approvals: request.requiredApprovals ?? 0,
      ...(request.forbidSelfApproval === undefined ? {} : { forbid_self_approval: request.forbidSelfApproval }),
    });
    return normalizeRule(answer.rule);
  }

  async listRules(name: string): Promise<PromotionRuleWire[]> {
    const answer = await this.http.callCairn<{ rules?: PromotionRuleWire[] }>("GET", "registered-models/promotion-rules/list", { name });
    return (answer.rules ?? []).map(normalizeRule);
  }

  async deleteRule(name: string, target: string): Promise<void> {
    await this.http.callCairn("DELETE", "registered-models/promotion-rules/delete", { name, target });
  }

  /** Records the caller's approval (the client's declared user; anonymous callers cannot approve). */
  async approve(name: string, version: VersionRef, target: string, comment?: string): Promise<ApprovalWire> {
    const answer = await this.http.callCairn<{ approval: ApprovalWire }>("POST", "model-versions/approve", {
      name,
      version: String(version),
      target,
      comment,
    });
    return answer.approval;
  }

  /** The version's standing approvals (the ones that can count), oldest first. */
  async listApprovals(name: string, version: VersionRef): Promise<ApprovalWire[]> {
    const answer = await this.http.callCairn<{ approvals?: ApprovalWire[] }>("GET", "model-versions/approvals", { name, version: String(version) });
    return answer.approvals ?? [];
  }

  /** One page of a model's approvals across versions, newest first: who approved what, when, and who revoked it. */
  async searchApprovals(request: ListApprovalsRequest): Promise<Page<ApprovalWire>> {
    const answer = await this.http.callCairn<{ approvals?: ApprovalWire[]; next_page_token?: string }>("GET", "governance/approvals", {
      name: request.name,
      version: request.version === undefined ? undefined : String(request.version),
      target: request.target,
      include_revoked: request.includeRevoked === undefined ? undefined : String(request.includeRevoked),
      max_results: request.maxResults,
      page_token: request.pageToken,
    });
    return { items: answer.approvals ?? [], nextPageToken: answer.next_page_token || undefined };
  }

  /** Every matching approval, newest first, fetching pages as the caller iterates. */
  searchApprovalsAll(request: Omit<ListApprovalsRequest, "pageToken">): AsyncGenerator<ApprovalWire> {
    return iteratePages((pageToken) => this.searchApprovals({ ...request, pageToken }));
  }

  /** Revokes the caller's own standing approval of the version for the target; answers it as revoked. */
  async revokeApproval(name: string, version: VersionRef, target: string): Promise<ApprovalWire> {
    const answer = await this.http.callCairn<{ approval: ApprovalWire }>("DELETE", "governance/approvals", { name, version: String(version), target });
    return answer.approval;
  }

  /** Whether the version may move to the target now, and if not, why. */
  async checkPromotion(name: string, version: VersionRef, target: string): Promise<PromotionCheck> {
    const answer = await this.http.callCairn<{ allowed?: boolean; unmet?: string[] }>("GET", "model-versions/promotion-check", {
      name,
      version: String(version),
      target,
    });
    return { allowed: answer.allowed === true, unmet: answer.unmet ?? [] };
  }

  /** Where the version comes from (run, datasets, code, experiment) and where it went (deployments). */
  async lineage(name: string, version: VersionRef): Promise<LineageGraph> {
    const answer = await this.http.callCairn<Partial<LineageGraph>>("GET", "model-versions/lineage", { name, version: String(version) });
    return { nodes: answer.nodes ?? [], edges: answer.edges ?? [] };
  }

  /** Which runs and model versions used a dataset (every digest of the name, or one). */
  async datasetUsage(name: string, digest?: string): Promise<DatasetUsage> {
    const answer = await this.http.callCairn<Partial<DatasetUsage>>("GET", "datasets/usage", { name, digest });
    return { runs: answer.runs ?? [], model_versions: answer.model_versions ?? [] };
  }

  /** Writes the card's user fields (fields left out keep their value or stay empty, as the server decides). */
  async setCard(name: string, version: VersionRef, fields: ModelCardInput): Promise<ModelCard> {
    const answer = await this.http.callCairn<{ card: ModelCard }>("POST", "model-versions/card/set", { ...fields, name, version: String(version) });
    return answer.card;
  }

  /** The card with the evaluation metrics of the version's run. */
  async getCard(name: string, version: VersionRef): Promise<ModelCard> {
    const answer = await this.http.callCairn<{ card: ModelCard }>("GET", "model-versions/card", { name, version: String(version), format: "json" });
    return answer.card;
  }

  /** The card rendered by the server as a Markdown or HTML document. */
  async renderCard(name: string, version: VersionRef, format: "markdown" | "html"): Promise<string> {
    const { text, contentType } = await this.http.getCairnText("model-versions/card", { name, version: String(version), format });
    // A server that wraps documents in JSON ({"markdown": "..."} / {"html": "..."} / {"content": "..."}) is read too.
    if (/^application\/json/i.test(contentType)) {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      for (const key of [format, "content", "text", "body"]) {
        const value = parsed[key];
        if (typeof value === "string") return value;
      }
    }
    return text;
  }
}

const normalizeRule = (rule: PromotionRuleWire): PromotionRuleWire => ({
  ...rule,
  required_tags: rule.required_tags ?? [],
  metric_thresholds: rule.metric_thresholds ?? [],
  required_approvals: rule.required_approvals ?? 0,
  forbid_self_approval: rule.forbid_self_approval ?? false,
});
