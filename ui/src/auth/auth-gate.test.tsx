import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../app";
import { setDeclaredUser } from "../identity";
import { stubApi, type StubAnswer } from "../pages/deployments/stub-api";
import { renderWithApp } from "../test-support/render";
import { setAuthState } from "./session";

const CAIRN = "/ajax-api/2.0/cairn";
const SEARCH = "POST /ajax-api/2.0/mlflow/experiments/search";
const EXPERIMENTS = { experiments: [{ experiment_id: "7", name: "churn-secret", lifecycle_stage: "active", artifact_location: "", creation_time: 1, last_update_time: 1, tags: [] }] };

/**
 * A server with sign-in on, as the identity endpoints answer: one user ada / right-password; the session is a flag
 * standing for the cookie (the browser would carry it); data endpoints answer 401 without it.
 */
const signInServer = (options: { signedIn?: boolean } = {}) => {
  let session = options.signedIn === true;
  const unauthenticated: StubAnswer = { status: 401, body: { error_code: "UNAUTHENTICATED", message: "Sign in first" } };
  const calls = stubApi({
    [`GET ${CAIRN}/auth/whoami`]: () => ({ body: session ? { auth_enabled: true, user: { username: "ada", is_admin: false } } : { auth_enabled: true } }),
    [`POST ${CAIRN}/auth/sign-in`]: (_url, body) => {
      const { username, password } = body as { username: string; password: string };
      if (username.trim().toLowerCase() !== "ada" || password !== "right-password") return { status: 401, body: { error_code: "UNAUTHENTICATED", message: "Invalid user name or password" } };
      session = true;
      return { body: { user: { username: "ada", is_admin: false } } };
    },
    [`POST ${CAIRN}/auth/sign-out`]: () => {
      session = false;
      return { body: {} };
    },
    [SEARCH]: () => (session ? { body: EXPERIMENTS } : unauthenticated),
  });
  return {
    calls,
    endSession: () => {
      session = false;
    },
  };
};

describe("sign-in in the UI", () => {
  beforeEach(() => {
    setAuthState({ kind: "unknown" });
    window.localStorage.clear();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setDeclaredUser(undefined);
    setAuthState({ kind: "unknown" });
  });

  it("works as before with sign-in off: the declared, unverified name and no sign-in page", async () => {
    stubApi({
      [`GET ${CAIRN}/auth/whoami`]: () => ({ body: { auth_enabled: false } }),
      [SEARCH]: () => ({ body: EXPERIMENTS }),
    });
    renderWithApp(<App />, "/experiments");
    expect(await screen.findByRole("link", { name: "churn-secret" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Set your name" })).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Sign in to Cairn" })).toBeNull();
  });

  it("shows only the sign-in page to nobody, then the page asked for once signed in", async () => {
    setDeclaredUser("mallory"); // Left over from an auth-off server: must not travel.
    const { calls } = signInServer();
    const { location } = renderWithApp(<App />, "/experiments?view=all");
    await screen.findByRole("heading", { name: "Sign in to Cairn" });
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([`GET ${CAIRN}/auth/whoami`]);
    expect(screen.queryByText("churn-secret")).toBeNull();
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("User name"), "ada");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Wrong user name or password.");
    expect((screen.getByLabelText("Password") as HTMLInputElement).value).toBe("");

    await user.type(screen.getByLabelText("Password"), "right-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("link", { name: "churn-secret" })).toBeTruthy();
    expect(location.history?.at(-1)).toBe("/experiments?view=all");
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByText("ada").tagName).toBe("STRONG");
    expect(within(nav).getByRole("link", { name: "Tokens" }).getAttribute("href")).toBe("/tokens");
    expect(within(nav).queryByRole("link", { name: "Users" })).toBeNull();
    expect(calls.filter((call) => call.path.endsWith("/auth/sign-in")).map((call) => call.body)).toEqual([
      { username: "ada", password: "wrong" },
      { username: "ada", password: "right-password" },
    ]);
    const sent = vi.mocked(fetch).mock.calls.map((call) => (call[1] as RequestInit).headers as Record<string, string>);
    expect(sent.length).toBe(calls.length);
    expect(sent.filter((headers) => "x-cairn-user" in headers)).toEqual([]);
  });

  /** whoami says nobody is signed in; every sign-in answers 429 with this Retry-After. */
  const throttled = (retryAfter: string): void => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: string) =>
        String(input).endsWith("/auth/whoami")
          ? new Response(JSON.stringify({ auth_enabled: true }), { status: 200 })
          : new Response(JSON.stringify({ error_code: "REQUEST_LIMIT_EXCEEDED", message: "Too many sign-in attempts" }), { status: 429, headers: { "retry-after": retryAfter } }),
      ),
    );
  };

  it("counts the wait down to zero, then lets the user try again", async () => {
    throttled("1");
    renderWithApp(<App />, "/experiments");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("User name"), "ada");
    await user.type(screen.getByLabelText("Password"), "guess");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Too many attempts, try again in 1 s.");
    await user.type(screen.getByLabelText("Password"), "again");
    expect((screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement).disabled).toBe(true);
    await screen.findByText("Too many attempts; you may try again now.", undefined, { timeout: 3000 });
    expect((screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("says how long to wait when sign-in is throttled, and waits", async () => {
    throttled("30");
    renderWithApp(<App />, "/experiments");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("User name"), "ada");
    await user.type(screen.getByLabelText("Password"), "guess");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Too many attempts, try again in 30 s.");
    await user.type(screen.getByLabelText("Password"), "again");
    expect((screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("returns to the sign-in page when a call finds the session gone, and back to the same page after", async () => {
    const server = signInServer({ signedIn: true });
    const { location } = renderWithApp(<App />, "/experiments");
    await screen.findByRole("link", { name: "churn-secret" });
    server.endSession();
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Show"), "all");
    await screen.findByRole("heading", { name: "Sign in to Cairn" });
    expect(screen.queryByText("churn-secret")).toBeNull();
    const here = location.history?.at(-1);
    expect(here).toBe("/experiments?view=all");

    await user.type(screen.getByLabelText("User name"), "ADA");
    await user.type(screen.getByLabelText("Password"), "right-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByRole("link", { name: "churn-secret" });
    expect(location.history?.at(-1)).toBe(here);
  });

  it("signs out: the server ends the session and the sign-in page replaces the data", async () => {
    const { calls } = signInServer({ signedIn: true });
    renderWithApp(<App />, "/experiments");
    await screen.findByRole("link", { name: "churn-secret" });
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    await screen.findByRole("heading", { name: "Sign in to Cairn" });
    expect(screen.queryByText("churn-secret")).toBeNull();
    expect(calls.filter((call) => call.path.endsWith("/auth/sign-out")).map((call) => [call.method, call.body])).toEqual([["POST", {}]]);
  });
});
