import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../server/start.js";
import { ADMIN, basic, call, startAuthServer } from "./test-support/auth-server.js";

/** MLflow's basic-auth user endpoints, with its shapes and rules (admins manage users; a user reads and re-passwords themself). */
describe("MLflow's users/* endpoints under --auth", () => {
  let server: RunningServer & { dir: string };
  let url: string;
  const admin = { authorization: basic(ADMIN.username, ADMIN.password) };
  const ada = { authorization: basic("ada", "ada-password-01") };

  beforeAll(async () => {
    server = await startAuthServer();
    url = server.url;
  });
  afterAll(async () => {
    await server.close();
  });

  it("creates a user (admin only) and answers {user} as MLflow does; a taken name is RESOURCE_ALREADY_EXISTS", async () => {
    const created = await call(url, "POST", "/api/2.0/mlflow/users/create", { headers: admin, body: { username: "Ada", password: "ada-password-01" } });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      user: { id: expect.any(Number), username: "ada", is_admin: false, experiment_permissions: [], registered_model_permissions: [] },
    });
    // Every spelling governance takes for one person is one user name (case, full-width forms, spaces around).
    for (const spelling of ["ADA", " ada ", "\uff41\uff44\uff41"]) {
      const again = await call(url, "POST", "/api/2.0/mlflow/users/create", { headers: admin, body: { username: spelling, password: "ada-password-01" } });
      expect(again.status).toBe(400);
      expect(again.body).toEqual({ error_code: "RESOURCE_ALREADY_EXISTS", message: "User 'ada' already exists." });
    }
    expect((await call(url, "GET", "/api/2.0/cairn/auth/whoami", { headers: { authorization: basic("\uff21da", "ada-password-01") } })).body).toMatchObject({ user: { username: "ada" } });
    const byAda = await call(url, "POST", "/api/2.0/mlflow/users/create", { headers: ada, body: { username: "mallory", password: "mallory-password" } });
    expect(byAda.status).toBe(403);
    expect(byAda.body).toEqual({ error_code: "PERMISSION_DENIED", message: "Permission denied: creating a user needs an admin." });
    const short = await call(url, "POST", "/api/2.0/mlflow/users/create", { headers: admin, body: { username: "shorty", password: "short" } });
    expect(short.body).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "'password' must be at least 12 characters long." });
    for (const username of ["a:b", "with space", "x".repeat(129)]) {
      expect((await call(url, "POST", "/api/2.0/mlflow/users/create", { headers: admin, body: { username, password: "long-enough-pass" } })).status, username).toBe(400);
    }
  });

  it("lets a user read themself, not others; admins read anyone; unknown users are RESOURCE_DOES_NOT_EXIST", async () => {
    await call(url, "POST", "/api/2.0/mlflow/users/create", { headers: admin, body: { username: "bob", password: "bob-password-01" } });
    expect((await call(url, "GET", "/api/2.0/mlflow/users/get?username=ADA", { headers: ada })).body).toEqual({
      user: { id: expect.any(Number), username: "ada", is_admin: false, experiment_permissions: [], registered_model_permissions: [] },
    });
    expect((await call(url, "GET", "/api/2.0/mlflow/users/get?username=bob", { headers: ada })).status).toBe(403);
    expect((await call(url, "GET", "/api/2.0/mlflow/users/get?username=bob", { headers: admin })).status).toBe(200);
    const missing = await call(url, "GET", "/api/2.0/mlflow/users/get?username=nobody", { headers: admin });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "User with username 'nobody' not found." });
  });

  it("lets a user change their own password (the old one stops working at once); not another's", async () => {
    const bob = { authorization: basic("bob", "bob-password-01") };
    expect((await call(url, "GET", "/api/2.0/cairn/auth/whoami", { headers: bob })).body).toMatchObject({ user: { username: "bob" } });
    expect((await call(url, "PATCH", "/api/2.0/mlflow/users/update-password", { headers: ada, body: { username: "bob", password: "hijacked-password" } })).status).toBe(403);
    const changed = await call(url, "PATCH", "/api/2.0/mlflow/users/update-password", { headers: bob, body: { username: "bob", password: "bob-password-02" } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({});
    // The old password was in the verified-credentials cache: changing the password dropped it.
    expect((await call(url, "GET", "/api/2.0/mlflow/experiments/search?max_results=1", { headers: bob })).status).toBe(401);
    expect((await call(url, "GET", "/api/2.0/mlflow/experiments/search?max_results=1", { headers: { authorization: basic("bob", "bob-password-02") } })).status).toBe(200);
  });

  it("changes the admin flag (admin only, takes effect at once) and never removes the last admin", async () => {
    expect((await call(url, "PATCH", "/api/2.0/mlflow/users/update-admin", { headers: ada, body: { username: "ada", is_admin: true } })).status).toBe(403);
    expect((await call(url, "PATCH", "/api/2.0/mlflow/users/update-admin", { headers: admin, body: { username: "ada", is_admin: true } })).body).toEqual({});
    expect((await call(url, "GET", "/api/2.0/cairn/auth/whoami", { headers: ada })).body).toEqual({ auth_enabled: true, user: { username: "ada", is_admin: true } });
    expect((await call(url, "PATCH", "/api/2.0/mlflow/users/update-admin", { headers: ada, body: { username: "root", is_admin: false } })).status).toBe(200);
    const last = await call(url, "PATCH", "/api/2.0/mlflow/users/update-admin", { headers: ada, body: { username: "ada", is_admin: false } });
    expect(last.body).toEqual({ error_code: "INVALID_STATE", message: "'ada' is the last admin: make another user admin first." });
    const lastDelete = await call(url, "DELETE", "/api/2.0/mlflow/users/delete", { headers: ada, body: { username: "ada" } });
    expect(lastDelete.status).toBe(400);
    expect((await call(url, "PATCH", "/api/2.0/mlflow/users/update-admin", { headers: ada, body: { username: "root", is_admin: "yes" } })).status).toBe(400);
  });

  it("deletes a user (admin only): their credentials stop working and the audit trail records who did what", async () => {
    const bob = { authorization: basic("bob", "bob-password-02") };
    expect((await call(url, "DELETE", "/api/2.0/mlflow/users/delete", { headers: bob, body: { username: "bob" } })).status).toBe(403);
    expect((await call(url, "DELETE", "/api/2.0/mlflow/users/delete", { headers: ada, body: { username: "BOB" } })).body).toEqual({});
    expect((await call(url, "GET", "/api/2.0/cairn/auth/whoami", { headers: bob })).body).toEqual({ auth_enabled: true });
    expect((await call(url, "DELETE", "/api/2.0/mlflow/users/delete", { headers: ada, body: { username: "bob" } })).status).toBe(404);

    const events = await call(url, "GET", "/api/2.0/cairn/audit/events?entity_type=user&entity_id=bob", { headers: ada });
    const trail = (events.body.events as Array<{ action: string; actor: unknown }>).map((e) => [e.action, e.actor]);
    expect(trail).toEqual([
      ["auth.user.create", { name: "root", verified: true }],
      ["auth.user.update_password", { name: "bob", verified: true }],
      ["auth.user.delete", { name: "ada", verified: true }],
    ]);
    expect(events.text).not.toContain("bob-password");
  });
});

