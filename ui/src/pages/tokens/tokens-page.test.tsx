import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setAuthState } from "../../auth/session";
import { formatTime } from "../../format";
import { renderWithApp } from "../../test-support/render";
import { CAIRN, stubApi } from "../deployments/stub-api";
import type { TokenInfoWire } from "./tokens-api";
import TokensPage from "./tokens-page";

const DAY = 86_400_000;
/** Ten days ago (whole seconds): "expired" is judged against the real clock. */
const CREATED = Math.floor(Date.now() / 1000) * 1000 - 10 * DAY;
const REVOKED = CREATED + 2 * DAY;
const SECRET = "cairn_pat_0123456789abcdef0123456789abcdef";

/** tokens/list, create and revoke as the identity endpoints answer, over an in-memory list. */
const tokenServer = (initial: TokenInfoWire[]) => {
  let tokens = [...initial];
  const calls = stubApi({
    [`GET ${CAIRN}/tokens/list`]: () => ({ body: { tokens } }),
    [`POST ${CAIRN}/tokens/create`]: (_url, body) => {
      const { name, expires_in_days } = body as { name: string; expires_in_days?: number };
      const info: TokenInfoWire = { id: "t2", name, username: "ada", created_time: CREATED + DAY, ...(expires_in_days ? { expiration_time: CREATED + DAY + expires_in_days * DAY } : {}) };
      tokens = [info, ...tokens];
      return { body: { token: SECRET, token_info: info } };
    },
    [`POST ${CAIRN}/tokens/revoke`]: (_url, body) => {
      tokens = tokens.map((token) => (token.id === (body as { id: string }).id ? { ...token, revoked_time: REVOKED } : token));
      return { body: {} };
    },
  });
  return calls;
};

const rows = (): string[] =>
  within(screen.getByRole("table", { name: "Tokens" }))
    .getAllByRole("row")
    .slice(1)
    .map((row) => Array.from(row.children, (cell) => cell.textContent ?? "").join(" | "));

describe("the personal access tokens page", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    setAuthState({ kind: "unknown" });
  });

  it("creates a token and shows its secret once, with a copy button; lists and revokes", async () => {
    setAuthState({ kind: "on", user: { username: "ada", isAdmin: false } });
    const calls = tokenServer([{ id: "t1", name: "ci", username: "ada", created_time: CREATED, last_used_time: CREATED + 5000 }]);
    renderWithApp(<TokensPage />, "/tokens");
    await screen.findByRole("table", { name: "Tokens" });
    expect(rows()).toEqual([`ci | ${formatTime(CREATED)} | never | ${formatTime(CREATED + 5000)} | active | Revoke`]);

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Name"), "laptop");
    await user.selectOptions(screen.getByLabelText("Expires after"), "90 days");
    await user.click(screen.getByRole("button", { name: "Create token" }));
    expect(((await screen.findByLabelText("The new token")) as HTMLInputElement).value).toBe(SECRET);
    expect(screen.getByText("Copy it now: it is shown only this once.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Copy" }));
    expect(await screen.findByText("Copied to the clipboard.")).toBeTruthy();
    // user-event's clipboard stands in for the browser's.
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    await screen.findByText("laptop");
    expect(rows()[0]).toBe(`laptop | ${formatTime(CREATED + DAY)} | ${formatTime(CREATED + 91 * DAY)} | never | active | Revoke`);

    await user.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByLabelText("The new token")).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);

    await user.click(screen.getByRole("button", { name: "Revoke token ci" }));
    expect(calls.filter((call) => call.path.endsWith("/tokens/revoke"))).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Confirm: revoke ci" }));
    await vi.waitFor(() =>
      expect(rows()).toEqual([
        `laptop | ${formatTime(CREATED + DAY)} | ${formatTime(CREATED + 91 * DAY)} | never | active | Revoke`,
        `ci | ${formatTime(CREATED)} | never | ${formatTime(CREATED + 5000)} | revoked ${formatTime(REVOKED)} | `,
      ]),
    );
    expect(calls.filter((call) => call.method === "POST").map((call) => [call.path, call.body])).toEqual([
      [`${CAIRN}/tokens/create`, { name: "laptop", expires_in_days: 90 }],
      [`${CAIRN}/tokens/revoke`, { id: "t1" }],
    ]);
  });

  it("lets an admin list another user's tokens", async () => {
    setAuthState({ kind: "on", user: { username: "root", isAdmin: true } });
    const calls = tokenServer([
      { id: "t1", name: "ci", username: "ada", created_time: CREATED },
      { id: "t0", name: "old", username: "ada", created_time: CREATED - 2 * DAY, expiration_time: CREATED - DAY },
    ]);
    renderWithApp(<TokensPage />, "/tokens");
    await screen.findByRole("table", { name: "Tokens" });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Tokens of user"), "ada");
    await user.click(screen.getByRole("button", { name: "Show" }));
    await screen.findByRole("heading", { name: "Tokens of ada" });
    expect(calls.filter((call) => call.path.endsWith("/tokens/list")).map((call) => call.query.toString())).toEqual(["", "username=ada"]);
    expect(screen.queryByRole("button", { name: "Create token" })).toBeNull();
    expect(rows()).toEqual([
      `ci | ada | ${formatTime(CREATED)} | never | never | active | Revoke`,
      `old | ada | ${formatTime(CREATED - 2 * DAY)} | ${formatTime(CREATED - DAY)} | never | expired | Revoke`,
    ]);
  });

  it("says tokens are not needed when sign-in is off, and asks nothing", () => {
    setAuthState({ kind: "off" });
    const calls = tokenServer([]);
    renderWithApp(<TokensPage />, "/tokens");
    expect(screen.getByText("Sign-in is off on this server (it was started without --auth): clients need no token.")).toBeTruthy();
    expect(calls).toEqual([]);
  });
});
