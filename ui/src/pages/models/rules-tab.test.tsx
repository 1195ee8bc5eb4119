import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import type { RuleWithSelfApproval } from "./approvals-api";
import { RulesTab } from "./rules-tab";

const RULE: RuleWithSelfApproval = {
  name: "churn",
  target: "alias:champion",
  required_tags: [{ key: "validation_status", value: "passed" }],
  metric_thresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }],
  required_approvals: 2,
  updated_by: { name: "ada", verified: false },
  updated_time: 1_700_000_000_000,
};

/** promotion-rules list and set as the server answers them: set replaces the rule and answers it. */
const stubServer = (initial: RuleWithSelfApproval) => {
  let rule = initial;
  const posts: unknown[] = [];
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const url = new URL(input, "http://cairn.test");
    const json = (answer: unknown) => new Response(JSON.stringify(answer), { status: 200 });
    if (url.pathname.endsWith("promotion-rules/list")) return json({ rules: [rule] });
    if (url.pathname.endsWith("promotion-rules/set")) {
      const body = JSON.parse(String(init?.body)) as RuleWithSelfApproval;
      posts.push(body);
      rule = { ...rule, ...body, updated_by: { name: "lead", verified: false } };
      return json({ rule });
    }
    return json({ events: [] });
  });
  return { posts };
};

describe("the rules tab: the self-approval option", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows that self-approval is allowed on a rule from an older server, and forbids it after a confirmation, re-sending the rule unchanged otherwise", async () => {
    const { posts } = stubServer(RULE);
    renderWithApp(<RulesTab name="churn" />, "/models/churn?tab=rules");
    const group = await screen.findByRole("group", { name: "Self-approval for alias @champion" });
    expect(within(group).getByText(/^Self-approval: allowed\./)).toBeTruthy();
    const user = userEvent.setup();
    await user.click(within(group).getByRole("button", { name: "Forbid self-approval" }));
    expect(posts).toEqual([]);
    await user.click(within(group).getByRole("button", { name: "Confirm: forbid self-approval for alias @champion" }));
    expect((await within(group).findByText("Self-approval is now forbidden for this target.")).getAttribute("role")).toBe("status");
    expect(posts).toEqual([
      {
        name: "churn",
        target: "alias:champion",
        required_tags: [{ key: "validation_status", value: "passed" }],
        metric_thresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }],
        required_approvals: 2,
        forbid_self_approval: true,
      },
    ]);
    await within(group).findByText(/^Self-approval: forbidden\. The version's creator and its source run's user cannot approve it/);
    expect(within(group).getByRole("button", { name: "Allow self-approval" })).toBeTruthy();
  });
});
