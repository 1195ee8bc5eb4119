import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../src/sdk/client.js";
import { CairnApiError } from "../src/sdk/errors.js";
import { collect } from "../src/sdk/paging.js";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";

/**
 * The approvals of issue 11 part 4 against the registry's promotion gate on a real server: what the issue saw (a
 * version approved only by its own author became @champion), then the same with the rule option, and an alias move
 * refused again once the approval it relied on is revoked. The MLflow REST call for the alias is the one every
 * MLflow client makes.
 */
describe("approvals and the promotion gate (real server)", () => {
  let server: TempServer;
  let ada: CairnClient;
  let bob: CairnClient;
  let lead: CairnClient;
  let runId: string;

  beforeAll(async () => {
    server = await startTempServer("cairn-approvals-gate-");
    ada = new CairnClient({ trackingUri: server.url, user: "ada", retry: { retries: 0 } });
    bob = new CairnClient({ trackingUri: server.url, user: "bob", retry: { retries: 0 } });
    lead = new CairnClient({ trackingUri: server.url, user: "lead", retry: { retries: 0 } });
    runId = (await ada.runs.create({ experimentId: "0", userId: "ada" })).info.run_id;
    await ada.registry.createModel({ name: "churn" });
  });
  afterAll(async () => server?.close());

  const register = async (): Promise<string> => (await ada.registry.createVersion({ name: "churn", source: `runs:/${runId}/model`, runId })).version;

  /** The alias move as MLflow's clients send it, with the refusal's message when refused. */
  const moveChampion = async (version: string, as: string): Promise<{ status: number; message?: string }> => {
    const response = await fetch(`${server.url}/api/2.0/mlflow/registered-models/alias`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-cairn-user": as },
      body: JSON.stringify({ name: "churn", alias: "champion", version }),
    });
    const body = (await response.json()) as { message?: string };
    return { status: response.status, ...(body.message === undefined ? {} : { message: body.message }) };
  };

  it("a self-approved version becomes @champion under a plain rule; with forbid_self_approval it cannot, and a revoked approval stops counting", async () => {
    // What the issue saw: one approval required, and the author's own approval met it.
    await lead.governance.setRule({ name: "churn", target: "alias:champion", requiredApprovals: 1 });
    const v1 = await register();
    await ada.governance.approve("churn", v1, "alias:champion");
    expect(await moveChampion(v1, "ada")).toEqual({ status: 200 });

    // The rule now forbids self-approval: ada's standing approval of v1 no longer counts...
    const rule = await lead.governance.setRule({ name: "churn", target: "alias:champion", requiredApprovals: 1, forbidSelfApproval: true });
    expect(rule.forbid_self_approval).toBe(true);
    expect(await ada.governance.checkPromotion("churn", v1, "alias:champion")).toEqual({
      allowed: false,
      unmet: ["1 approval needed, 0 given; self-approval by ada does not count"],
    });
    // ...and a new self-approval is refused, by the version's creator as by its run's user.
    const v2 = await register();
    const refused = await ada.governance.approve("churn", v2, "alias:champion").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CairnApiError);
    expect(refused).toMatchObject({
      status: 403,
      errorCode: "PERMISSION_DENIED",
      message: `ada cannot approve churn version ${v2} for alias:champion: the promotion rule forbids self-approval, and ada created this version.`,
    });
    expect(await moveChampion(v2, "ada")).toEqual({
      status: 400,
      message: `Promotion of model 'churn' version ${v2} to alias:champion refused: 1 approval needed, 0 given.`,
    });
    expect((await ada.registry.getVersionByAlias("churn", "champion")).version).toBe(v1);

    await bob.governance.approve("churn", v2, "alias:champion", "reviewed");
    expect(await moveChampion(v2, "ada")).toEqual({ status: 200 });

    // Revoked before the move: the gate refuses again, in the rule's own words.
    const v3 = await register();
    await bob.governance.approve("churn", v3, "alias:champion");
    const revoked = await bob.governance.revokeApproval("churn", v3, "alias:champion");
    expect(revoked).toMatchObject({ actor: { name: "bob" }, revoked_by: { name: "bob" } });
    expect(typeof revoked.revoked_time).toBe("number");
    expect(await moveChampion(v3, "bob")).toEqual({
      status: 400,
      message: `Promotion of model 'churn' version ${v3} to alias:champion refused: 1 approval needed, 0 given.`,
    });
    expect((await ada.registry.getVersionByAlias("churn", "champion")).version).toBe(v2);

    // Who approved what, when, and who revoked it: newest first, across versions.
    const all = await collect(lead.governance.searchApprovalsAll({ name: "churn", includeRevoked: true, maxResults: 2 }));
    expect(all.map((a) => [a.version, a.actor.name, a.revoked_by?.name ?? null])).toEqual([
      [v3, "bob", "bob"],
      [v2, "bob", null],
      [v1, "ada", null],
    ]);
    const events = await collect(lead.audit.listEventsAll({ action: "governance.approval.*" }));
    expect(events.map((event) => [event.action, event.actor.name, event.entity_id])).toEqual([
      ["governance.approval.create", "ada", `churn/${v1}`],
      ["governance.approval.create", "bob", `churn/${v2}`],
      ["governance.approval.create", "bob", `churn/${v3}`],
      ["governance.approval.revoke", "bob", `churn/${v3}`],
    ]);
  });
});
