import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { CairnClient } from "./client.js";
import { CairnApiError } from "./errors.js";
import { collect } from "./paging.js";
import { verifyWebhookSignature } from "./webhook-signature.js";

/** The registry, governance, audit and webhooks clients against a real server on loopback. */
let server: TempServer;
let ada: CairnClient;
let bob: CairnClient;
let runId: string;

beforeAll(async () => {
  server = await startTempServer("cairn-sdk-registry-");
  const retry = { retries: 1, minDelayMs: 10, maxDelayMs: 20 };
  ada = new CairnClient({ trackingUri: server.url, retry, user: "ada" });
  bob = new CairnClient({ trackingUri: server.url, retry, user: "bob" });
  const experimentId = await ada.experiments.create({ name: "registry-sdk" });
  const run = await ada.runs.create({ experimentId, runName: "train" });
  runId = run.info.run_id;
  await ada.runs.logMetric(runId, "accuracy", 0.85, { step: 0 });
});

afterAll(async () => {
  await server?.close();
});

const apiError = async (promise: Promise<unknown>): Promise<CairnApiError> => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CairnApiError);
  return error as CairnApiError;
};

describe("RegistryApi against a real server", () => {
  it("creates, reads, searches, tags, aliases, transitions, renames and deletes", async () => {
    const model = await ada.registry.createModel({ name: "sdk-churn", tags: { team: "risk" }, description: "first" });
    expect(model).toMatchObject({ name: "sdk-churn", description: "first", tags: [{ key: "team", value: "risk" }], aliases: [], latest_versions: [] });
    const v1 = await ada.registry.createVersion({ name: "sdk-churn", source: `runs:/${runId}/model`, runId, description: "v1" });
    const v2 = await ada.registry.createVersion({ name: "sdk-churn", source: `runs:/${runId}/model`, runId, tags: { k: "v" } });
    expect([v1.version, v2.version]).toEqual(["1", "2"]);
    expect(v1).toMatchObject({ name: "sdk-churn", status: "READY", current_stage: "None", run_id: runId, tags: [], aliases: [] });
    expect(v2.tags).toEqual([{ key: "k", value: "v" }]);

    await ada.registry.setAlias("sdk-churn", "champion", 1);
    expect((await ada.registry.getVersionByAlias("sdk-churn", "champion")).version).toBe("1");
    expect((await ada.registry.getModel("sdk-churn")).aliases).toEqual([{ alias: "champion", version: "1" }]);
    const staged = await ada.registry.transitionStage("sdk-churn", 2, "Production", true);
    expect(staged.current_stage).toBe("Production");
    expect((await ada.registry.getLatestVersions("sdk-churn", ["Production"])).map((v) => v.version)).toEqual(["2"]);
    expect(await ada.registry.getDownloadUri("sdk-churn", 1)).toMatch(new RegExp(`^mlflow-artifacts:/.*${runId}/artifacts/model$`));

    await ada.registry.setVersionTag("sdk-churn", 1, "validation_status", "passed");
    expect((await ada.registry.getVersion("sdk-churn", "1")).tags).toEqual([{ key: "validation_status", value: "passed" }]);
    await ada.registry.deleteVersionTag("sdk-churn", 1, "validation_status");
    await ada.registry.setModelTag("sdk-churn", "owner", "ada");
    await ada.registry.deleteModelTag("sdk-churn", "team");
    expect((await ada.registry.updateVersion("sdk-churn", 1, "updated")).description).toBe("updated");
    expect((await ada.registry.updateModel("sdk-churn", "second")).description).toBe("second");
    expect((await ada.registry.getModel("sdk-churn")).tags).toEqual([{ key: "owner", value: "ada" }]);

    const versions = await collect(ada.registry.searchVersionsAll({ filter: "name = 'sdk-churn'", maxResults: 1 }));
    expect(versions.map((v) => v.version).sort()).toEqual(["1", "2"]);
    const models = await collect(ada.registry.searchModelsAll({ filter: "name LIKE 'sdk-%'" }));
    expect(models.map((m) => m.name)).toEqual(["sdk-churn"]);

    const renamed = await ada.registry.renameModel("sdk-churn", "sdk-churn-2");
    expect(renamed.name).toBe("sdk-churn-2");
    await ada.registry.deleteAlias("sdk-churn-2", "champion");
    await ada.registry.deleteVersion("sdk-churn-2", 2);
    expect((await apiError(ada.registry.getVersion("sdk-churn-2", 2))).errorCode).toBe("RESOURCE_DOES_NOT_EXIST");
    await ada.registry.deleteModel("sdk-churn-2");
    const missing = await apiError(ada.registry.getModel("sdk-churn-2"));
    expect(missing).toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("refuses a source outside the artifact store", async () => {
    await ada.registry.createModel({ name: "sdk-unsafe" });
    for (const source of ["/etc/passwd", "file:///etc", `runs:/${runId}/../../x`]) {
      expect((await apiError(ada.registry.createVersion({ name: "sdk-unsafe", source }))).errorCode).toBe("INVALID_PARAMETER_VALUE");
    }
  });
});

describe("governance, audit and alias history against a real server", () => {
  it("refuses an alias until the rule is met, records approvals by distinct people, and keeps the history", async () => {
    await ada.registry.createModel({ name: "gov" });
    const version = await ada.registry.createVersion({ name: "gov", source: `runs:/${runId}/model`, runId });
    const rule = await ada.governance.setRule({
      name: "gov",
      target: "alias:champion",
      requiredTags: { validation_status: "passed" },
      metricThresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }],
      requiredApprovals: 2,
    });
    expect(rule).toMatchObject({
      name: "gov",
      target: "alias:champion",
      required_tags: [{ key: "validation_status", value: "passed" }],
      metric_thresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }],
      required_approvals: 2,
      updated_by: { name: "ada", verified: false },
    });
    expect((await ada.governance.listRules("gov")).map((r) => r.target)).toEqual(["alias:champion"]);

    const check = await ada.governance.checkPromotion("gov", version.version, "alias:champion");
    expect(check.allowed).toBe(false);
    expect(check.unmet).toHaveLength(3);
    const refused = await apiError(ada.registry.setAlias("gov", "champion", version.version));
    expect(refused.status).toBe(400);
    expect(refused.errorCode).toBe("INVALID_PARAMETER_VALUE");
    expect(refused.message).toContain("Promotion of model 'gov' version 1 to alias:champion refused");
    expect(refused.message).toContain("accuracy");

    await ada.registry.setVersionTag("gov", version.version, "validation_status", "passed");
    await ada.runs.logMetric(runId, "accuracy", 0.95, { step: 1 });
    const approval = await ada.governance.approve("gov", version.version, "alias:champion", "looks good");
    expect(approval).toMatchObject({ name: "gov", version: "1", target: "alias:champion", actor: { name: "ada", verified: false }, comment: "looks good" });
    await bob.governance.approve("gov", version.version, "alias:champion");
    expect((await ada.governance.listApprovals("gov", 1)).map((a) => a.actor.name).sort()).toEqual(["ada", "bob"]);
    const anonymous = new CairnClient({ trackingUri: server.url, retry: { retries: 0 } });
    expect((await apiError(anonymous.governance.approve("gov", 1, "alias:champion"))).status).toBe(403);
    expect(await ada.governance.checkPromotion("gov", 1, "alias:champion")).toEqual({ allowed: true, unmet: [] });
    await bob.registry.setAlias("gov", "champion", 1);
    await ada.registry.deleteAlias("gov", "champion");

    const history = await ada.audit.aliasHistory("gov", "champion");
    expect(history.map((c) => [c.alias, c.from_version, c.to_version, c.actor.name])).toEqual([
      ["champion", null, "1", "bob"],
      ["champion", "1", null, "ada"],
    ]);

    const events = await collect(ada.audit.listEventsAll({ action: "governance.*" }));
    expect(events.map((e) => e.action)).toEqual(["governance.promotion_rule.set", "governance.approval.create", "governance.approval.create"]);
    const refusals = await collect(ada.audit.listEventsAll({ action: "registry.promotion.refuse", entityType: "model_version", entityId: "gov/1" }));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.actor).toEqual({ name: "ada", verified: false });
    const verification = await ada.audit.verify();
    expect(verification.ok).toBe(true);
    expect(verification.problems).toEqual([]);
    expect(verification.checked).toBeGreaterThan(10);

    await ada.governance.deleteRule("gov", "alias:champion");
    expect(await ada.governance.listRules("gov")).toEqual([]);
  });

  it("reads the lineage graph and writes and renders a model card", async () => {
    await ada.registry.createModel({ name: "lineage" });
    await ada.registry.createVersion({ name: "lineage", source: `runs:/${runId}/model`, runId });
    const graph = await ada.governance.lineage("lineage", 1);
    expect(graph.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(["model_version:lineage/1", `run:${runId}`]));
    expect(graph.edges).toContainEqual({ from: `run:${runId}`, to: "model_version:lineage/1", relation: "produced" });

    const card = await ada.governance.setCard("lineage", 1, { intended_use: "tests <only>", owners: ["ada"] });
    expect(card).toMatchObject({ name: "lineage", version: "1", intended_use: "tests <only>", owners: ["ada"] });
    const json = await ada.governance.getCard("lineage", 1);
    expect(json.evaluation_metrics?.find((m) => m.key === "accuracy")?.value).toBeTypeOf("number");
    // Markdown escapes user text so that it stays text.
    const markdown = await ada.governance.renderCard("lineage", 1, "markdown");
    expect(markdown).toMatch(/^# Model card: lineage version 1\n/);
    expect(markdown).toContain("tests \\<only>");
    const html = await ada.governance.renderCard("lineage", 1, "html");
    expect(html).toContain("tests &lt;only&gt;");
    expect(html).not.toContain("tests <only>");
  });
});

