import { afterEach, describe, expect, it } from "vitest";
import type { DeploymentService } from "../src/serving/deployments/deployment-service.js";
import { logisticRegressionModel } from "../src/serving/test-support/onnx-models.js";
import { ctx, DeploymentsKit } from "./deployments-kit.js";

/**
 * Two server replicas on one database: replica A hears the registry's events and takes the API calls; replica B
 * only syncs with the store and the registry. After each sync, B routes exactly as A does, without writing any
 * history or audit entry of its own.
 */
let kit: DeploymentsKit;
let replica: DeploymentService | undefined;
afterEach(async () => {
  await replica?.stop();
  await kit?.close();
});

const routing = (service: DeploymentService, name: string) => {
  const state = service.get(name)?.routing;
  return state === undefined
    ? undefined
    : {
        primary: state.primary.version,
        canary: state.canary ? `${state.canary.slot.version}@${state.canary.weight}` : undefined,
        shadow: state.shadow ? `${state.shadow.slot.version}@${state.shadow.share}` : undefined,
      };
};

describe("deployments across replicas", () => {
  it("follows creates, alias moves, canaries, promotions and deletes made through another replica", async () => {
    kit = await DeploymentsKit.open({ syncIntervalMs: 0 });
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const v2 = await kit.register("churn", logisticRegressionModel(2));
    const v3 = await kit.register("churn", logisticRegressionModel(3));
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);

    replica = kit.newService();
    await replica.start();
    await replica.loaded();
    expect(routing(replica, "churn-prod")).toEqual({ primary: v1, canary: undefined, shadow: undefined });
    const writesBefore = kit.actions().length;
    const historyBefore = (await kit.service.history("churn-prod")).length;

    // The alias moves; only replica A hears the event.
    await kit.registry.setAlias("churn", "champion", v2, ctx);
    await kit.service.settled();
    expect(routing(replica, "churn-prod")?.primary).toBe(v1);
    await replica.sync();
    expect(routing(replica, "churn-prod")).toEqual(routing(kit.service, "churn-prod"));
    expect(routing(replica, "churn-prod")?.primary).toBe(v2);

    await kit.service.setCanary("churn-prod", { version: v3 }, 0.25, true, ctx);
    await replica.sync();
    expect(routing(replica, "churn-prod")).toEqual({ primary: v2, canary: `${v3}@0.25`, shadow: undefined });

    await kit.service.promote("churn-prod", ctx);
    await replica.sync();
    expect(routing(replica, "churn-prod")).toEqual(routing(kit.service, "churn-prod"));
    expect(routing(replica, "churn-prod")?.primary).toBe(v3);

    // Only replica A's own writes were recorded: the replica's syncs wrote no audit event and no history.
    expect(kit.actions().slice(writesBefore)).toEqual(["serving.deployment.switch", "serving.deployment.canary", "serving.deployment.promote"]);
    const history = (await kit.service.history("churn-prod")).slice(historyBefore);
    expect(history.map((entry) => `${entry.role} ${entry.from ?? "-"}>${entry.to ?? "-"} ${entry.reason}`)).toEqual([
      `primary ${v1}>${v2} alias-moved`,
      `canary ->${v3} canary`,
      `primary ${v2}>${v3} promote`,
      `canary ${v3}>- promote`,
    ]);

    await kit.service.delete("churn-prod", ctx);
    await replica.sync();
    expect(replica.get("churn-prod")).toBeUndefined();
    expect(kit.errors).toEqual([]);
  }, 60_000);

  it("syncs by itself on the interval after start()", async () => {
    kit = await DeploymentsKit.open({ syncIntervalMs: 0 });
    const v1 = await kit.register("fraud", logisticRegressionModel(4));
    await kit.registry.setAlias("fraud", "champion", v1, ctx);
    replica = kit.newService({ syncIntervalMs: 50 });
    await replica.start();
    await replica.loaded();
    await kit.service.create("fraud-prod", "models:/fraud@champion", {}, ctx);
    for (let i = 0; i < 100 && replica.get("fraud-prod") === undefined; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(routing(replica, "fraud-prod")?.primary).toBe(v1);
  }, 30_000);
});
