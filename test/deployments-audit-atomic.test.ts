import { afterEach, describe, expect, it } from "vitest";
import type { AuditRecorder } from "../src/audit/recorder.js";
import { AuditService } from "../src/audit/service.js";
import { logisticRegressionModel } from "../src/serving/test-support/onnx-models.js";
import { SqliteAuditStore } from "../src/stores/sqlite/sqlite-audit-store.js";
import { ctx, DeploymentsKit } from "./deployments-kit.js";

/**
 * A deployment's own writes (create, options update, canary and shadow switches, delete) commit in the same SQLite
 * transaction as their audit event, like the registry's: a crash, or an event that cannot be written, keeps both or
 * neither.
 */
let kit: DeploymentsKit;
afterEach(async () => kit?.close());

const withAudit = async (audit: (store: SqliteAuditStore) => AuditRecorder): Promise<{ store: SqliteAuditStore; audit: AuditRecorder }> => {
  kit = await DeploymentsKit.open();
  const store = new SqliteAuditStore(kit.db);
  const recorder = audit(store);
  kit.service = kit.newService({ audit: recorder });
  await kit.service.start();
  return { store, audit: recorder };
};

describe("deployment writes and their audit events", () => {
  it("commit together, none of them waiting for I/O inside its transaction", async () => {
    const { store } = await withAudit((s) => new AuditService(s));
    const service = new AuditService(store);
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const v2 = await kit.register("churn", logisticRegressionModel(7));
    await kit.service.create("prod", `models:/churn/${v1}`, {}, ctx);
    await kit.service.update("prod", { maxBatchSize: 8 }, ctx);
    await kit.service.setCanary("prod", { version: v2 }, 0.25, false, ctx);
    await kit.service.setShadow("prod", { version: v2 }, 0.5, ctx);
    await kit.service.delete("prod", ctx);

    expect(store.spannedUnits).toBe(0);
    const events = (await service.list({ maxResults: 100 })).items.filter((event) => event.action.startsWith("serving."));
    expect(events.map((event) => event.action)).toEqual([
      "serving.deployment.create",
      "serving.deployment.update",
      "serving.deployment.canary",
      "serving.deployment.shadow",
      "serving.deployment.delete",
    ]);
    expect((await service.verify()).ok).toBe(true);
  });

  it("leave no deployment, and no switch, when the event cannot be written", async () => {
    let refuse = "serving.deployment.create";
    await withAudit((s) => {
      const real = new AuditService(s);
      return {
        record: async (context, entry) => {
          if (entry.action === refuse) throw new Error("audit store unavailable");
          await real.record(context, entry);
        },
        atomically: (work) => real.atomically(work),
      };
    });
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const v2 = await kit.register("churn", logisticRegressionModel(7));
    await expect(kit.service.create("prod", `models:/churn/${v1}`, {}, ctx)).rejects.toThrow("audit store unavailable");
    await expect(kit.service.getDeployment("prod")).rejects.toThrow("Deployment 'prod' does not exist.");
    expect(kit.service.get("prod")).toBeUndefined();

    refuse = "serving.deployment.canary";
    await kit.service.create("prod", `models:/churn/${v1}`, {}, ctx);
    await expect(kit.service.setCanary("prod", { version: v2 }, 0.25, false, ctx)).rejects.toThrow("audit store unavailable");
    expect((await kit.service.getDeployment("prod")).policy).toEqual({ primary: v1 });
    expect((await kit.service.history("prod")).map((entry) => entry.reason)).toEqual(["create"]);
  });
});