describe("WebhooksApi against a real server", () => {
  it("delivers a signed alias.set event that verifyWebhookSignature accepts, and logs the delivery", async () => {
    const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
    const receiver: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const { webhook, secret } = await ada.webhooks.create({ name: "ci", url, events: ["alias.set"] });
      expect(webhook).toMatchObject({ name: "ci", url, events: ["alias.set"], active: true });
      expect(secret.length).toBeGreaterThanOrEqual(16);
      expect((await ada.webhooks.list()).map((w) => w.id)).toContain(webhook.id);
      expect((await ada.webhooks.get(webhook.id)).name).toBe("ci");

      await ada.registry.createModel({ name: "hooked" });
      await ada.registry.createVersion({ name: "hooked", source: `runs:/${runId}/model`, runId });
      await ada.registry.setAlias("hooked", "staging", 1);
      const deadline = Date.now() + 10_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received).toHaveLength(1);
      const [delivery] = received;
      const headers = delivery?.headers ?? {};
      expect(headers["x-cairn-event"]).toBe("alias.set");
      expect(verifyWebhookSignature(secret, String(headers["x-cairn-timestamp"]), delivery?.body ?? "", String(headers["x-cairn-signature"]))).toBe(true);
      expect(verifyWebhookSignature("wrong-secret-0123456789", String(headers["x-cairn-timestamp"]), delivery?.body ?? "", String(headers["x-cairn-signature"]))).toBe(false);
      const event = JSON.parse(delivery?.body.toString("utf8") ?? "{}") as { type: string; actor: unknown; payload: Record<string, unknown> };
      expect(event).toMatchObject({ type: "alias.set", actor: { name: "ada", verified: false }, payload: { name: "hooked", alias: "staging", version: "1" } });

      let logged = await collect(ada.webhooks.deliveriesAll({ webhookId: webhook.id }));
      for (let i = 0; i < 100 && logged[0]?.status !== "delivered"; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        logged = await collect(ada.webhooks.deliveriesAll({ webhookId: webhook.id }));
      }
      expect(logged.map((d) => [d.event_type, d.status, d.attempts, d.last_status_code])).toEqual([["alias.set", "delivered", 1, 204]]);

      expect((await ada.webhooks.update({ id: webhook.id, active: false })).active).toBe(false);
      await ada.webhooks.delete(webhook.id);
      expect((await apiError(ada.webhooks.get(webhook.id))).errorCode).toBe("RESOURCE_DOES_NOT_EXIST");
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
