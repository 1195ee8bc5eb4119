import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { noAudit } from "../src/audit/recorder.js";
import { noEvents } from "../src/core/events.js";
import { governanceRoutes } from "../src/registry/governance-routes.js";
import { LineageService } from "../src/registry/lineage/lineage-service.js";
import { ModelCardService } from "../src/registry/model-cards/model-card-service.js";
import { PromotionService } from "../src/registry/promotion/promotion-service.js";
import { registryRoutes } from "../src/registry/routes.js";
import { RegistryService } from "../src/registry/service.js";
import { buildApp } from "../src/server/app.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteGovernanceStore } from "../src/stores/sqlite/sqlite-governance-store.js";
import { SqliteRegistryStore } from "../src/stores/sqlite/sqlite-registry-store.js";
import { SqliteTrackingStore } from "../src/stores/sqlite/sqlite-tracking-store.js";
import { trackingEndpoints } from "../src/tracking/routes.js";
import { TrackingService } from "../src/tracking/service.js";

/** The registry service with the real promotion rules as its gate and the governance store following its writes. */
describe("governance with the registry: promotion rules gate aliases and stages", () => {
  let folder: string;
  let db: Database;
  let app: FastifyInstance;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "cairn-governance-gate-"));
    db = openDatabase(join(folder, "cairn.db"));
    const trackingStore = new SqliteTrackingStore(db);
    trackingStore.ensureDefaultExperiment("mlflow-artifacts:/0", 1);
    const registryStore = new SqliteRegistryStore(db);
    const governance = new SqliteGovernanceStore(db);
    const promotion = new PromotionService(governance, registryStore, trackingStore);
    const registry = new RegistryService(registryStore, {
      tracking: trackingStore,
      audit: noAudit,
      events: noEvents,
      promotion,
      followers: [governance],
    });
    app = await buildApp({
      version: "test",
      domains: [
        { endpoints: trackingEndpoints(new TrackingService(trackingStore, { defaultArtifactRoot: "mlflow-artifacts:" })) },
        {
          endpoints: registryRoutes(registry),
          cairnEndpoints: governanceRoutes(
            promotion,
            new LineageService(registryStore, trackingStore),
            new ModelCardService(governance, registryStore, trackingStore),
          ),
        },
      ],
    });
  });
  afterEach(async () => {
    await app.close();
    db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const call = async (method: "GET" | "POST" | "DELETE", path: string, payload: Record<string, unknown>, user = "ada") => {
    const response =
      method === "GET"
        ? await app.inject({ method, url: `/api/2.0/${path}`, query: payload as Record<string, string>, headers: { "x-cairn-user": user } })
        : await app.inject({
            method,
            url: `/api/2.0/${path}`,
            payload: JSON.stringify(payload),
            headers: { "content-type": "application/json", "x-cairn-user": user },
          });
    return { status: response.statusCode, body: JSON.parse(response.body) };
  };

  it("refuses the alias and the stage while rules are unmet, allows them once met, and follows renames and deletes", async () => {
    const run = (await call("POST", "mlflow/runs/create", { experiment_id: "0" })).body.run.info.run_id as string;
    await call("POST", "mlflow/runs/log-metric", { run_id: run, key: "accuracy", value: 0.85, timestamp: 1, step: 0 });
    expect((await call("POST", "mlflow/registered-models/create", { name: "churn" })).status).toBe(200);
    const created = await call("POST", "mlflow/model-versions/create", { name: "churn", source: `runs:/${run}/model`, run_id: run });
    expect(created.body.model_version.version).toBe("1");
    const rule = { name: "churn", target: "alias:champion", metric_thresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }], required_approvals: 1 };
    expect((await call("POST", "cairn/registered-models/promotion-rules/set", rule)).status).toBe(200);
    await call("POST", "cairn/registered-models/promotion-rules/set", { name: "churn", target: "stage:Production", required_approvals: 2 });

    expect(await call("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "1" })).toEqual({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        message:
          "Promotion of model 'churn' version 1 to alias:champion refused: metrics.accuracy >= 0.9 not met (run value 0.85); " +
          "1 approval needed, 0 given.",
      },
    });
    expect((await call("POST", "mlflow/registered-models/alias", { name: "churn", alias: "challenger", version: "1" })).status).toBe(200);

    await call("POST", "mlflow/runs/log-metric", { run_id: run, key: "accuracy", value: 0.93, timestamp: 2, step: 1 });
    await call("POST", "cairn/model-versions/approve", { name: "churn", version: "1", target: "alias:champion" }, "bob");
    expect((await call("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "1" })).status).toBe(200);

    const transition = await call("POST", "mlflow/model-versions/transition-stage", { name: "churn", version: "1", stage: "production" });
    expect(transition.status).toBe(400);
    expect(transition.body.message).toBe("Promotion of model 'churn' version 1 to stage:Production refused: 2 approvals needed, 0 given.");

    await call("POST", "cairn/model-versions/card/set", { name: "churn", version: "1", intended_use: "retention" });
    expect((await call("POST", "mlflow/registered-models/rename", { name: "churn", new_name: "attrition" })).status).toBe(200);
    const rules = await call("GET", "cairn/registered-models/promotion-rules/list", { name: "attrition" });
    expect(rules.body.rules.map((found: { name: string; target: string }) => [found.name, found.target])).toEqual([
      ["attrition", "alias:champion"],
      ["attrition", "stage:Production"],
    ]);
    expect((await call("GET", "cairn/model-versions/approvals", { name: "attrition", version: "1" })).body.approvals).toHaveLength(1);
    expect((await call("GET", "cairn/model-versions/card", { name: "attrition", version: "1" })).body.card.intended_use).toBe("retention");

    expect((await call("DELETE", "mlflow/model-versions/delete", { name: "attrition", version: "1" })).status).toBe(200);
    expect(db.prepare("SELECT count(*) AS n FROM model_cards").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM promotion_approvals").get()).toEqual({ n: 0 });
    expect((await call("DELETE", "mlflow/registered-models/delete", { name: "attrition" })).status).toBe(200);
    expect(db.prepare("SELECT count(*) AS n FROM promotion_rules").get()).toEqual({ n: 0 });
  });
});
