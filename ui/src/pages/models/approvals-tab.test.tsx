import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatTime } from "../../format";
import { setAuthState } from "../../auth/session";
import { setDeclaredUser } from "../../identity";
import type { ApprovalRecord } from "./approvals-api";
import { approvalRule, approvalVersion, renderApprovalsTab, stubApprovalsServer } from "./test-approvals";

const RULE = approvalRule({ forbid_self_approval: true });
const VERSION = approvalVersion({ user_id: "ada" });

const T1 = 1_700_000_100_000;
const T2 = 1_700_000_200_000;
const REVOKED_AT = 1_700_000_300_000;
const SELF_REFUSAL = "ada cannot approve churn version 2 for alias:production: the promotion rule forbids self-approval, and ada created this version.";

/**
 * The governance endpoints the tab calls, with the server's behaviour: approvals newest first with revoked ones;
 * revoking the caller's standing approval (matched as the server matches people) marks it revoked; the check passes
 * while a standing approval exists; approving as ada is refused as self-approval.
 */
const stubServer = (caller: string) => {
  const approvals: ApprovalRecord[] = [
    { name: "churn", version: "2", target: "alias:production", actor: { name: "bob", verified: false }, time: T2, comment: "looks right" },
    {
      name: "churn",
      version: "2",
      target: "alias:production",
      actor: { name: "carol", verified: false },
      time: T1,
      revoked_by: { name: "carol", verified: false },
      revoked_time: T1 + 1,
    },
  ];
  return stubApprovalsServer(RULE, approvals, ({ url, method, json }) => {
    if (url.pathname.endsWith("governance/approvals") && method === "DELETE") {
      const index = approvals.findIndex((approval) => approval.revoked_time === undefined && approval.actor.name.toLowerCase() === caller.toLowerCase());
      const found = approvals[index];
      if (found === undefined) return json({ error_code: "RESOURCE_DOES_NOT_EXIST", message: `${caller} has no standing approval` }, 404);
      const revoked = { ...found, revoked_by: { name: caller, verified: false }, revoked_time: REVOKED_AT };
      approvals[index] = revoked;
      return json({ approval: revoked });
    }
    if (url.pathname.endsWith("model-versions/approve")) return json({ error_code: "PERMISSION_DENIED", message: SELF_REFUSAL }, 403);
    return undefined;
  });
};

const renderTab = () => renderApprovalsTab(VERSION);

const rowTexts = async (): Promise<string[]> =>
  within(await screen.findByRole("table", { name: "Approvals" }))
    .getAllByRole("row")
    .slice(1)
    .map((row) => row.textContent ?? "");

describe("the approvals tab: who approved, revoked approvals, revoking one's own", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setDeclaredUser(undefined);
  });

  it("lists standing and revoked approvals newest first, and offers Revoke only on the declared user's standing one", async () => {
    setDeclaredUser("Bob");
    const { requests } = stubServer("Bob");
    renderTab();
    expect(await rowTexts()).toEqual([
      `alias @productionbob (unverified)${formatTime(T2)}looks rightStandingRevoke`,
      `alias @productioncarol (unverified)${formatTime(T1)}Revoked by carol (unverified) on ${formatTime(T1 + 1)}`,
    ]);
    expect(requests.find(({ path }) => path.includes("governance/approvals"))?.path).toBe(
      "/ajax-api/2.0/cairn/governance/approvals?name=churn&version=2&include_revoked=true&max_results=1000",
    );

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Revoke your approval of version 2 for alias @production" }));
    expect(requests.filter(({ method }) => method === "DELETE")).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Confirm: revoke version 2 for alias @production" }));
    expect((await screen.findByText("Revoked your approval of version 2 for alias @production; it no longer counts.")).getAttribute("role")).toBe("status");
    expect(requests.filter(({ method }) => method === "DELETE")).toEqual([
      { method: "DELETE", path: "/ajax-api/2.0/cairn/governance/approvals", body: { name: "churn", version: "2", target: "alias:production" } },
    ]);
    await screen.findByText(`Revoked by Bob (unverified) on ${formatTime(REVOKED_AT)}`);
    expect(screen.queryByRole("button", { name: /^Revoke your approval/ })).toBeNull();
    // The check is read again: with no standing approval the rule is unmet.
    expect((await screen.findAllByRole("listitem")).map((item) => item.textContent)).toEqual(["fails1 approval1 approval needed, 0 given"]);
  });

  it("offers no Revoke to someone else or to an anonymous browser", async () => {
    setDeclaredUser("dan");
    stubServer("dan");
    const { unmount } = renderTab();
    await rowTexts();
    expect(screen.queryByRole("button", { name: /^Revoke/ })).toBeNull();
    unmount();
    setDeclaredUser(undefined);
    renderTab();
    await rowTexts();
    expect(screen.queryByRole("button", { name: /^Revoke/ })).toBeNull();
  });

  it("shows a self-approval refusal in the server's words", async () => {
    setDeclaredUser("ada");
    stubServer("ada");
    renderTab();
    await rowTexts();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Approve version 2 for alias @production" }));
    await user.click(screen.getByRole("button", { name: "Confirm: approve version 2 for alias @production" }));
    expect((await screen.findByRole("alert")).textContent).toBe(`Could not approve version 2 for alias @production: ${SELF_REFUSAL}`);
  });

  it("with sign-in on, acts as the signed-in user, whatever name the browser declared", async () => {
    setDeclaredUser("carol");
    setAuthState({ kind: "on", user: { username: "bob", isAdmin: false } });
    try {
      stubServer("bob");
      renderTab();
      await rowTexts();
      expect(screen.getByRole("button", { name: "Revoke your approval of version 2 for alias @production" })).toBeTruthy();
      expect(screen.getByText(/^Your approval is recorded under your signed-in name, bob\./)).toBeTruthy();
    } finally {
      setAuthState({ kind: "unknown" });
    }
  });
});
