import { afterEach, describe, expect, it } from "vitest";
import { SqliteRegistryStore } from "../src/stores/sqlite/sqlite-registry-store.js";
import { SqliteTrackingStore } from "../src/stores/sqlite/sqlite-tracking-store.js";
import { LineageService } from "../src/registry/lineage/lineage-service.js";
import { buildApp } from "../src/server/app.js";
import { DeploymentLineage } from "../src/serving/deployments/deployment-lineage.js";
import { deploymentRoutes } from "../src/serving/deployments/routes.js";
import { logisticRegressionModel } from "../src/serving/test-support/onnx-models.js";
import { ctx, DeploymentsKit } from "./deployments-kit.js";

let kit: DeploymentsKit;
afterEach(async () => kit?.close());

describe("deployments API", () => {
  it("creates, lists, splits, promotes, rolls back, reports history and errors over HTTP", async () => {
    kit = await DeploymentsKit.open();
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const v2 = await kit.register("churn", logisticRegressionModel(7));
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    const app = await buildApp({ version: "test", domains: [{ cairnEndpoints: deploymentRoutes(kit.service) }] });
    const call = async (method: "GET" | "POST", path: string, payload: Record<string, unknown>) => {
      const response =
        method === "GET"
          ? await app.inject({ method, url: `/api/2.0/cairn/deployments/${path}`, query: payload as Record<string, string>, headers: { "x-cairn-user": "ada" } })
          : await app.inject({ method, url: `/api/2.0/cairn/deployments/${path}`, payload, headers: { "x-cairn-user": "ada" } });
      return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, any> };
    };
    try {
      const created = await call("POST", "create", { name: "prod", model_uri: "models:/churn@champion", max_batch_size: 16, max_latency_ms: 2, prediction_log_sample_rate: 0.1 });
      expect(created.status).toBe(200);
      expect(created.body.deployment).toMatchObject({
        name: "prod",
        model_uri: "models:/churn@champion",
        model_name: "churn",
        primary_version: v1,
        followed_version: v1,
        max_batch_size: 16,
        max_latency_ms: 2,
        prediction_log_sample_rate: 0.1,
        serving_versions: [v1],
        ready: true,
      });
      expect((await call("GET", "list", {})).body.deployments.map((d: { name: string }) => d.name)).toEqual(["prod"]);
      const canary = await call("POST", "canary", { name: "prod", version: Number(v2), weight: 0.25 });
      expect(canary.body.deployment).toMatchObject({ canary: { version: v2, weight: 0.25, sticky: true }, serving_versions: [v1, v2] });
      expect((await call("POST", "promote", { name: "prod" })).body.deployment).toMatchObject({ primary_version: v2, serving_versions: [v2] });
      expect((await call("POST", "rollback", { name: "prod" })).body.deployment).toMatchObject({ primary_version: v1 });
      const shadow = await call("POST", "shadow", { name: "prod", model_uri: `models:/churn/${v2}`, share: 0.5 });
      expect(shadow.body.deployment.shadow).toEqual({ version: v2, share: 0.5 });
      const report = await call("GET", "shadow-report", { name: "prod" });
      expect(report.body.report).toMatchObject({ primary_version: v1, candidate_version: v2, mirrored: 0, compared: 0 });
      // This server's live counts are the one part so far (no other replica saved one): no save time yet.
      expect(report.body).toMatchObject({ live: true, replicas: 1, parts: [{ replica: expect.any(String), released: false }] });
      expect(report.body.parts[0]).not.toHaveProperty("updated_timestamp");
      const history = await call("GET", "history", { name: "prod" });
      expect(history.body.history.map((e: Record<string, unknown>) => [e.role, e.from_version, e.to_version, e.reason, e.actor])).toEqual([
        ["primary", null, v1, "create", "ada"],
        ["canary", null, v2, "canary", "ada"],
        ["primary", v1, v2, "promote", "ada"],
        ["canary", v2, null, "promote", "ada"],
        ["primary", v2, v1, "rollback", "ada"],
        ["shadow", null, v2, "shadow", "ada"],
      ]);

      expect(await call("POST", "canary", { name: "prod", weight: 0.5 })).toMatchObject({
        status: 400,
        body: { error_code: "INVALID_PARAMETER_VALUE", message: "Exactly one of 'version' and 'model_uri' must be given to name the candidate version." },
      });
      expect((await call("GET", "get", { name: "missing" })).status).toBe(404);
      expect((await call("POST", "create", { name: "x", model_uri: "runs:/abc/model" })).status).toBe(400);
      expect((await call("POST", "create", { name: "prod", model_uri: "models:/churn/1" })).body.error_code).toBe("RESOURCE_ALREADY_EXISTS");

      // Lineage: the version served by the deployment links to it.
      const lineage = new LineageService(new SqliteRegistryStore(kit.db), new SqliteTrackingStore(kit.db), {
        contributors: [new DeploymentLineage(kit.service)],
      });
      const graph = await lineage.versionLineage("churn", v1);
      expect(graph.edges).toContainEqual({ from: `model_version:churn/${v1}`, to: "deployment:prod", relation: "deployed_as" });
      expect(graph.nodes.find((n) => n.id === "deployment:prod")).toMatchObject({
        type: "deployment",
        label: "prod",
        attributes: { model_uri: "models:/churn@champion", roles: ["primary"] },
      });

      expect((await call("POST", "delete", { name: "prod" })).status).toBe(200);
      expect(kit.service.get("prod")).toBeUndefined();
      expect((await call("GET", "list", {})).body.deployments).toEqual([]);
      // History outlives the deployment: it records what served when.
      expect((await call("GET", "history", { name: "prod" })).body.history.slice(-2)).toMatchObject([
        { role: "primary", from_version: v1, to_version: null, reason: "delete" },
        { role: "shadow", from_version: v2, to_version: null, reason: "delete" },
      ]);
      expect(kit.actions()).toEqual([
        "serving.deployment.create",
        "serving.deployment.canary",
        "serving.deployment.promote",
        "serving.deployment.rollback",
        "serving.deployment.shadow",
        "serving.deployment.delete",
      ]);
      expect(kit.audits.find((a) => a.action === "serving.deployment.create")?.context.actor.name).toBe("ada");
    } finally {
      await app.close();
    }
  });
});
