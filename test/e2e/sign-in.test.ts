import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, asAdmin, startSignInServer, type AuthServer } from "./support/auth-server.js";
import { launchBrowser, screenshotPath, type TestBrowser } from "./support/browser.js";

/**
 * Sign-in in Chromium against a real server started with `--auth` (issue 12, part 1): an anonymous browser gets the
 * sign-in page and no data; signing in shows the page the user was going to; the session cookie is HttpOnly and
 * SameSite=Strict; signing out ends the session on the server (the old cookie is refused); throttling is shown with
 * its wait; a token made in the UI works as a Bearer token until it is revoked there; an admin creates a user there.
 */
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const ADA = { username: "ada", password: "ada-password-0001" };
const SECRET_EXPERIMENT = "secret-churn-experiment";
const SEARCH = "/ajax-api/2.0/mlflow/experiments/search?max_results=10";

let server: AuthServer;
let browser: TestBrowser;

beforeAll(async () => {
  server = await startSignInServer();
  await asAdmin(server, "POST", "/api/2.0/mlflow/experiments/create", { name: SECRET_EXPERIMENT });
  await asAdmin(server, "POST", "/api/2.0/mlflow/registered-models/create", { name: "churn" });
  await asAdmin(server, "POST", "/api/2.0/mlflow/users/create", ADA);
  await asAdmin(server, "POST", "/api/2.0/mlflow/users/create", { username: "eve", password: "eve-password-0001" });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** axe-core's serious and critical WCAG 2.1 A/AA violations on the page, by rule id (as accessibility.test.ts checks). */
const seriousViolations = async (page: Page): Promise<string[]> => {
  await page.evaluate(AXE_SOURCE);
  return (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id))",
  )) as string[];
};

/** A GET from Node with only a session cookie (no Origin): what the server thinks of that cookie. */
const statusWithCookie = async (cookie: string): Promise<number> =>
  (await fetch(`${server.url}${SEARCH}`, { headers: { cookie: `cairn_session=${cookie}` } })).status;

const signIn = async (page: Page, user: { username: string; password: string }): Promise<void> => {
  await page.getByLabel("User name").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
};

const sessionCookie = async (page: Page): Promise<string> => {
  const cookie = (await page.context().cookies()).find((candidate) => candidate.name === "cairn_session");
  if (cookie === undefined) throw new Error("no cairn_session cookie");
  return cookie.value;
};

