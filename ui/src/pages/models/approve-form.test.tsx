import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatTime } from "../../format";
import { approvalMessage } from "./approve-form";
import type { ApprovalWire } from "./registry-wire";
import { approvalRule, approvalVersion, renderApprovalsTab, stubApprovalsServer } from "./test-approvals";

const RULE = approvalRule();
const VERSION = approvalVersion();

const APPROVED_AT = 1_700_000_100_000;
const ANONYMOUS_REFUSAL = "Anonymous requests cannot approve a model version: declare who you are (the x-cairn-user header or basic auth).";

/**
 * A small stand-in for the governance endpoints the tab calls, with the server's behaviour: the check fails until one
 * approval exists; approving adds one (or answers the standing one); `refuseAs` makes approve answer that refusal.
 */
const stubServer = (refuseAs?: { status: number; code: string; message: string }) => {
  const approvals: ApprovalWire[] = [];
  return stubApprovalsServer(RULE, approvals, ({ url, json, body }) => {
    if (url.pathname.endsWith("model-versions/approve")) {
      if (refuseAs) return json({ error_code: refuseAs.code, message: refuseAs.message }, refuseAs.status);
      const sent = body as { target: string; comment?: string };
      const approval = approvals[0] ?? { name: "churn", version: "2", target: sent.target, actor: { name: "bob", verified: false }, time: APPROVED_AT, ...(sent.comment ? { comment: sent.comment } : {}) };
      if (approvals.length === 0) approvals.push(approval);
      return json({ approval });
    }
    return undefined;
  });
};

const renderTab = () => renderApprovalsTab(VERSION);

const conditionTexts = async (): Promise<string[]> =>
  (await screen.findAllByRole("listitem")).map((item) => item.textContent ?? "");

describe("approving a version from the approvals tab", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("approves only after a confirmation, with the comment, then shows the new approval and the passing check at once", async () => {
    const { requests } = stubServer();
    renderTab();
    expect(await conditionTexts()).toEqual(["fails1 approval1 approval needed, 0 given"]);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Comment (optional)"), "  Reviewed the November eval  ");
    await user.click(screen.getByRole("button", { name: "Approve version 2 for alias @production" }));
    expect(requests.filter(({ method }) => method === "POST")).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Confirm: approve version 2 for alias @production" }));

    expect((await screen.findByText("Approved version 2 for alias @production as bob (unverified).")).getAttribute("role")).toBe("status");
    expect(requests.filter(({ method }) => method === "POST")).toEqual([
      {
        method: "POST",
        path: "/ajax-api/2.0/cairn/model-versions/approve",
        body: { name: "churn", version: "2", target: "alias:production", comment: "Reviewed the November eval" },
      },
    ]);
    const table = await screen.findByRole("table", { name: "Approvals" });
    expect(within(table).getAllByRole("row").slice(1).map((row) => row.textContent)).toEqual([
      `alias @productionbob (unverified)${formatTime(APPROVED_AT)}Reviewed the November evalStanding`,
    ]);
    expect(await conditionTexts()).toEqual(["passes1 approval"]);
    expect(screen.getByText(/Promotion of version 2/).textContent).toBe("Promotion of version 2 to alias @production: allowed");
    expect((screen.getByLabelText("Comment (optional)") as HTMLTextAreaElement).value).toBe("");
  });

  it("sends no comment field when the comment is blank, and Cancel posts nothing", async () => {
    const { requests } = stubServer();
    renderTab();
    await conditionTexts();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Approve version 2 for alias @production" }));
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("button", { name: /^Confirm/ })).toBeNull();
    expect(requests.filter(({ method }) => method === "POST")).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Approve version 2 for alias @production" }));
    await user.click(screen.getByRole("button", { name: "Confirm: approve version 2 for alias @production" }));
    await screen.findByText("Approved version 2 for alias @production as bob (unverified).");
    expect(requests.filter(({ method }) => method === "POST").map(({ body }) => body)).toEqual([{ name: "churn", version: "2", target: "alias:production" }]);
  });

  it("shows the server's refusal in its words and leaves the check as it was", async () => {
    stubServer({ status: 403, code: "PERMISSION_DENIED", message: ANONYMOUS_REFUSAL });
    renderTab();
    await conditionTexts();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Approve version 2 for alias @production" }));
    await user.click(screen.getByRole("button", { name: "Confirm: approve version 2 for alias @production" }));
    expect((await screen.findByRole("alert")).textContent).toBe(`Could not approve version 2 for alias @production: ${ANONYMOUS_REFUSAL}`);
    expect(await conditionTexts()).toEqual(["fails1 approval1 approval needed, 0 given"]);
    expect(screen.getByText("Nobody has approved this version for any target yet.")).toBeTruthy();
  });

  it("says so when the approver had already approved: the first approval stands", async () => {
    stubServer();
    renderTab();
    await conditionTexts();
    const user = userEvent.setup();
    for (let round = 0; round < 2; round += 1) {
      await user.click(screen.getByRole("button", { name: "Approve version 2 for alias @production" }));
      await user.click(screen.getByRole("button", { name: "Confirm: approve version 2 for alias @production" }));
      if (round === 0) await screen.findByRole("table", { name: "Approvals" });
    }
    expect(
      (await screen.findByText(/had already approved/)).textContent,
    ).toBe(`bob (unverified) had already approved version 2 for alias @production (${formatTime(APPROVED_AT)}); that approval stands and counts once.`);
    expect(within(screen.getByRole("table", { name: "Approvals" })).getAllByRole("row")).toHaveLength(2);
  });
});

describe("approvalMessage", () => {
  const approval: ApprovalWire = { name: "churn", version: "3", target: "stage:Production", actor: { name: "eve", verified: true }, time: APPROVED_AT };

  it("announces a new approval, and a standing one found in the list as it was before", () => {
    expect(approvalMessage(approval, [])).toBe("Approved version 3 for stage Production as eve.");
    expect(approvalMessage(approval, undefined)).toBe("Approved version 3 for stage Production as eve.");
    expect(approvalMessage(approval, [{ ...approval, actor: { name: "bob", verified: false } }])).toBe("Approved version 3 for stage Production as eve.");
    expect(approvalMessage(approval, [{ ...approval, comment: "first" }])).toBe(
      `eve had already approved version 3 for stage Production (${formatTime(APPROVED_AT)}); that approval stands and counts once.`,
    );
  });
});
