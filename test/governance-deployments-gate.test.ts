import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promoteDeployment } from "../src/cli/commands/deployments.js";
import type { RunningServer } from "../src/server/start.js";
import { startServerIn } from "../src/server/test-support/temp-server.js";
import { CairnClient } from "../src/sdk/client.js";
import { registerLogisticVersions } from "../src/serving/test-support/registered-models.js";
import { deliveredEvents, TestReceiver } from "../src/webhooks/test-support/receiver.js";
import { apiErrorOf } from "../src/sdk/test-support/api-error.js";

/**
 * Issue 11's governance hole, from every client against a real server over one SQLite file: a deployment's primary
 * changes only through the promotion gate (the alias it follows, or its own deployment:<name> target), and what
 * it serves and what its alias names agree after promote, rollback, an alias move by the MLflow route and a restart.
 */
let dir: string;
let scratch: string;
let server: RunningServer;
let ada: CairnClient;
let bob: CairnClient;
const receiver = new TestReceiver();

const delivered = () => deliveredEvents(receiver);

const start = async (): Promise<void> => {
  server = await startServerIn(dir);
  ada = new CairnClient({ trackingUri: server.url, user: "ada" });
  bob = new CairnClient({ trackingUri: server.url, user: "bob" });
};

/** A raw JSON call, for the fields and routes the SDK does not wrap (MLflow's alias route, approvals_skipped). */
const call = async (method: "GET" | "POST", route: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, any> }> => {
  const url = new URL(`${server.url}/api/2.0/${route}`);
  if (method === "GET") for (const [key, value] of Object.entries(body)) url.searchParams.set(key, String(value));
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json", "x-cairn-user": "ada" },
    ...(method === "POST" ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

const refusal = (version: string, target: string, unmet: string): string =>
  `Promotion of model 'churn' version ${version} to ${target} refused: ${unmet}.`;

const aliasVersion = async (): Promise<string> => (await call("GET", "mlflow/registered-models/alias", { name: "churn", alias: "champion" })).body.model_version.version as string;

const refusals = async (): Promise<Array<{ target: string; version: string }>> => {
  const page = await ada.audit.listEvents({ action: "registry.promotion.refuse", maxResults: 100 });
  return page.items.map((event) => ({ target: (event.after as { target: string }).target, version: event.entity_id.split("/")[1] as string }));
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-gate-"));
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-gate-models-"));
  await start();
  // Versions 1, 2, 3 of churn; champion names version 1.
  await registerLogisticVersions(ada, scratch, "churn", [21, 22, 23]);
  await ada.webhooks.create({ name: "gate", url: await receiver.listen(), events: ["promotion.refused", "alias.set", "deployment.degraded"] });
}, 60_000);

afterAll(async () => {
  await receiver.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

describe("one gate for every change of what a deployment serves", () => {
  it("refuses to promote an unapproved canary of an alias-following deployment from the API, the SDK, the CLI and MLflow's alias route alike", async () => {
    await ada.governance.setRule({ name: "churn", target: "alias:champion", requiredApprovals: 1 });
    await ada.serving.createDeployment({ name: "churn-live", modelUri: "models:/churn@champion" });
    // A canary of an unapproved version stays allowed: that is how a candidate is evaluated.
    await ada.serving.setCanary({ name: "churn-live", version: "2", weight: 0.5 });

    const expected = refusal("2", "alias:champion", "1 approval needed, 0 given");
    const http = await call("POST", "cairn/deployments/promote", { name: "churn-live" });
    expect(http).toEqual({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: expected } });
    const sdk = await apiErrorOf(ada.serving.promote("churn-live"));
    expect([sdk.status, sdk.errorCode, sdk.message]).toEqual([400, "INVALID_PARAMETER_VALUE", expected]);
    const cli = await apiErrorOf(promoteDeployment(ada, "churn-live"));
    expect(cli.message).toBe(expected);
    // What the MLflow client's set_registered_model_alias gets: the very same refusal.
    const mlflow = await call("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "2" });
    expect(mlflow).toEqual({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: expected } });

    expect(await refusals()).toEqual(Array(4).fill({ target: "alias:champion", version: "2" }));
    // Each refusal is announced to webhooks, as the registry announces its own.
    await receiver.waitFor(4);
    expect(delivered().filter((d) => d.type === "promotion.refused").map((d) => d.payload)).toEqual(
      Array(4).fill({ name: "churn", version: "2", target: "alias:champion", alias: "champion", current_version: "1", unmet: ["1 approval needed, 0 given"] }),
    );
    const deployment = await ada.serving.getDeployment("churn-live");
    expect(deployment).toMatchObject({ primary_version: "1", followed_version: "1", alias_version: "1", serving_versions: ["1", "2"], state: "serving" });
    expect(deployment.canary).toEqual({ version: "2", weight: 0.5, sticky: true });
    expect(await aliasVersion()).toBe("1");
  });

  it("promotes once approved: the alias moves through the registry and the deployment serves what it names before answering", async () => {
    // An anonymous or self-declared approver is the approvals helper's business; bob approves here.
    await bob.governance.approve("churn", 2, "alias:champion");
    const promoted = await ada.serving.promote("churn-live");
    expect(promoted).toMatchObject({ primary_version: "2", followed_version: "2", alias_version: "2", serving_versions: ["2"], state: "serving" });
    expect(promoted.canary).toBeUndefined();
    expect(await aliasVersion()).toBe("2");
    const history = (await ada.serving.history("churn-live")).map((e) => `${e.role} ${e.from_version ?? "-"}>${e.to_version ?? "-"} ${e.reason}`);
    expect(history.slice(-2)).toEqual(["primary 1>2 promote", "canary 2>- promote"]);
    const aliasChanges = await ada.audit.aliasHistory("churn", "champion");
    expect(aliasChanges.map((c) => [c.from_version, c.to_version, c.actor.name])).toEqual([
      [null, "1", "ada"],
      ["1", "2", "ada"],
    ]);
    const moved = (await ada.audit.listEvents({ action: "registry.alias.set", maxResults: 10 })).items.at(-1);
    expect(moved?.after).toEqual({ alias: "champion", version: "2", reason: "promote" });
  });

  it("follows an alias moved by MLflow's route, and rolls back through the alias, skipping approvals only for a version that passed the same rule", async () => {
    await bob.governance.approve("churn", 3, "alias:champion");
    const moved = await call("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "3" });
    expect(moved.status).toBe(200);
    // The switch runs behind the registry's answer; the deployment is in line once it has loaded.
    await expect.poll(async () => (await ada.serving.getDeployment("churn-live")).serving_versions, { timeout: 10_000 }).toEqual(["3"]);
    expect(await ada.serving.getDeployment("churn-live")).toMatchObject({ primary_version: "3", alias_version: "3", state: "serving" });

    // Version 2 has bob's approval and passed alias:champion; the rollback still records what it relied on.
    const rolled = await call("POST", "cairn/deployments/rollback", { name: "churn-live" });
    expect(rolled.status).toBe(200);
    expect(rolled.body.deployment).toMatchObject({ primary_version: "2", alias_version: "2", serving_versions: ["2"], state: "serving" });
    expect(rolled.body.approvals_skipped).toMatch(/^approvals skipped: version 2 passed alias:champion at \d{4}-\d\d-\d\dT/);
    expect(await aliasVersion()).toBe("2");

    // Version 1 was set to alias:champion before the rule existed: it never passed THIS rule, so its evidence skips
    // nothing, and the refusal says why. Once approved, the rollback goes through, still recording its evidence.
    const stale = await call("POST", "cairn/deployments/rollback", { name: "churn-live" });
    expect(stale.status).toBe(400);
    expect(stale.body.message).toMatch(
      /^Promotion of model 'churn' version 1 to alias:champion refused: 1 approval needed, 0 given \(version 1 passed alias:champion at \d{4}-\d\d-\d\dT[^)]*, before this rule was last set at \d{4}-[^)]*\)\.$/,
    );
    expect(await ada.serving.getDeployment("churn-live")).toMatchObject({ primary_version: "2", alias_version: "2", state: "serving" });
    await bob.governance.approve("churn", 1, "alias:champion");
    const again = await call("POST", "cairn/deployments/rollback", { name: "churn-live" });
    expect(again.status).toBe(200);
    expect(again.body.deployment).toMatchObject({ primary_version: "1", alias_version: "1", serving_versions: ["1"] });
    // Approved now: nothing was skipped, and nothing says so.
    expect(again.body.approvals_skipped).toBeUndefined();
    const rollbacks = (await ada.audit.listEvents({ action: "serving.deployment.rollback", maxResults: 10 })).items;
    expect(rollbacks.at(-2)?.after).toMatchObject({ policy: { primary: "2" }, gate: "alias:champion", approvals_skipped: rolled.body.approvals_skipped });
    expect(rollbacks.at(-1)?.after).toMatchObject({ policy: { primary: "1" }, gate: "alias:champion" });
    expect(rollbacks.at(-1)?.after).not.toHaveProperty("approvals_skipped");
    const aliasAudit = (await ada.audit.listEvents({ action: "registry.alias.set", maxResults: 20 })).items.at(-1);
    expect(aliasAudit?.after).toEqual({ alias: "champion", version: "1", reason: "rollback" });
    const history = (await ada.serving.history("churn-live")).map((e) => `${e.role} ${e.from_version ?? "-"}>${e.to_version ?? "-"} ${e.reason}`);
    expect(history.slice(-3)).toEqual(["primary 2>3 alias-moved", "primary 3>2 rollback", "primary 2>1 rollback"]);
  });

  it("refuses a rollback whose other rules are unmet: only approvals can be skipped", async () => {
    await ada.serving.setCanary({ name: "churn-live", version: "2", weight: 0.1 });
    await ada.serving.promote("churn-live");
    await ada.governance.setRule({ name: "churn", target: "alias:champion", requiredApprovals: 1, requiredTags: { validated: "true" } });
    const refused = await call("POST", "cairn/deployments/rollback", { name: "churn-live" });
    expect(refused).toEqual({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: refusal("1", "alias:champion", "required tag validated = true is missing") },
    });
    expect(await ada.serving.getDeployment("churn-live")).toMatchObject({ primary_version: "2", alias_version: "2", state: "serving" });
    await ada.governance.setRule({ name: "churn", target: "alias:champion", requiredApprovals: 1 });
  });

  it("governs a pinned deployment by the rules of deployment:<name>: create, promote and rollback", async () => {
    await ada.governance.setRule({ name: "churn", target: "deployment:churn-pinned", requiredApprovals: 1 });
    const create = await call("POST", "cairn/deployments/create", { name: "churn-pinned", model_uri: "models:/churn/1" });
    expect(create).toEqual({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: refusal("1", "deployment:churn-pinned", "1 approval needed, 0 given") } });
    expect((await ada.serving.listDeployments()).map((d) => d.name)).toEqual(["churn-live"]);

    await bob.governance.approve("churn", 1, "deployment:churn-pinned");
    await ada.serving.createDeployment({ name: "churn-pinned", modelUri: "models:/churn/1" });
    await ada.serving.setShadow({ name: "churn-pinned", version: "3", share: 1 });
    const refused = await apiErrorOf(ada.serving.promote("churn-pinned"));
    expect(refused.message).toBe(refusal("3", "deployment:churn-pinned", "1 approval needed, 0 given"));
    const event = (await ada.audit.listEvents({ action: "registry.promotion.refuse", maxResults: 100 })).items.at(-1);
    expect(event).toMatchObject({ entity_id: "churn/3", after: { target: "deployment:churn-pinned", unmet: ["1 approval needed, 0 given"], reason: "promote" } });
    await expect
      .poll(() => delivered().filter((d) => d.type === "promotion.refused" && d.payload.target === "deployment:churn-pinned").map((d) => d.payload))
      .toEqual([
        { name: "churn", version: "1", target: "deployment:churn-pinned", deployment: "churn-pinned", current_version: null, unmet: ["1 approval needed, 0 given"] },
        { name: "churn", version: "3", target: "deployment:churn-pinned", deployment: "churn-pinned", current_version: "1", unmet: ["1 approval needed, 0 given"] },
      ]);

    await bob.governance.approve("churn", 3, "deployment:churn-pinned");
    expect(await ada.serving.promote("churn-pinned")).toMatchObject({ primary_version: "3", serving_versions: ["3"], state: "serving" });
    // Through the SDK this time: the evidence comes back on the deployment it answers.
    const rolled = await ada.serving.rollback("churn-pinned");
    expect(rolled).toMatchObject({ primary_version: "1", serving_versions: ["1"], state: "serving" });
    expect(rolled.approvals_skipped).toMatch(/^approvals skipped: version 1 passed deployment:churn-pinned at /);

    // The check API knows the new target too.
    expect(await ada.governance.checkPromotion("churn", 2, "deployment:churn-pinned")).toEqual({ allowed: false, unmet: ["1 approval needed, 0 given"] });
  });

  it("keeps the alias and the served version in agreement across a restart over the same database", async () => {
    await server.close();
    await start();
    const live = await ada.serving.getDeployment("churn-live");
    expect(live).toMatchObject({ primary_version: "2", alias_version: "2", serving_versions: ["2"], state: "serving" });
    expect(await aliasVersion()).toBe("2");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('cairn_deployment_degraded{deployment="churn-live"} 0');
    expect(metrics).toContain('cairn_deployment_serving_info{deployment="churn-live",serving_version="2",alias_version="2"} 1');
    expect(metrics).toContain('cairn_deployment_degraded{deployment="churn-pinned"} 0');
    // Agreement all along: no degraded alert was ever sent.
    expect(delivered().filter((d) => d.type === "deployment.degraded")).toEqual([]);
  });
});
