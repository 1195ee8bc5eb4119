import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../sdk/client.js";
import { startServerIn } from "../server/test-support/temp-server.js";
import type { RunningServer } from "../server/start.js";
import { runCli } from "./test-support/run-cli.js";

/** `cairn users` on the database before any server runs; `cairn tokens` and every command with MLflow's credentials. */
describe("cairn users / cairn tokens, and credentials from MLFLOW_TRACKING_*", () => {
  let dir: string;
  let store: string;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-auth-cli-"));
    store = `sqlite:///${dir}/cairn.db`;
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates the first admin and a user on the database, reading passwords from stdin only", async () => {
    const admin = await runCli(["users", "create", "Root", "--admin", "--password-stdin", "--backend-store-uri", store], { input: "root-password-01\n" });
    expect(admin).toEqual({ code: 0, stdout: "Created admin 'root'.\n", stderr: "" });
    const ada = await runCli(["users", "create", "ada", "--password-stdin", "--backend-store-uri", store, "--json"], { input: "ada-password-01" });
    expect(ada.code).toBe(0);
    expect(JSON.parse(ada.stdout)).toEqual({ user: { id: 2, username: "ada", is_admin: false, created_time: expect.any(Number) } });
    const short = await runCli(["users", "create", "bob", "--password-stdin", "--backend-store-uri", store], { input: "short\n" });
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain("'password' must be at least 12 characters long.");
    const noTerminal = await runCli(["users", "passwd", "ada", "--backend-store-uri", store]);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain("pass --password-stdin");
    const list = await runCli(["users", "list", "--backend-store-uri", store, "--json"]);
    expect((JSON.parse(list.stdout) as { users: Array<{ username: string; is_admin: boolean }> }).users.map((u) => [u.username, u.is_admin])).toEqual([
      ["ada", false],
      ["root", true],
    ]);
    expect((await runCli(["users", "delete", "root", "--backend-store-uri", store])).stderr).toContain("'root' is the last admin");
  });

  it("makes tokens through the server with MLFLOW_TRACKING_USERNAME/PASSWORD, then works with MLFLOW_TRACKING_TOKEN", async () => {
    server = await startServerIn(dir, { auth: true, webUiDir: null });
    const uri = { MLFLOW_TRACKING_URI: server.url };
    const anonymous = await runCli(["experiments", "list"], { env: uri });
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toContain("UNAUTHENTICATED");

    const withPassword = { ...uri, MLFLOW_TRACKING_USERNAME: "ada", MLFLOW_TRACKING_PASSWORD: "ada-password-01" };
    const created = await runCli(["tokens", "create", "laptop", "--expires-in-days", "7", "--json"], { env: withPassword });
    expect(created.code).toBe(0);
    const { token, token_info: info } = JSON.parse(created.stdout) as { token: string; token_info: { id: string; username: string } };
    expect(info.username).toBe("ada");

    const withToken = { ...uri, MLFLOW_TRACKING_TOKEN: token };
    expect((await runCli(["experiments", "list"], { env: withToken })).code).toBe(0);
    const listed = await runCli(["tokens", "list", "--json"], { env: withToken });
    expect((JSON.parse(listed.stdout) as { tokens: Array<{ id: string }> }).tokens.map((t) => t.id)).toEqual([info.id]);

    // The SDK reads the same variables, and explicit options win over them.
    const sdk = new CairnClient({ trackingUri: server.url, env: withToken, retry: { retries: 0 } });
    expect(await sdk.auth.whoami()).toEqual({ auth_enabled: true, user: { username: "ada", is_admin: false } });
    const explicit = new CairnClient({ trackingUri: server.url, env: withToken, username: "root", password: "root-password-01", retry: { retries: 0 } });
    expect((await explicit.auth.whoami()).user).toEqual({ username: "root", is_admin: true });

    expect((await runCli(["tokens", "revoke", info.id], { env: withToken })).stdout).toBe(`Revoked token ${info.id}.\n`);
    expect((await runCli(["experiments", "list"], { env: withToken })).code).not.toBe(0);
  });
});
