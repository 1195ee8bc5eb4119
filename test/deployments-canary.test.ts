import { afterEach, describe, expect, it } from "vitest";
import { logisticRegressionModel, seededRandom } from "../src/serving/test-support/onnx-models.js";
import { ctx, DeploymentsKit, floats, values } from "./deployments-kit.js";

let kit: DeploymentsKit;
afterEach(async () => kit?.close());

const x = floats([[0.5, -1, 2, 0.25]]);

const setUp = async (): Promise<{ v1: string; v2: string; v3: string }> => {
  kit = await DeploymentsKit.open({ random: seededRandom(42) });
  const v1 = await kit.register("churn", logisticRegressionModel(1));
  const v2 = await kit.register("churn", logisticRegressionModel(7));
  const v3 = await kit.register("churn", logisticRegressionModel(9));
  await kit.service.create("prod", `models:/churn/${v1}`, {}, ctx);
  return { v1, v2, v3 };
};

const shortHistory = async (): Promise<string[]> =>
  (await kit.service.history("prod")).map((e) => `${e.role} ${e.from ?? "-"}>${e.to ?? "-"} ${e.reason}`);

describe("canary", () => {
  it("splits 1000 requests by weight within tolerance, and every answer is the answering version's", async () => {
    const { v1, v2 } = await setUp();
    await kit.service.setCanary("prod", { version: v2 }, 0.3, false, ctx);
    const served = kit.service.get("prod")!;
    expect(served.versions()).toEqual([v1, v2]);
    const counts = new Map<string, number>();
    const expected = new Map([
      [v1, values((await kit.direct("churn", v1, { x })).prob)],
      [v2, values((await kit.direct("churn", v2, { x })).prob)],
    ]);
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => served.infer({ x }, { requestId: `r${i}`, protocol: "oip" })));
    for (const r of results) {
      counts.set(r.version, (counts.get(r.version) ?? 0) + 1);
      expect(values(r.outputs.prob)).toEqual(expected.get(r.version));
    }
    // Binomial(1000, 0.3): sd 14.5; 4.5 sd either side.
    expect(counts.get(v2)).toBeGreaterThanOrEqual(235);
    expect(counts.get(v2)).toBeLessThanOrEqual(365);
    expect((counts.get(v1) ?? 0) + (counts.get(v2) ?? 0)).toBe(1000);
  });

  it("keeps a routing key on the same version every time when sticky, and splits keys by weight", async () => {
    const { v2 } = await setUp();
    await kit.service.setCanary("prod", { modelUri: `models:/churn/${v2}` }, 0.5, true, ctx);
    const served = kit.service.get("prod")!;
    let onCanary = 0;
    for (let k = 0; k < 200; k += 1) {
      const versions = new Set<string>();
      for (let i = 0; i < 5; i += 1) versions.add((await served.infer({ x }, { requestId: `r${k}-${i}`, protocol: "mlflow", routingKey: `user-${k}` })).version);
      expect(versions.size).toBe(1);
      if (versions.has(v2)) onCanary += 1;
    }
    expect(onCanary).toBeGreaterThan(70);
    expect(onCanary).toBeLessThan(130);
  });

  it("promotes the canary, rolls back the primary two steps, and records history and audit", async () => {
    const { v1, v2, v3 } = await setUp();
    await kit.service.setCanary("prod", { version: v2 }, 0.2, true, ctx);
    expect((await kit.service.promote("prod", ctx)).policy).toEqual({ primary: v2 });
    expect(kit.service.get("prod")?.versions()).toEqual([v2]);
    await kit.service.setCanary("prod", { version: v3 }, 0.2, true, ctx);
    await kit.service.promote("prod", ctx);
    expect(kit.service.get("prod")?.versions()).toEqual([v3]);

    await kit.service.setCanary("prod", { version: v1 }, 0.5, false, ctx);
    // With a canary, rollback drops it and keeps the primary.
    expect((await kit.service.rollback("prod", ctx)).policy).toEqual({ primary: v3 });
    expect((await kit.service.rollback("prod", ctx)).policy).toEqual({ primary: v2 });
    expect((await kit.service.rollback("prod", ctx)).policy).toEqual({ primary: v1 });
    expect(kit.service.get("prod")?.versions()).toEqual([v1]);
    const answer = await kit.service.get("prod")!.infer({ x }, { requestId: "r", protocol: "oip" });
    expect(values(answer.outputs.prob)).toEqual(values((await kit.direct("churn", v1, { x })).prob));
    await expect(kit.service.rollback("prod", ctx)).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: `Deployment 'prod' has no previous primary version to roll back to (it has served only version ${v1}).`,
    });
    await expect(kit.service.promote("prod", ctx)).rejects.toMatchObject({ code: "INVALID_STATE" });

    expect(await shortHistory()).toEqual([
      `primary ->${v1} create`,
      `canary ->${v2} canary`,
      `primary ${v1}>${v2} promote`,
      `canary ${v2}>- promote`,
      `canary ->${v3} canary`,
      `primary ${v2}>${v3} promote`,
      `canary ${v3}>- promote`,
      `canary ->${v1} canary`,
      `canary ${v1}>- rollback`,
      `primary ${v3}>${v2} rollback`,
      `primary ${v2}>${v1} rollback`,
    ]);
    expect(kit.actions()).toEqual([
      "serving.deployment.create",
      "serving.deployment.canary",
      "serving.deployment.promote",
      "serving.deployment.canary",
      "serving.deployment.promote",
      "serving.deployment.canary",
      "serving.deployment.rollback",
      "serving.deployment.rollback",
      "serving.deployment.rollback",
    ]);
    const promote = kit.audits.find((a) => a.action === "serving.deployment.promote");
    expect(promote).toMatchObject({
      entityType: "deployment",
      entityId: "prod",
      context: ctx,
      before: { model_uri: `models:/churn/${v1}`, policy: { primary: v1, canary: { version: v2, weight: 0.2, sticky: true } } },
      after: { model_uri: `models:/churn/${v1}`, policy: { primary: v2 } },
    });
  });

  it("rejects bad input with messages that name the field", async () => {
    await setUp();
    await expect(kit.service.setCanary("prod", { version: "2" }, 1.5, true, ctx)).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: "Invalid value 1.5 for parameter 'weight': expected a number from 0 to 1.",
    });
    await expect(kit.service.setCanary("nope", { version: "2" }, 0.5, true, ctx)).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    await expect(kit.service.setCanary("prod", { modelUri: "models:/other/1" }, 0.5, true, ctx)).rejects.toMatchObject({
      message: "Invalid model_uri 'models:/other/1': deployment 'prod' serves model 'churn', not 'other'.",
    });
    await expect(kit.service.create("prod", "models:/churn/1", {}, ctx)).rejects.toMatchObject({ code: "RESOURCE_ALREADY_EXISTS" });
    await expect(kit.service.create("bad name", "models:/churn/1", {}, ctx)).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await expect(kit.service.create("x", "models:/churn/Production", {}, ctx)).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await expect(kit.service.create("x", "models:/churn/1", { maxBatchSize: 0 }, ctx)).rejects.toMatchObject({
      message: "Invalid value 0 for parameter 'max_batch_size': expected a positive integer.",
    });
  });
});
