import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatTime } from "../../format";
import { renderWithApp } from "../../test-support/render";
import { ApprovalsTab } from "./approvals-tab";
import { renderCheck, ruleConditions } from "./promotion-check";
import { PromotionCheckView } from "./promotion-check-view";
import type { PromotionRuleWire } from "./registry-wire";

const RULE: PromotionRuleWire = {
  name: "churn",
  target: "alias:champion",
  required_tags: [
    { key: "validation_status", value: "passed" },
    { key: "reviewed", value: "yes" },
  ],
  metric_thresholds: [
    { metric: "accuracy", comparator: ">=", value: 0.9 },
    { metric: "latency_ms", comparator: "<", value: 50 },
  ],
  required_approvals: 2,
  updated_by: { name: "ada", verified: false },
  updated_time: 1_700_000_000_000,
};

// The sentences src/registry/promotion/rule-checks.ts writes for unmet conditions.
const UNMET = [
  "required tag validation_status = passed is missing (found: failed)",
  "metrics.accuracy >= 0.9 not met (run value 0.85)",
  "2 approvals needed, 1 given (by ada)",
];

describe("renderCheck", () => {
  it("marks each condition of the rule passed or failed, with the server's sentence as the reason", () => {
    expect(renderCheck(RULE, { allowed: false, unmet: UNMET })).toEqual({
      allowed: false,
      guarded: true,
      conditions: [
        { condition: "Tag validation_status = passed", passed: false, reason: UNMET[0] },
        { condition: "Tag reviewed = yes", passed: true },
        { condition: "accuracy >= 0.9", passed: false, reason: UNMET[1] },
        { condition: "latency_ms < 50", passed: true },
        { condition: "2 approvals", passed: false, reason: UNMET[2] },
      ],
    });
  });

  it("passes every condition when nothing is unmet", () => {
    expect(renderCheck(RULE, { allowed: true, unmet: [] }).conditions.map(({ passed }) => passed)).toEqual([true, true, true, true, true]);
  });

  it("says the target is unguarded when no rule exists, and keeps a sentence no condition claims", () => {
    expect(renderCheck(undefined, { allowed: true, unmet: [] })).toEqual({ allowed: true, guarded: false, conditions: [] });
    expect(renderCheck(undefined, { allowed: false, unmet: ["1 approval needed, 0 given"] })).toEqual({
      allowed: false,
      guarded: true,
      conditions: [{ condition: "Other condition", passed: false, reason: "1 approval needed, 0 given" }],
    });
  });

  it("words a rule's conditions for the rules list, one approval in the singular", () => {
    expect(ruleConditions({ ...RULE, required_approvals: 1 })).toEqual([
      "Tag validation_status = passed",
      "Tag reviewed = yes",
      "accuracy >= 0.9",
      "latency_ms < 50",
      "1 approval",
    ]);
  });
});

describe("PromotionCheckView", () => {
  it("lists each condition with 'passes' or 'fails' in words and the reason of each failure", () => {
    renderWithApp(<PromotionCheckView target="alias:champion" version="4" rendering={renderCheck(RULE, { allowed: false, unmet: UNMET })} />);
    expect(screen.getByText(/Promotion of version 4 to alias @champion/).textContent).toBe("Promotion of version 4 to alias @champion: refused");
    const items = within(screen.getByRole("list", { name: "Rule conditions" })).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      `failsTag validation_status = passed${UNMET[0]}`,
      "passesTag reviewed = yes",
      `failsaccuracy >= 0.9${UNMET[1]}`,
      "passeslatency_ms < 50",
      `fails2 approvals${UNMET[2]}`,
    ]);
  });

  it("says plainly when no rule guards the target", () => {
    renderWithApp(<PromotionCheckView target="stage:Production" version="1" rendering={renderCheck(undefined, { allowed: true, unmet: [] })} />);
    expect(screen.getByText(/No promotion rule guards/).textContent).toBe("No promotion rule guards stage Production: any version may be promoted to it.");
    expect(screen.queryByRole("list")).toBeNull();
  });
});

describe("ApprovalsTab", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("checks the target named in the URL and shows its rule's results and the approvals", async () => {
    const requested: string[] = [];
    vi.stubGlobal("fetch", async (input: string) => {
      const url = new URL(input, "http://cairn.test");
      requested.push(`${url.pathname}${url.search}`);
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
      if (url.pathname.endsWith("promotion-rules/list")) return json({ rules: [{ ...RULE, target: "alias:other", required_tags: [], metric_thresholds: [] }, RULE] });
      if (url.pathname.endsWith("promotion-check")) return json({ allowed: false, unmet: [UNMET[1], UNMET[2]] });
      if (url.pathname.endsWith("approvals")) {
        return json({ approvals: [{ name: "churn", version: "4", target: "alias:champion", actor: { name: "ada", verified: false }, time: 1_700_000_000_000, comment: "ok" }] });
      }
      return new Response(JSON.stringify({ error_code: "ENDPOINT_NOT_FOUND", message: "no" }), { status: 404 });
    });
    const version = { name: "churn", version: "4", creation_timestamp: 1, last_updated_timestamp: 1, current_stage: "None" as const, source: "runs:/r1/model", status: "READY" as const, tags: [], aliases: [] };
    renderWithApp(<ApprovalsTab version={version} modelAliases={["champion"]} />, "/models/churn/versions/4?tab=approvals&target=alias:champion");
    const items = await screen.findAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      "passesTag validation_status = passed",
      "passesTag reviewed = yes",
      `failsaccuracy >= 0.9${UNMET[1]}`,
      "passeslatency_ms < 50",
      `fails2 approvals${UNMET[2]}`,
    ]);
    expect(requested).toContain("/ajax-api/2.0/cairn/model-versions/promotion-check?name=churn&version=4&target=alias%3Achampion");
    const approvals = await screen.findByRole("table", { name: "Approvals" });
    expect(within(approvals).getAllByRole("row").slice(1).map((row) => row.textContent)).toEqual([
      `alias @championada (unverified)${formatTime(1_700_000_000_000)}okStanding`,
    ]);
  });
});
