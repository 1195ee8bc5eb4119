import { afterEach, describe, expect, it } from "vitest";
import type { DomainEvent } from "../src/core/events.js";
import { loadModel } from "../src/serving/model/load-model.js";
import type { DeploymentService } from "../src/serving/deployments/deployment-service.js";
import { ServingMetrics } from "../src/serving/metrics/serving-metrics.js";
import { logisticRegressionModel } from "../src/serving/test-support/onnx-models.js";
import { ctx, DeploymentsKit } from "./deployments-kit.js";

/**
 * What a deployment serves and what its alias names never differ silently: a failed load after an alias move makes
 * the deployment degraded (API verdict, gauge, one deployment.degraded event), a retried load on the sync heals it
 * (deployment.recovered), and a restart or another replica reports the same.
 */
let kit: DeploymentsKit;
let replica: DeploymentService | undefined;
afterEach(async () => {
  await replica?.stop();
  replica = undefined;
  await kit?.close();
});

interface Watch {
  events: DomainEvent[];
  metrics: ServingMetrics;
  /** Loads fail while on (of one version when `only` is set): the files are fine, the failure is transient. */
  failing: { on: boolean; only?: string };
}

/** Opens this test's kit (the module's `kit`, closed after each test) with loads that fail on demand, and its watch. */
const watched = async (): Promise<Watch> => {
  const watch: Watch = { events: [], metrics: new ServingMetrics({ processMetrics: false }), failing: { on: false } };
  kit = await DeploymentsKit.open({
    syncIntervalMs: 0,
    events: { publish: async (event) => void watch.events.push(event) },
    onHealth: (deployment, health) => watch.metrics.deploymentHealth(deployment, health),
    loadModel: async (file, options) => {
      const { on, only } = watch.failing;
      if (on && (only === undefined || file.includes(`/churn/${only}-`))) throw new Error("disk full while unpacking the model");
      return loadModel(file, options);
    },
  });
  return watch;
};

/** Versions 1 and 2 of churn, @champion naming version 1, and deployment prod following it. */
const prodFollowingChampion = async (): Promise<{ v1: string; v2: string }> => {
  const v1 = await kit.register("churn", logisticRegressionModel(1));
  const v2 = await kit.register("churn", logisticRegressionModel(2));
  await kit.registry.setAlias("churn", "champion", v1, ctx);
  await kit.service.create("prod", "models:/churn@champion", {}, ctx);
  return { v1, v2 };
};

const gauge = async (metrics: ServingMetrics, name: string): Promise<string | undefined> =>
  (await metrics.registry.metrics()).split("\n").find((line) => line.startsWith(`cairn_deployment_degraded{deployment="${name}"}`));

const kinds = (events: DomainEvent[]): string[] => events.map((e) => `${e.type} ${String(e.payload.deployment)}`);

