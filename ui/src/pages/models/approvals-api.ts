import { CAIRN_API, cairnGet, cairnPost, request } from "../../api/http";
import type { Actor, ApprovalWire, PromotionRuleWire } from "./registry-wire";

/**
 * The approvals calls of the model pages that issue 11 added: a version's approvals with revoked ones, revoking
 * one's own, and the self-approval option of a rule (src/registry/governance-routes.ts).
 */

/** An approval as GET governance/approvals lists it: revoked ones carry who revoked them and when. */
export interface ApprovalRecord extends ApprovalWire {
  revoked_by?: Actor;
  revoked_time?: number;
}

/** A rule with the option the server added in schema 15 (absent from older servers: allowed). */
export type RuleWithSelfApproval = PromotionRuleWire & { forbid_self_approval?: boolean };

/** The server's ceiling for one page of governance/approvals; one version rarely has more than a handful. */
export const APPROVALS_PAGE_SIZE = 1000;

export interface VersionApprovals {
  approvals: ApprovalRecord[];
  /** More approvals exist than one page holds (listed by `cairn models approvals list`). */
  more: boolean;
}

/** Every approval of one version, revoked ones included, newest first. */
export const listVersionApprovals = async (name: string, version: string, signal?: AbortSignal): Promise<VersionApprovals> => {
  const answer = await cairnGet<{ approvals?: ApprovalRecord[]; next_page_token?: string }>(
    "governance/approvals",
    { name, version, include_revoked: true, max_results: APPROVALS_PAGE_SIZE },
    signal,
  );
  return { approvals: answer.approvals ?? [], more: Boolean(answer.next_page_token) };
};

/** Revokes the declared user's own standing approval; the server answers it as revoked. */
export const revokeApproval = async (name: string, version: string, target: string): Promise<ApprovalRecord> =>
  (await request<{ approval: ApprovalRecord }>("DELETE", `${CAIRN_API}/governance/approvals`, { name, version, target })).approval;

/** Re-sets the rule as it is with the self-approval option changed (the set call replaces the whole rule). */
export const setSelfApproval = async (rule: RuleWithSelfApproval, forbid: boolean): Promise<RuleWithSelfApproval> =>
  (
    await cairnPost<{ rule: RuleWithSelfApproval }>("registered-models/promotion-rules/set", {
      name: rule.name,
      target: rule.target,
      required_tags: rule.required_tags,
      metric_thresholds: rule.metric_thresholds,
      required_approvals: rule.required_approvals,
      forbid_self_approval: forbid,
    })
  ).rule;

/** The same person for the server's self-approval and revoke checks: trimmed, NFKC, case-insensitive. */
export const samePerson = (a: string, b: string): boolean =>
  a.normalize("NFKC").trim().toLowerCase() === b.normalize("NFKC").trim().toLowerCase();

/** Under registryKeys.approvals(name, version), so that invalidating that prefix (after an approval) refetches it. */
export const versionApprovalsKey = (name: string, version: string) => ["registry", "approvals", name, version, "with-revoked"] as const;