describe("Cairn's users/list under --auth", () => {
  let server: RunningServer & { dir: string };
  let url: string;
  const admin = { authorization: basic(ADMIN.username, ADMIN.password) };

  beforeAll(async () => {
    server = await startAuthServer();
    url = server.url;
    await call(url, "POST", "/api/2.0/mlflow/users/create", { headers: admin, body: { username: "bob", password: "bob-password-01" } });
  });
  afterAll(async () => {
    await server.close();
  });

  it("lists users for admins only, in name order, a page at a time (Cairn's users/list, which the UI's Users page reads)", async () => {
    for (const name of ["list-c", "list-a", "list-b"]) {
      expect((await call(url, "POST", "/api/2.0/mlflow/users/create", { headers: admin, body: { username: name, password: "list-password-01" } })).status).toBe(200);
    }
    const seen: Array<{ username: string; is_admin: boolean }> = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await call(url, "GET", `/api/2.0/cairn/users/list?max_results=2${token ? `&page_token=${token}` : ""}`, { headers: admin });
      expect(page.status).toBe(200);
      const users = page.body.users as Array<{ username: string; is_admin: boolean; id: number; created_time: number }>;
      expect(users.length).toBeLessThanOrEqual(2);
      seen.push(...users.map(({ username, is_admin }) => ({ username, is_admin })));
      token = page.body.next_page_token as string | undefined;
      pages += 1;
    } while (token !== undefined);
    expect(seen).toEqual([
            { username: "bob", is_admin: false },
      { username: "list-a", is_admin: false },
      { username: "list-b", is_admin: false },
      { username: "list-c", is_admin: false },
      { username: ADMIN.username, is_admin: true },
    ].sort((a, b) => a.username.localeCompare(b.username)));
    expect(pages).toBe(3);
    const byBob = await call(url, "GET", "/api/2.0/cairn/users/list", { headers: { authorization: basic("bob", "bob-password-01") } });
    expect(byBob.status).toBe(403);
    expect(byBob.body).toEqual({ error_code: "PERMISSION_DENIED", message: "Permission denied: listing users needs an admin." });
  });
});
