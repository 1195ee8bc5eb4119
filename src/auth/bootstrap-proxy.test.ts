import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServerIn } from "../server/test-support/temp-server.js";
import { basic, call } from "./test-support/auth-server.js";

const dirs: string[] = [];
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-auth-boot-"));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const whoami = async (url: string, headers: Record<string, string>): Promise<unknown> => (await call(url, "GET", "/api/2.0/cairn/auth/whoami", { headers })).body;

describe("admin bootstrap (CAIRN_ADMIN_USERNAME / CAIRN_ADMIN_PASSWORD)", () => {
  it("creates the admin when none exists, and never overwrites a password on later starts", async () => {
    const dir = await tempDir();
    const first = await startServerIn(dir, { auth: true, webUiDir: null, adminBootstrap: { username: "Admin", password: "first-password-1" } });
    expect(await whoami(first.url, { authorization: basic("admin", "first-password-1") })).toEqual({ auth_enabled: true, user: { username: "admin", is_admin: true } });
    await first.close();
    const second = await startServerIn(dir, { auth: true, webUiDir: null, adminBootstrap: { username: "admin", password: "other-password-2" } });
    try {
      expect(await whoami(second.url, { authorization: basic("admin", "other-password-2") })).toEqual({ auth_enabled: true });
      expect(await whoami(second.url, { authorization: basic("admin", "first-password-1") })).toMatchObject({ user: { username: "admin" } });
    } finally {
      await second.close();
    }
  });

  it("refuses to start when the variable names an existing non-admin user with another password", async () => {
    const dir = await tempDir();
    const first = await startServerIn(dir, { auth: true, webUiDir: null, adminBootstrap: { username: "root", password: "root-password-01" } });
    await call(first.url, "POST", "/api/2.0/mlflow/users/create", { headers: { authorization: basic("root", "root-password-01") }, body: { username: "ada", password: "ada-password-01" } });
    // No admin left (the API never removes the last one; a database edited by hand or restored might have none).
    await first.close();
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(`${dir}/cairn.db`);
    db.prepare("UPDATE auth_users SET is_admin = 0").run();
    db.close();
    await expect(startServerIn(dir, { auth: true, webUiDir: null, adminBootstrap: { username: "ada", password: "not-her-password" } })).rejects.toThrow(
      "CAIRN_ADMIN_USERNAME names the existing user 'ada' but CAIRN_ADMIN_PASSWORD is not their password",
    );
    const promoted = await startServerIn(dir, { auth: true, webUiDir: null, adminBootstrap: { username: "ada", password: "ada-password-01" } });
    try {
      expect(await whoami(promoted.url, { authorization: basic("ada", "ada-password-01") })).toEqual({ auth_enabled: true, user: { username: "ada", is_admin: true } });
    } finally {
      await promoted.close();
    }
  });

  it("says auth is off in whoami without --auth, and keeps the declared (unverified) actor then", async () => {
    const dir = await tempDir();
    const server = await startServerIn(dir, { webUiDir: null });
    try {
      expect(await whoami(server.url, {})).toEqual({ auth_enabled: false });
      expect((await call(server.url, "POST", "/api/2.0/mlflow/users/create", { body: { username: "x", password: "long-enough-pass" } })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe("--secure-cookies", () => {
  it("marks the session cookie Secure (and clears it Secure)", async () => {
    const dir = await tempDir();
    const server = await startServerIn(dir, { auth: true, webUiDir: null, secureCookies: true, adminBootstrap: { username: "root", password: "root-password-01" } });
    try {
      const signIn = await call(server.url, "POST", "/api/2.0/cairn/auth/sign-in", { body: { username: "root", password: "root-password-01" } });
      expect(signIn.headers.get("set-cookie")).toMatch(/^cairn_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=604800; Secure$/);
      const signOut = await call(server.url, "POST", "/api/2.0/cairn/auth/sign-out", { headers: { cookie: (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "" } });
      expect(signOut.headers.get("set-cookie")).toBe("cairn_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure");
    } finally {
      await server.close();
    }
  });
});

describe("a trusted reverse proxy's user header", () => {
  it("is believed from a configured proxy address (the test client is 127.0.0.1)", async () => {
    const dir = await tempDir();
    const server = await startServerIn(dir, {
      auth: true,
      webUiDir: null,
      adminBootstrap: { username: "root", password: "root-password-01" },
      trustedProxyHeader: "x-forwarded-user",
      trustedProxies: ["127.0.0.0/8", "::1"],
    });
    try {
      expect(await whoami(server.url, { "x-forwarded-user": "Ada@Example.com" })).toEqual({ auth_enabled: true, user: { username: "ada@example.com", is_admin: false } });
      expect(await whoami(server.url, { "x-forwarded-user": "ROOT" })).toEqual({ auth_enabled: true, user: { username: "root", is_admin: true } });
      const created = await call(server.url, "POST", "/api/2.0/mlflow/experiments/create", { headers: { "x-forwarded-user": "ada@example.com", "x-cairn-user": "someone-else" }, body: { name: "via-proxy" } });
      expect(created.status).toBe(200);
      const events = await call(server.url, "GET", "/api/2.0/cairn/audit/events?entity_type=experiment&action=tracking.experiment.create", { headers: { "x-forwarded-user": "root" } });
      expect((events.body.events as Array<{ actor: unknown }>).map((e) => e.actor)).toEqual([{ name: "ada@example.com", verified: true }]);
      // Secure cookie when the proxy says the client came over https.
      const signIn = await call(server.url, "POST", "/api/2.0/cairn/auth/sign-in", { headers: { "x-forwarded-proto": "https" }, body: { username: "root", password: "root-password-01" } });
      expect(signIn.headers.get("set-cookie")).toMatch(/; Secure$/);
    } finally {
      await server.close();
    }
  });

  it("is ignored from any other address: no credentials, a 401", async () => {
    const dir = await tempDir();
    const server = await startServerIn(dir, {
      auth: true,
      webUiDir: null,
      adminBootstrap: { username: "root", password: "root-password-01" },
      trustedProxyHeader: "x-forwarded-user",
      trustedProxies: ["10.0.0.0/8"],
    });
    try {
      expect(await whoami(server.url, { "x-forwarded-user": "root" })).toEqual({ auth_enabled: true });
      const answer = await call(server.url, "GET", "/api/2.0/mlflow/experiments/search?max_results=1", { headers: { "x-forwarded-user": "root" } });
      expect(answer.status).toBe(401);
      const signIn = await call(server.url, "POST", "/api/2.0/cairn/auth/sign-in", { headers: { "x-forwarded-proto": "https" }, body: { username: "root", password: "root-password-01" } });
      expect(signIn.headers.get("set-cookie")).not.toMatch(/Secure/);
    } finally {
      await server.close();
    }
  });
});
