import { vi } from "vitest";
import type { ModelVersion } from "../../api/entities";
import { renderWithApp } from "../../test-support/render";
import type { ApprovalRecord } from "./approvals-api";
import { ApprovalsTab } from "./approvals-tab";
import type { PromotionRuleWire } from "./registry-wire";

/**
 * The approvals tab's test set-up, shared by approvals-tab.test.tsx and approve-form.test.tsx: version 2 of churn,
 * one rule for alias:production needing one approval, and a stand-in for the governance endpoints the tab calls.
 */
export const approvalRule = (overrides: Partial<PromotionRuleWire & { forbid_self_approval: boolean }> = {}): PromotionRuleWire & { forbid_self_approval?: boolean } => ({
  name: "churn",
  target: "alias:production",
  required_tags: [],
  metric_thresholds: [],
  required_approvals: 1,
  updated_by: { name: "ada", verified: false },
  updated_time: 1_700_000_000_000,
  ...overrides,
});

export const approvalVersion = (overrides: Partial<ModelVersion> = {}): ModelVersion => ({
  name: "churn",
  version: "2",
  creation_timestamp: 1,
  last_updated_timestamp: 1,
  current_stage: "None",
  source: "runs:/r1/model",
  status: "READY",
  tags: [],
  aliases: [],
  ...overrides,
});

export interface RecordedCall {
  method: string;
  path: string;
  body?: unknown;
}

export type JsonAnswer = (answer: unknown, status?: number) => Response;

/**
 * Stubs fetch with the server's behaviour for what both tests read: the rule list, a promotion check that passes
 * while a standing approval exists, the approvals as `approvals` holds them, ENDPOINT_NOT_FOUND for anything else.
 * `writes` answers the test's own writes (approve, revoke) or returns undefined to fall through.
 */
export const stubApprovalsServer = (
  rule: PromotionRuleWire,
  approvals: ApprovalRecord[],
  writes: (call: { url: URL; method: string; body: unknown; json: JsonAnswer }) => Response | undefined,
): { requests: RecordedCall[] } => {
  const requests: RecordedCall[] = [];
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const url = new URL(input, "http://cairn.test");
    const method = init?.method ?? "GET";
    const body = init?.body ? (JSON.parse(String(init.body)) as unknown) : undefined;
    requests.push({ method, path: `${url.pathname}${url.search}`, ...(body !== undefined ? { body } : {}) });
    const json: JsonAnswer = (answer, status = 200) => new Response(JSON.stringify(answer), { status });
    if (url.pathname.endsWith("promotion-rules/list")) return json({ rules: [rule] });
    const standing = approvals.filter((approval) => approval.revoked_time === undefined);
    if (url.pathname.endsWith("promotion-check")) return json(standing.length > 0 ? { allowed: true } : { allowed: false, unmet: ["1 approval needed, 0 given"] });
    if (url.pathname.endsWith("governance/approvals") && method === "GET") return json({ approvals });
    return writes({ url, method, body, json }) ?? json({ error_code: "ENDPOINT_NOT_FOUND", message: "no" }, 404);
  });
  return { requests };
};

export const renderApprovalsTab = (version: ModelVersion) =>
  renderWithApp(<ApprovalsTab version={version} modelAliases={["production"]} />, "/models/churn/versions/2?tab=approvals&target=alias:production");
