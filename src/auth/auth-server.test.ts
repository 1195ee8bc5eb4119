import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../server/start.js";
import { ADMIN, basic, call, startAuthServer } from "./test-support/auth-server.js";

const SEARCH = "/api/2.0/mlflow/experiments/search?max_results=5";
const UNAUTHENTICATED_BODY = {
  error_code: "UNAUTHENTICATED",
  message: "Authentication required: send HTTP Basic credentials, a Bearer access token, or sign in.",
};
const BAD = { error_code: "UNAUTHENTICATED", message: "Invalid user name or password." };

describe("--auth: credentials on a real server", () => {
  let server: RunningServer & { dir: string };
  let url: string;
  const admin = { authorization: basic(ADMIN.username, ADMIN.password) };

  beforeAll(async () => {
    server = await startAuthServer();
    url = server.url;
    for (const [username, password] of [["ada", "ada-password-01"], ["bob", "bob-password-01"], ["eve", "eve-password-01"]]) {
      const created = await call(url, "POST", "/api/2.0/mlflow/users/create", { headers: admin, body: { username, password } });
      expect(created.status).toBe(200);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers 401 in MLflow's shape without credentials, with WWW-Authenticate except for the UI's /ajax-api", async () => {
    const api = await call(url, "GET", SEARCH);
    expect(api.status).toBe(401);
    expect(api.body).toEqual(UNAUTHENTICATED_BODY);
    expect(api.headers.get("www-authenticate")).toBe('Basic realm="cairn"');
    const ajax = await call(url, "GET", SEARCH.replace("/api/", "/ajax-api/"));
    expect(ajax.status).toBe(401);
    expect(ajax.headers.get("www-authenticate")).toBeNull();
    // Before the body is read: an anonymous POST's body is never parsed (malformed JSON is still a 401).
    const post = await fetch(`${url}/api/2.0/mlflow/experiments/create`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(post.status).toBe(401);
    expect((await call(url, "GET", "/api/2.0/mlflow-artifacts/artifacts")).status).toBe(401);
    expect((await call(url, "GET", "/metrics")).status).toBe(401);
  });

  it("keeps /health, /version and whoami public", async () => {
    expect((await call(url, "GET", "/health")).text).toBe("OK");
    expect((await call(url, "GET", "/version")).status).toBe(200);
    expect((await call(url, "GET", "/api/2.0/cairn/auth/whoami")).body).toEqual({ auth_enabled: true });
    expect((await call(url, "GET", "/ajax-api/2.0/cairn/auth/whoami", { headers: admin })).body).toEqual({
      auth_enabled: true,
      user: { username: "root", is_admin: true },
    });
  });

  it("takes HTTP Basic as MLflow clients send it, case-normalizing the user name", async () => {
    expect((await call(url, "GET", SEARCH, { headers: admin })).status).toBe(200);
    const upper = await call(url, "GET", "/api/2.0/cairn/auth/whoami", { headers: { authorization: basic("ADA", "ada-password-01") } });
    expect(upper.body).toEqual({ auth_enabled: true, user: { username: "ada", is_admin: false } });
    // python requests encodes str credentials as latin-1; curl as UTF-8: both are the same password.
    await call(url, "POST", "/api/2.0/mlflow/users/create", { headers: admin, body: { username: "zoé", password: "pâssword-é-0001" } });
    for (const encoding of ["latin1", "utf8"] as const) {
      const who = await call(url, "GET", "/api/2.0/cairn/auth/whoami", { headers: { authorization: basic("zoé", "pâssword-é-0001", encoding) } });
      expect(who.body).toEqual({ auth_enabled: true, user: { username: "zoé", is_admin: false } });
    }
  });

  it("answers a wrong password and an unknown user with the same 401", async () => {
    const wrong = await call(url, "GET", SEARCH, { headers: { authorization: basic("bob", "not-his-password") } });
    const unknown = await call(url, "GET", SEARCH, { headers: { authorization: basic("nobody-here", "not-his-password") } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(BAD);
    expect(unknown.body).toEqual(BAD);
    for (const header of ["Basic !!!", "Basic " + Buffer.from("no-colon").toString("base64"), "Digest x", "Bearer"]) {
      const answer = await call(url, "GET", SEARCH, { headers: { authorization: header } });
      expect(answer.status, header).toBe(401);
    }
  });

  it("takes personal access tokens as Bearer; a revoked or expired token is a 401", async () => {
    const ada = { authorization: basic("ada", "ada-password-01") };
    const created = await call(url, "POST", "/api/2.0/cairn/tokens/create", { headers: ada, body: { name: "laptop", expires_in_days: 30 } });
    expect(created.status).toBe(200);
    const secret = created.body.token as string;
    expect(secret).toMatch(/^cairn_pat_[A-Za-z0-9_-]{43}$/);
    const info = created.body.token_info as Record<string, unknown>;
    expect(info).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: "laptop", username: "ada", created_time: expect.any(Number), expiration_time: (info.created_time as number) + 30 * 86_400_000 });

    const bearer = { authorization: `Bearer ${secret}` };
    expect((await call(url, "GET", "/api/2.0/cairn/auth/whoami", { headers: bearer })).body).toEqual({ auth_enabled: true, user: { username: "ada", is_admin: false } });
    expect((await call(url, "GET", SEARCH, { headers: bearer })).status).toBe(200);
    const listed = await call(url, "GET", "/api/2.0/cairn/tokens/list", { headers: bearer });
    expect((listed.body.tokens as Array<Record<string, unknown>>).map((t) => [t.id, t.name, typeof t.last_used_time])).toEqual([[info.id, "laptop", "number"]]);
    expect(listed.text).not.toContain(secret);
    // bob cannot see or revoke ada's token; the admin can.
    const bob = { authorization: basic("bob", "bob-password-01") };
    expect((await call(url, "GET", "/api/2.0/cairn/tokens/list?username=ada", { headers: bob })).status).toBe(403);
    expect((await call(url, "POST", "/api/2.0/cairn/tokens/revoke", { headers: bob, body: { id: info.id } })).status).toBe(404);
    expect(((await call(url, "GET", "/api/2.0/cairn/tokens/list?username=ADA", { headers: admin })).body.tokens as unknown[]).length).toBe(1);

    expect((await call(url, "POST", "/api/2.0/cairn/tokens/revoke", { headers: bearer, body: { id: info.id } })).body).toEqual({});
    const revoked = await call(url, "GET", SEARCH, { headers: bearer });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toEqual({ error_code: "UNAUTHENTICATED", message: "The access token was revoked." });

    const second = await call(url, "POST", "/api/2.0/cairn/tokens/create", { headers: ada, body: { name: "ci", expires_in_days: 1 } });
    const db = new Database(`${server.dir}/cairn.db`);
    db.prepare("UPDATE auth_tokens SET expiration_time = ? WHERE token_id = ?").run(Date.now() - 1, (second.body.token_info as { id: string }).id);
    db.close();
    const expired = await call(url, "GET", SEARCH, { headers: { authorization: `Bearer ${second.body.token as string}` } });
    expect(expired.body).toEqual({ error_code: "UNAUTHENTICATED", message: "The access token expired." });
    expect((await call(url, "GET", SEARCH, { headers: { authorization: "Bearer cairn_pat_" + "A".repeat(43) } })).body).toEqual({ error_code: "UNAUTHENTICATED", message: "Invalid access token." });
  });

  it("signs in with a session cookie (HttpOnly, SameSite=Strict, Path=/) and signs out", async () => {
    const signIn = await call(url, "POST", "/ajax-api/2.0/cairn/auth/sign-in", { body: { username: "Bob", password: "bob-password-01" } });
    expect(signIn.status).toBe(200);
    expect(signIn.body).toEqual({ user: { username: "bob", is_admin: false } });
    const setCookie = signIn.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^cairn_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=604800$/);
    const cookie = { cookie: setCookie.split(";")[0] ?? "" };
    expect((await call(url, "GET", "/ajax-api/2.0/cairn/auth/whoami", { headers: cookie })).body).toEqual({ auth_enabled: true, user: { username: "bob", is_admin: false } });
    expect((await call(url, "GET", SEARCH.replace("/api/", "/ajax-api/"), { headers: cookie })).status).toBe(200);

    const signOut = await call(url, "POST", "/ajax-api/2.0/cairn/auth/sign-out", { headers: cookie });
    expect(signOut.body).toEqual({});
    expect(signOut.headers.get("set-cookie")).toBe("cairn_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    const after = await call(url, "GET", SEARCH.replace("/api/", "/ajax-api/"), { headers: cookie });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error_code: "UNAUTHENTICATED", message: "Not signed in (the session ended)." });
    expect((await call(url, "GET", "/ajax-api/2.0/cairn/auth/whoami", { headers: cookie })).body).toEqual({ auth_enabled: true });

    const bad = await call(url, "POST", "/ajax-api/2.0/cairn/auth/sign-in", { body: { username: "bob", password: "wrong-password-x" } });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual(BAD);
    expect(bad.headers.get("set-cookie")).toBeNull();
  });

  it("throttles failed attempts per user name (Basic and sign-in alike) with 429 and Retry-After", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await call(url, "GET", SEARCH, { headers: { authorization: basic("eve", `guess-number-${i}`) } })).status).toBe(401);
    }
    const throttled = await call(url, "GET", SEARCH, { headers: { authorization: basic("eve", "guess-number-5") } });
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual({ error_code: "REQUEST_LIMIT_EXCEEDED", message: "Too many failed sign-in attempts; retry after 1 seconds." });
    expect(throttled.headers.get("retry-after")).toBe("1");
    // The right password waits too (it was not verified recently), and so does sign-in.
    expect((await call(url, "GET", SEARCH, { headers: { authorization: basic("EVE", "eve-password-01") } })).status).toBe(429);
    const signIn = await call(url, "POST", "/api/2.0/cairn/auth/sign-in", { body: { username: "eve", password: "eve-password-01" } });
    expect(signIn.status).toBe(429);
    expect(signIn.headers.get("retry-after")).toBe("1");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call(url, "GET", SEARCH, { headers: { authorization: basic("eve", "eve-password-01") } })).status).toBe(200);
    // Another user is not affected.
    expect((await call(url, "GET", SEARCH, { headers: { authorization: basic("bob", "bob-password-01") } })).status).toBe(200);
  });
});
