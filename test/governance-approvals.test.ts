import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GOVERNANCE_NOW, type GovernanceTestApp, startGovernanceApp } from "./governance-test-app.js";

/**
 * Issue 11, part 4: "a user could approve their own model version and it counted; an approval cannot be revoked"
 * and approvals could not be listed across versions. Each test first shows the old behaviour where it still holds
 * (a rule without the option), then the rule option, revocation and the listing.
 */
const as = (name: string): Record<string, string> => ({ "x-cairn-user": name });

describe("governance API: self-approval, revocation and the approvals listing", () => {
  let kit: GovernanceTestApp;

  beforeEach(async () => {
    kit = await startGovernanceApp();
    await kit.registry.createRegisteredModel({ name: "churn", tags: [], now: GOVERNANCE_NOW });
  });
  afterEach(async () => {
    await kit.close();
  });

  /** A version created by `creator` (ModelVersion.user_id, as the registry records the declared actor). */
  const version = async (creator?: string, runId?: string): Promise<string> =>
    (
      await kit.registry.createModelVersion({
        name: "churn",
        source: runId === undefined ? "mlflow-artifacts:/models/m" : `runs:/${runId}/model`,
        ...(runId === undefined ? {} : { runId }),
        ...(creator === undefined ? {} : { userId: creator }),
        tags: [],
        now: GOVERNANCE_NOW,
      })
    ).version;
  const runOf = async (user: string): Promise<string> =>
    (await kit.call("POST", "runs/create", { experiment_id: "0", user_id: user }, {}, "mlflow")).body.run.info.run_id as string;
  const setRule = (forbid: boolean | undefined, approvals = 1) =>
    kit.call(
      "POST",
      "registered-models/promotion-rules/set",
      { name: "churn", target: "alias:champion", required_approvals: approvals, ...(forbid === undefined ? {} : { forbid_self_approval: forbid }) },
      as("lead"),
    );
  const approve = (who: string, v: string, target = "alias:champion") =>
    kit.call("POST", "model-versions/approve", { name: "churn", version: v, target }, as(who));
  const revoke = (who: string | undefined, v: string, target = "alias:champion") =>
    kit.call("DELETE", "governance/approvals", { name: "churn", version: v, target }, who === undefined ? {} : as(who));
  const check = async (v: string) => (await kit.call("GET", "model-versions/promotion-check", { name: "churn", version: v, target: "alias:champion" })).body;
  const list = async (query: Record<string, string>) => kit.call("GET", "governance/approvals", { name: "churn", ...query });

  it("reproduces the hole (a creator's own approval counts by default), then the option refuses it and never counts it", async () => {
    const v1 = await version("ada");
    expect((await setRule(undefined)).body.rule.forbid_self_approval).toBe(false);
    expect((await approve("ada", v1)).status).toBe(200);
    // The behaviour the issue reported, kept for rules that do not opt in: the creator's approval meets the rule.
    expect(await check(v1)).toEqual({ allowed: true, unmet: [] });

    // The option set after the approval: the standing self-approval no longer counts.
    const set = await setRule(true);
    expect(set.body.rule.forbid_self_approval).toBe(true);
    expect(kit.audited.at(-1)?.entry).toMatchObject({
      action: "governance.promotion_rule.set",
      before: { forbid_self_approval: false },
      after: { forbid_self_approval: true, required_approvals: 1 },
    });
    expect(await check(v1)).toEqual({ allowed: false, unmet: ["1 approval needed, 0 given; self-approval by ada does not count"] });
    expect(await kit.promotion.check("churn", v1, { kind: "alias", alias: "champion" })).toEqual({
      allowed: false,
      unmet: ["1 approval needed, 0 given; self-approval by ada does not count"],
    });

    // A new self-approval is refused at approve time, whatever the spelling of the name, and nothing is stored.
    const v2 = await version("ada");
    const audits = kit.audited.length;
    for (const spelling of ["ada", " ADA ", "\uff41\uff44\uff41"]) {
      const refused = await approve(spelling, v2);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        error_code: "PERMISSION_DENIED",
        // HTTP trims header values: the actor is the name without its spaces.
        message: `${spelling.trim()} cannot approve churn version ${v2} for alias:champion: the promotion rule forbids self-approval, and ${spelling.trim()} created this version.`,
      });
    }
    expect(kit.audited).toHaveLength(audits);
    expect((await list({ version: v2, include_revoked: "true" })).body).toEqual({ approvals: [] });
    // Another target without the option is not affected.
    expect((await approve("ada", v2, "stage:Production")).status).toBe(200);

    expect((await approve("bob", v2)).status).toBe(200);
    expect(await check(v2)).toEqual({ allowed: true, unmet: [] });
  });

  it("refuses the source run's user too, and a version created anonymously is judged by its run alone", async () => {
    await setRule(true);
    const v1 = await version(undefined, await runOf("carl"));
    const refused = await approve("Carl", v1);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(
      new RegExp(`^Carl cannot approve churn version ${v1} for alias:champion: the promotion rule forbids self-approval, and Carl is the user of its source run [0-9a-f]{32}\\.$`),
    );
    expect((await approve("ada", v1)).status).toBe(200);
    expect(await check(v1)).toEqual({ allowed: true, unmet: [] });
    // Without a creator or a run, nobody is an author.
    const bare = await version();
    expect((await approve("carl", bare)).status).toBe(200);
  });

  it("revokes the caller's own approval: audited, no longer counted, still listed; approving again is a new approval", async () => {
    await setRule(false, 2);
    const v1 = await version("ada");
    await approve("bob", v1);
    await approve("dee", v1);
    expect(await check(v1)).toEqual({ allowed: true, unmet: [] });
    // Approving again under another spelling of one's name answers the standing approval: one per person.
    expect((await approve("DEE ", v1)).body.approval).toMatchObject({ actor: { name: "dee" }, time: GOVERNANCE_NOW + 2000 });

    // Only the approver may revoke it; anonymous requests may not revoke at all.
    expect((await revoke("eve", v1)).body).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      message: `eve has no standing approval of churn version ${v1} for alias:champion to revoke`,
    });
    expect(await revoke(undefined, v1)).toMatchObject({
      status: 403,
      body: { error_code: "PERMISSION_DENIED", message: "Anonymous requests cannot revoke an approval: declare who you are (the x-cairn-user header or basic auth)." },
    });
    const before = kit.audited.length;
    const revoked = await revoke("BOB", v1);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({
      approval: {
        name: "churn",
        version: v1,
        target: "alias:champion",
        actor: { name: "bob", verified: false },
        time: GOVERNANCE_NOW + 1000,
        revoked_by: { name: "BOB", verified: false },
        revoked_time: GOVERNANCE_NOW + 3000,
      },
    });
    expect(kit.audited.slice(before).map(({ context, entry }) => [context.actor.name, entry])).toEqual([
      [
        "BOB",
        {
          action: "governance.approval.revoke",
          entityType: "model_version",
          entityId: `churn/${v1}`,
          before: { target: "alias:champion", actor: "bob", time: GOVERNANCE_NOW + 1000 },
          after: { target: "alias:champion", actor: "bob", revoked_by: "BOB", revoked_time: GOVERNANCE_NOW + 3000 },
        },
      ],
    ]);
    expect(await check(v1)).toEqual({ allowed: false, unmet: ["2 approvals needed, 1 given (by dee)"] });
    expect((await revoke("bob", v1)).status).toBe(404);

    // The per-version list shows what counts; the listing shows the revoked one on request.
    expect((await kit.call("GET", "model-versions/approvals", { name: "churn", version: v1 })).body.approvals.map((a: { actor: { name: string } }) => a.actor.name)).toEqual(["dee"]);
    expect((await list({})).body.approvals.map((a: { actor: { name: string } }) => a.actor.name)).toEqual(["dee"]);

    const again = await approve("bob", v1);
    expect(again.body.approval).toEqual({ name: "churn", version: v1, target: "alias:champion", actor: { name: "bob", verified: false }, time: GOVERNANCE_NOW + 4000 });
    expect(await check(v1)).toEqual({ allowed: true, unmet: [] });
    expect((await list({ include_revoked: "true" })).body.approvals.map((a: { actor: { name: string }; time: number; revoked_time?: number }) => [a.actor.name, a.time, a.revoked_time ?? null])).toEqual([
      ["bob", GOVERNANCE_NOW + 4000, null],
      ["dee", GOVERNANCE_NOW + 2000, null],
      ["bob", GOVERNANCE_NOW + 1000, GOVERNANCE_NOW + 3000],
    ]);
    expect(kit.audited.filter(({ entry }) => entry.action.startsWith("governance.approval.")).map(({ entry }) => entry.action)).toEqual([
      "governance.approval.create",
      "governance.approval.create",
      "governance.approval.revoke",
      "governance.approval.create",
    ]);
  });

  it("revokes every standing approval of the person, when older rows hold two spellings of one name", async () => {
    await setRule(false, 2);
    const v1 = await version("ada");
    // Rows as a store written before spellings were matched could hold them: one person, counted once.
    for (const [name, time] of [["Eve", 1], ["eve", 2]] as const) {
      await kit.governance.addApproval({ name: "churn", version: v1, target: "alias:champion", actor: { name, verified: false }, time });
    }
    expect(await check(v1)).toEqual({ allowed: false, unmet: ["2 approvals needed, 1 given (by Eve)"] });
    const revoked = await revoke("EVE", v1);
    expect(revoked.body.approval).toMatchObject({ actor: { name: "Eve" }, time: 1, revoked_by: { name: "EVE" } });
    expect(kit.audited.filter(({ entry }) => entry.action === "governance.approval.revoke").map(({ entry }) => entry.before)).toEqual([
      { target: "alias:champion", actor: "Eve", time: 1 },
      { target: "alias:champion", actor: "eve", time: 2 },
    ]);
    expect((await list({ version: v1 })).body).toEqual({ approvals: [] });
    expect(await check(v1)).toEqual({ allowed: false, unmet: ["2 approvals needed, 0 given"] });
  });

  it("lists a model's approvals across versions newest first, filtered, in bounded pages", async () => {
    const v1 = await version("ada");
    const v2 = await version("ada");
    await approve("bob", v1);
    await approve("bob", v1, "stage:production");
    await approve("dee", v2);
    await approve("eve", v2);
    await revoke("eve", v2);

    const page1 = await list({ include_revoked: "true", max_results: "2" });
    expect(page1.body.approvals.map((a: { version: string; actor: { name: string } }) => `${a.version}:${a.actor.name}`)).toEqual([`${v2}:eve`, `${v2}:dee`]);
    expect(typeof page1.body.next_page_token).toBe("string");
    const page2 = await list({ include_revoked: "true", max_results: "2", page_token: page1.body.next_page_token });
    expect(page2.body.approvals.map((a: { target: string }) => a.target)).toEqual(["stage:Production", "alias:champion"]);
    expect(page2.body.next_page_token).toBeUndefined();

    expect((await list({ version: v1 })).body.approvals).toHaveLength(2);
    expect((await list({ target: "stage:PRODUCTION" })).body.approvals.map((a: { version: string }) => a.version)).toEqual([v1]);
    expect((await list({ version: v2 })).body.approvals.map((a: { actor: { name: string } }) => a.actor.name)).toEqual(["dee"]);

    const error = async (query: Record<string, string>) => {
      const response = await kit.call("GET", "governance/approvals", query);
      return [response.status, response.body.error_code, response.body.message];
    };
    expect(await error({})).toEqual([400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'. See the API docs for more information about request parameters."]);
    expect(await error({ name: "nope" })).toEqual([404, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=nope not found"]);
    expect(await error({ name: "churn", version: "9" })).toEqual([404, "RESOURCE_DOES_NOT_EXIST", "Model Version (name=churn, version=9) not found"]);
    expect(await error({ name: "churn", target: "champion" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid value 'champion' for parameter 'target' supplied: expected alias:<alias> (at most 255 characters), stage:<None|Staging|Production|Archived> or deployment:<deployment name>.",
    ]);
    expect(await error({ name: "churn", max_results: "0" })).toEqual([400, "INVALID_PARAMETER_VALUE", "Invalid value 0 for parameter 'max_results' supplied. It must be between 1 and 1000."]);
    expect(await error({ name: "churn", max_results: "1001" })).toEqual([400, "INVALID_PARAMETER_VALUE", "Invalid value 1001 for parameter 'max_results' supplied. It must be between 1 and 1000."]);
    expect(await error({ name: "churn", include_revoked: "maybe" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid value 'maybe' for parameter 'include_revoked' supplied: expected a boolean, got string.",
    ]);
    expect(await error({ name: "churn", page_token: "Zm9v" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid page_token 'Zm9v': not a token returned by governance/approvals.",
    ]);
  });
});