describe("sign-in in Chromium with --auth", () => {
  it("shows an anonymous browser the sign-in page and no data", async () => {
    const { page, context, pageErrors } = await browser.newPage(server.url);
    const api: string[] = [];
    page.on("response", (response) => {
      const url = new URL(response.url());
      if (url.pathname.startsWith("/ajax-api/") || url.pathname.startsWith("/api/")) api.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
    });
    await page.goto("/experiments");
    await page.getByRole("heading", { name: "Sign in to Cairn" }).waitFor();
    expect(await page.title()).toBe("Sign in · Cairn");
    expect(api).toEqual(["GET /ajax-api/2.0/cairn/auth/whoami 200"]);
    expect(await page.content()).not.toContain(SECRET_EXPERIMENT);
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);

    // The page's own script, without a session, gets a 401 and no browser password dialog (no WWW-Authenticate).
    const direct = await page.evaluate(async (search) => {
      const answer = await fetch(search);
      return { status: answer.status, challenge: answer.headers.get("www-authenticate"), body: await answer.text() };
    }, SEARCH);
    expect(direct.status).toBe(401);
    expect(direct.challenge).toBeNull();
    expect(direct.body).not.toContain(SECRET_EXPERIMENT);

    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors.filter((error) => !error.includes("401"))).toEqual([]);
    const shot = screenshotPath("sign-in");
    if (shot) await page.screenshot({ path: shot });
    await context.close();
  });

  it("takes the user where they were going once signed in, with an HttpOnly, SameSite=Strict session cookie", async () => {
    const { page, context } = await browser.newPage(server.url);
    // A name declared on an auth-off server earlier, left in this browser: with sign-in on it must never travel.
    await page.addInitScript('window.localStorage.setItem("cairn.user", "mallory")');
    const declared: string[] = [];
    page.on("request", (request) => {
      if (request.headers()["x-cairn-user"] !== undefined) declared.push(request.url());
    });
    await page.goto("/models/churn");
    await page.getByRole("heading", { name: "Sign in to Cairn" }).waitFor();
    await signIn(page, { username: "ADA", password: "not-her-password" });
    expect(await page.getByRole("alert").textContent()).toBe("Wrong user name or password.");
    expect((await context.cookies()).map((cookie) => cookie.name)).toEqual([]);

    await signIn(page, { username: "ADA", password: ADA.password });
    await page.getByRole("heading", { name: "churn", exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/models/churn");
    expect(await page.getByRole("navigation", { name: "Main" }).getByText("Signed in as ada").count()).toBe(1);

    const [cookie] = (await context.cookies()).filter((candidate) => candidate.name === "cairn_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect(await page.evaluate("document.cookie")).toBe("");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Experiments" }).click();
    await page.getByRole("link", { name: SECRET_EXPERIMENT }).waitFor();
    // Not an admin: no users page in the top bar.
    expect(await page.getByRole("link", { name: "Users" }).count()).toBe(0);
    expect(await page.getByText("Acting as").count()).toBe(0);
    expect(declared).toEqual([]);
    await context.close();
  });

  it("ends the session on sign-out: the old cookie no longer works", async () => {
    const { page, context } = await browser.newPage(server.url);
    await page.goto("/experiments");
    await signIn(page, ADA);
    await page.getByRole("link", { name: SECRET_EXPERIMENT }).waitFor();
    const cookie = await sessionCookie(page);
    expect(await statusWithCookie(cookie)).toBe(200);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Cairn" }).waitFor();
    expect(await page.content()).not.toContain(SECRET_EXPERIMENT);
    expect(await statusWithCookie(cookie)).toBe(401);
    expect((await context.cookies()).filter((candidate) => candidate.name === "cairn_session")).toEqual([]);
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to Cairn" }).waitFor();
    await context.close();
  });

  it("brings the sign-in page back when the session ends under the user, then returns to the same page", async () => {
    await asAdmin(server, "POST", "/api/2.0/mlflow/users/create", { username: "carol", password: "carol-password-01" });
    const { page, context } = await browser.newPage(server.url);
    await page.goto("/experiments?view=all");
    await signIn(page, { username: "carol", password: "carol-password-01" });
    await page.getByRole("link", { name: SECRET_EXPERIMENT }).waitFor();
    // An admin resets carol's password: every session of hers ends on the server.
    await asAdmin(server, "PATCH", "/api/2.0/mlflow/users/update-password", { username: "carol", password: "carol-password-02" });
    await page.getByLabel("Show").selectOption("active");
    await page.getByRole("heading", { name: "Sign in to Cairn" }).waitFor();
    expect(await page.content()).not.toContain(SECRET_EXPERIMENT);
    await signIn(page, { username: "carol", password: "carol-password-02" });
    await page.getByRole("link", { name: SECRET_EXPERIMENT }).waitFor();
    expect(new URL(page.url()).search).toBe("");
    expect(new URL(page.url()).pathname).toBe("/experiments");
    await context.close();
  });

  it("shows how long to wait when sign-in attempts are throttled", async () => {
    const { page, context } = await browser.newPage(server.url);
    await page.goto("/experiments");
    await page.getByRole("heading", { name: "Sign in to Cairn" }).waitFor();
    // Wrong passwords for eve until the server makes her wait 8 s or more (waits double after a few free failures), so
    // that the UI's attempt below surely falls inside the wait even on a slow machine.
    const longestWait = await page.evaluate(async () => {
      let wait = 0;
      for (let attempt = 0; attempt < 40 && wait < 8; attempt += 1) {
        const answer = await fetch("/ajax-api/2.0/cairn/auth/sign-in", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "eve", password: "wrong-password-01" }) });
        if (answer.status === 429) {
          wait = Number(answer.headers.get("retry-after"));
          if (wait < 8) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        }
      }
      return wait;
    });
    expect(longestWait).toBeGreaterThanOrEqual(8);
    await signIn(page, { username: "eve", password: "eve-password-0001" });
    const message = await page.getByRole("alert").textContent();
    expect(message).toMatch(/^Too many attempts, try again in \d+ s\.$/);
    expect(Number(/in (\d+) s/.exec(message ?? "")?.[1])).toBeGreaterThan(0);
    expect(await page.getByRole("button", { name: "Sign in" }).isDisabled()).toBe(true);
    await context.close();
  });

  it("creates a token whose secret is shown once and works as a Bearer token until it is revoked", async () => {
    const { page, context } = await browser.newPage(server.url);
    await page.goto("/tokens");
    await signIn(page, ADA);
    await page.getByRole("heading", { name: "Personal access tokens" }).waitFor();
    await page.getByLabel("Name").fill("laptop");
    await page.getByLabel("Expires after").selectOption({ label: "7 days" });
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = await page.getByLabel("The new token").inputValue();
    expect(secret.length).toBeGreaterThan(20);
    const bearer = async (): Promise<number> => (await fetch(`${server.url}${SEARCH}`, { headers: { authorization: `Bearer ${secret}` } })).status;
    expect(await bearer()).toBe(200);
    const shot = screenshotPath("tokens");
    if (shot) await page.screenshot({ path: shot });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Done" }).click();
    await page.reload();
    await page.getByRole("table", { name: "Tokens" }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole("button", { name: "Revoke token laptop" }).click();
    await page.getByRole("button", { name: "Confirm: revoke laptop" }).click();
    await page.getByText(/^revoked /).waitFor();
    expect(await bearer()).toBe(401);
    await context.close();
  });

  it("lets an admin create a user, who can then sign in", async () => {
    const { page, context } = await browser.newPage(server.url);
    await page.goto("/users");
    await signIn(page, ADMIN);
    const create = page.getByRole("region", { name: "Create a user" });
    await create.getByLabel("User name").fill("bob");
    await create.getByLabel("Password").fill("bob-password-0001");
    await create.getByRole("button", { name: "Create user" }).click();
    await page.getByText("Created user bob.").waitFor();
    await page.getByRole("button", { name: "Delete user bob" }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();

    const bob = await browser.newPage(server.url);
    await bob.page.goto("/experiments");
    await signIn(bob.page, { username: "bob", password: "bob-password-0001" });
    await bob.page.getByText("Signed in as bob").waitFor();
    await bob.context.close();
  });
});