describe("deployment health", () => {
  it("reports degraded once when the alias names a version that failed to load, retries on sync, and recovers", async () => {
    const watch = await watched();
    const { v1, v2 } = await prodFollowingChampion();
    expect(kit.service.healthOf("prod")).toEqual({ state: "serving", servedVersion: v1, aliasVersion: v1 });
    expect(await gauge(watch.metrics, "prod")).toBe('cairn_deployment_degraded{deployment="prod"} 0');

    watch.failing.on = true;
    await kit.registry.setAlias("churn", "champion", v2, ctx);
    await kit.service.settled();
    const degraded = kit.service.healthOf("prod");
    expect(degraded).toMatchObject({ state: "degraded", servedVersion: v1, aliasVersion: v2 });
    expect(degraded?.reason).toBe(
      `models:/churn@champion names version ${v2} but version ${v1} serves. Last error: Version ${v2} of model 'churn' could not be loaded for deployment 'prod' (alias-moved); the previous routing keeps serving: disk full while unpacking the model`,
    );
    expect(kit.service.get("prod")?.versions()).toEqual([v1]);
    expect(await gauge(watch.metrics, "prod")).toBe('cairn_deployment_degraded{deployment="prod"} 1');
    expect(kinds(watch.events)).toEqual(["deployment.degraded prod"]);
    expect(watch.events[0]?.payload).toEqual({
      deployment: "prod",
      model_name: "churn",
      model_uri: "models:/churn@champion",
      serving_version: v1,
      alias_version: v2,
      reason: degraded?.reason,
    });

    // The sync retries the load; while it keeps failing, nothing new fires.
    await kit.service.sync();
    await kit.service.sync();
    expect(kit.service.healthOf("prod")?.state).toBe("degraded");
    expect(kinds(watch.events)).toEqual(["deployment.degraded prod"]);

    // A restart (version 2 still failing to load) reports the same state, and finds it recorded: no second alert.
    watch.failing.only = v2;
    await kit.restart();
    expect(kit.service.get("prod")?.versions()).toEqual([v1]);
    expect(kit.service.healthOf("prod")).toMatchObject({ state: "degraded", servedVersion: v1, aliasVersion: v2 });
    expect(await gauge(watch.metrics, "prod")).toBe('cairn_deployment_degraded{deployment="prod"} 1');
    expect(kinds(watch.events)).toEqual(["deployment.degraded prod"]);

    watch.failing.on = false;
    await kit.service.sync();
    expect(kit.service.get("prod")?.versions()).toEqual([v2]);
    expect(kit.service.healthOf("prod")).toEqual({ state: "serving", servedVersion: v2, aliasVersion: v2 });
    expect(kinds(watch.events)).toEqual(["deployment.degraded prod", "deployment.recovered prod"]);
    expect(await gauge(watch.metrics, "prod")).toBe('cairn_deployment_degraded{deployment="prod"} 0');
    const last = (await kit.service.history("prod")).at(-1);
    expect(last).toMatchObject({ role: "primary", from: v1, to: v2, reason: "alias-moved" });
  });

  it("reports after a restart that nothing could be loaded, and recovers on the sync that loads it", async () => {
    const watch = await watched();
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    await kit.service.create("pinned", `models:/churn/${v1}`, {}, ctx);
    expect(kit.service.healthOf("pinned")).toEqual({ state: "serving", servedVersion: v1 });

    await kit.service.stop();
    watch.failing.on = true;
    kit.service = kit.newService();
    await kit.service.start();
    await kit.service.loaded();
    expect(kit.service.get("pinned")).toBeUndefined();
    expect(kit.service.healthOf("pinned")).toEqual({
      state: "degraded",
      reason: `No version serves: version ${v1} is not loaded. Last error: Version ${v1} of model 'churn' could not be loaded for deployment 'pinned' (load); the previous routing keeps serving: disk full while unpacking the model`,
    });
    expect(await gauge(watch.metrics, "pinned")).toBe('cairn_deployment_degraded{deployment="pinned"} 1');
    expect(kinds(watch.events)).toEqual(["deployment.degraded pinned"]);

    await kit.service.sync();
    expect(kinds(watch.events)).toEqual(["deployment.degraded pinned"]);
    watch.failing.on = false;
    await kit.service.sync();
    expect(kit.service.get("pinned")?.versions()).toEqual([v1]);
    expect(kinds(watch.events)).toEqual(["deployment.degraded pinned", "deployment.recovered pinned"]);
    expect(await gauge(watch.metrics, "pinned")).toBe('cairn_deployment_degraded{deployment="pinned"} 0');
  });

  it("answers a promote whose switch fails to load with that error; the alias has moved, the deployment says degraded", async () => {
    const watch = await watched();
    const { v1, v2 } = await prodFollowingChampion();
    await kit.service.setCanary("prod", { version: v2 }, 0.5, true, ctx);
    // Restarted while version 2 cannot load: the primary serves alone, so the promote has to load version 2.
    watch.failing.on = true;
    watch.failing.only = v2;
    await kit.restart();
    expect(kit.service.get("prod")?.versions()).toEqual([v1]);
    await expect(kit.service.promote("prod", ctx)).rejects.toThrow(
      `Version ${v2} of model 'churn' could not be loaded for deployment 'prod' (promote); the previous routing keeps serving: disk full while unpacking the model`,
    );
    expect((await kit.registry.getModelVersionByAlias("churn", "champion")).version).toBe(v2);
    expect(kit.service.healthOf("prod")).toMatchObject({ state: "degraded", servedVersion: v1, aliasVersion: v2 });
    expect(kinds(watch.events)).toEqual(["deployment.degraded prod"]);
    watch.failing.on = false;
    await kit.service.sync();
    expect(kit.service.get("prod")?.versions()).toEqual([v2]);
    expect(kit.service.healthOf("prod")?.state).toBe("serving");
  });

  it("agrees with the alias on another replica after promote and rollback, which sees them only through its sync", async () => {
    const watch = await watched();
    const { v1, v2 } = await prodFollowingChampion();
    // Both replicas announce to the same receiver: a verdict both reach is announced once.
    replica = kit.newService({ onHealth: () => undefined });
    await replica.start();
    await replica.loaded();

    await kit.service.setCanary("prod", { version: v2 }, 0.5, true, ctx);
    await kit.service.promote("prod", ctx);
    await replica.sync();
    expect(replica.get("prod")?.versions()).toEqual([v2]);
    expect(replica.healthOf("prod")).toEqual({ state: "serving", servedVersion: v2, aliasVersion: v2 });

    await kit.service.rollback("prod", ctx);
    expect((await kit.registry.getModelVersionByAlias("churn", "champion")).version).toBe(v1);
    await replica.sync();
    expect(replica.get("prod")?.versions()).toEqual([v1]);
    expect(replica.healthOf("prod")).toEqual({ state: "serving", servedVersion: v1, aliasVersion: v1 });

    // The alias is deleted: both say so instead of serving on silently.
    await kit.registry.deleteAlias("churn", "champion", ctx);
    await replica.sync();
    expect(replica.healthOf("prod")).toEqual({
      state: "degraded",
      servedVersion: v1,
      aliasVersion: null,
      reason: `models:/churn@champion names no version any more; version ${v1} keeps serving.`,
    });
    await kit.service.sync();
    expect(kit.service.healthOf("prod")?.state).toBe("degraded");
    expect(kinds(watch.events)).toEqual(["deployment.degraded prod"]);
  });
});
