import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { basic, call } from "../src/auth/test-support/auth-server.js";
import { startServerIn } from "../src/server/test-support/temp-server.js";

/**
 * Issue 12, "approvals by declaration": `x-cairn-user: ada`, `Authorization: Basic bob:wrong-password` and
 * `x-cairn-user: ADA` counted as three approvers. With --auth the first two are 401s (nothing stored), the header is
 * ignored, and the approver is the authenticated, case-normalized user.
 */
const ROOT = { username: "root", password: "root-password-01" };
const CAIRN = "/api/2.0/cairn";
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("verified actors (issue 12 part 3)", () => {
  it("counts distinct authenticated approvers; declared names and wrong passwords count for nothing", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-verified-"));
    dirs.push(dir);
    // Before auth: an approval declared by a header, as the attacker did.
    const open = await startServerIn(dir, { webUiDir: null });
    const declared = { "x-cairn-user": "carol" };
    expect((await call(open.url, "POST", "/api/2.0/mlflow/registered-models/create", { headers: declared, body: { name: "churn" } })).status).toBe(200);
    const version = await call(open.url, "POST", "/api/2.0/mlflow/model-versions/create", { headers: declared, body: { name: "churn", source: "mlflow-artifacts:/models/m" } });
    expect(version.status).toBe(200);
    const rule = await call(open.url, "POST", `${CAIRN}/registered-models/promotion-rules/set`, { headers: declared, body: { name: "churn", target: "alias:champion", required_approvals: 2 } });
    expect(rule.status).toBe(200);
    const approve = { name: "churn", version: "1", target: "alias:champion" };
    expect((await call(open.url, "POST", `${CAIRN}/model-versions/approve`, { headers: declared, body: approve })).status).toBe(200);
    await open.close();

    const server = await startServerIn(dir, { auth: true, webUiDir: null, adminBootstrap: ROOT });
    try {
      const root = { authorization: basic(ROOT.username, ROOT.password) };
      for (const [username, password] of [["ada", "ada-password-01"], ["bob", "bob-password-01"]]) {
        await call(server.url, "POST", "/api/2.0/mlflow/users/create", { headers: root, body: { username, password } });
      }
      const check = async (): Promise<unknown> =>
        (await call(server.url, "GET", `${CAIRN}/model-versions/promotion-check?name=churn&version=1&target=alias:champion`, { headers: root })).body;
      expect(await check()).toEqual({ allowed: false, unmet: ["2 approvals needed, 0 given; 1 unverified approval does not count"] });

      // The three requests of the finding.
      const byHeader = await call(server.url, "POST", `${CAIRN}/model-versions/approve`, { headers: { "x-cairn-user": "ada" }, body: approve });
      expect(byHeader.status).toBe(401);
      const wrongPassword = await call(server.url, "POST", `${CAIRN}/model-versions/approve`, { headers: { authorization: basic("bob", "wrong-password") }, body: approve });
      expect(wrongPassword.status).toBe(401);
      const ada = await call(server.url, "POST", `${CAIRN}/model-versions/approve`, {
        headers: { "x-cairn-user": "ADA", authorization: basic("ADA", "ada-password-01") },
        body: approve,
      });
      expect(ada.status).toBe(200);
      expect(ada.body.approval).toMatchObject({ actor: { name: "ada", verified: true } });
      // ada again, under another spelling and with the header naming someone else: still one approver.
      const again = await call(server.url, "POST", `${CAIRN}/model-versions/approve`, { headers: { "x-cairn-user": "mallory", authorization: basic("ada", "ada-password-01") }, body: approve });
      expect(again.body.approval).toMatchObject({ actor: { name: "ada", verified: true } });
      expect(await check()).toEqual({ allowed: false, unmet: ["2 approvals needed, 1 given (by ada); 1 unverified approval does not count"] });

      expect((await call(server.url, "POST", `${CAIRN}/model-versions/approve`, { headers: { authorization: basic("bob", "bob-password-01") }, body: approve })).status).toBe(200);
      expect(await check()).toEqual({ allowed: true, unmet: [] });

      // The audit trail names the verified users only.
      const events = await call(server.url, "GET", `${CAIRN}/audit/events?action=governance.approval.create`, { headers: root });
      expect((events.body.events as Array<{ actor: unknown }>).map((e) => e.actor)).toEqual([
        { name: "carol", verified: false },
        { name: "ada", verified: true },
        { name: "bob", verified: true },
      ]);
    } finally {
      await server.close();
    }
  });
});
