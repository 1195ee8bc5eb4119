import { afterEach, describe, expect, it } from "vitest";
import { logisticRegressionModel } from "../src/serving/test-support/onnx-models.js";
import { ctx, DeploymentsKit, floats, values } from "./deployments-kit.js";

let kit: DeploymentsKit;
afterEach(async () => kit?.close());

const row = (i: number): number[] => [((i % 7) - 3) / 2, (i % 5) / 4, -((i % 3) / 3), 0.25];

describe("alias following", () => {
  it("moves the primary with the alias under concurrent load with zero failed requests, every answer as onnxruntime gives", async () => {
    kit = await DeploymentsKit.open();
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const v2 = await kit.register("churn", logisticRegressionModel(7));
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);
    const served = kit.service.get("churn-prod");
    expect(served?.versions()).toEqual([v1]);

    let stop = false;
    let failures = 0;
    const answers: Array<{ i: number; version: string; out: number[] }> = [];
    const worker = async (w: number): Promise<void> => {
      for (let i = w; !stop; i += 16) {
        try {
          const result = await served!.infer({ x: floats([row(i)]) }, { requestId: `r${i}`, protocol: "oip" });
          answers.push({ i, version: result.version, out: values(result.outputs.prob) });
        } catch {
          failures += 1;
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    const seen: string[] = [];
    for (const target of [v2, v1, v2, v1, v2]) {
      await new Promise((r) => setTimeout(r, 30));
      await kit.registry.setAlias("churn", "champion", target, ctx);
      await kit.service.settled();
      seen.push(served!.versions().join(","));
    }
    await new Promise((r) => setTimeout(r, 30));
    stop = true;
    await Promise.all(workers);

    expect(failures).toBe(0);
    expect(seen).toEqual([v2, v1, v2, v1, v2]);
    expect(answers.length).toBeGreaterThan(200);
    expect(new Set(answers.map((a) => a.version))).toEqual(new Set([v1, v2]));
    for (const a of answers.filter((_, k) => k % 10 === 0)) {
      const expected = await kit.direct("churn", a.version, { x: floats([row(a.i)]) });
      expect(a.out).toEqual(values(expected.prob));
    }
    const history = (await kit.service.history("churn-prod")).map((e) => `${e.role} ${e.from ?? "-"}>${e.to ?? "-"} ${e.reason}`);
    expect(history).toEqual([
      `primary ->${v1} create`,
      `primary ${v1}>${v2} alias-moved`,
      `primary ${v2}>${v1} alias-moved`,
      `primary ${v1}>${v2} alias-moved`,
      `primary ${v2}>${v1} alias-moved`,
      `primary ${v1}>${v2} alias-moved`,
    ]);
    expect(kit.actions()).toEqual(["serving.deployment.create", ...Array(5).fill("serving.deployment.switch")]);
    expect(kit.errors).toEqual([]);
  });

  it("never lets a version whose files are broken take traffic: the previous keeps serving, the error is reported", async () => {
    kit = await DeploymentsKit.open();
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const broken = await kit.register("churn", new TextEncoder().encode("not an onnx model"));
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);
    await kit.registry.setAlias("churn", "champion", broken, ctx);
    await kit.service.settled();

    const served = kit.service.get("churn-prod")!;
    expect(served.versions()).toEqual([v1]);
    const result = await served.infer({ x: floats([row(1)]) }, { requestId: "r", protocol: "mlflow" });
    expect(result.version).toBe(v1);
    expect(values(result.outputs.prob)).toEqual(values((await kit.direct("churn", v1, { x: floats([row(1)]) })).prob));
    const deployment = await kit.service.getDeployment("churn-prod");
    expect(deployment.policy.primary).toBe(v1);
    expect(deployment.lastError).toMatch(new RegExp(`^Version ${broken} of model 'churn' could not be loaded for deployment 'churn-prod' \\(alias-moved\\); the previous routing keeps serving: `));
    expect(kit.actions()).toEqual(["serving.deployment.create", "serving.deployment.load_fail"]);
    expect(kit.audits.at(-1)?.after).toMatchObject({ version: broken, reason: "alias-moved" });
    expect(kit.errors).toHaveLength(1);

    // Through the API, the same refusal is a 400 naming the version.
    await expect(kit.service.setCanary("churn-prod", { version: broken }, 0.5, true, ctx)).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: expect.stringContaining(`Version ${broken} of model 'churn' could not be loaded`),
    });
    expect(served.versions()).toEqual([v1]);
    expect((await kit.service.getDeployment("churn-prod")).policy).toEqual({ primary: v1 });
  });

  it("refuses to create a deployment on a broken version, and stores nothing", async () => {
    kit = await DeploymentsKit.open();
    const broken = await kit.register("churn", new TextEncoder().encode("garbage"));
    await expect(kit.service.create("d", `models:/churn/${broken}`, {}, ctx)).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(kit.service.get("d")).toBeUndefined();
    expect(await kit.service.listDeployments()).toEqual([]);
    expect(kit.actions()).toEqual(["serving.deployment.load_fail"]);
  });

  it("follows an alias that moved while the server was down, and keeps a promoted primary when the alias did not move", async () => {
    kit = await DeploymentsKit.open();
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const v2 = await kit.register("churn", logisticRegressionModel(7));
    const v3 = await kit.register("churn", logisticRegressionModel(9));
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("prod", "models:/churn@champion", {}, ctx);
    await kit.service.setCanary("prod", { version: v2 }, 0.1, true, ctx);
    await kit.service.promote("prod", ctx);

    await kit.restart();
    expect(kit.service.get("prod")?.versions()).toEqual([v2]);

    await kit.service.stop();
    // The alias moves while no deployment service listens.
    await kit.registry.setAlias("churn", "champion", v3, { ...ctx, requestId: "offline" });
    kit.service = kit.newService();
    await kit.service.start();
    await kit.service.loaded();
    expect(kit.service.get("prod")?.versions()).toEqual([v3]);
    const last = (await kit.service.history("prod")).at(-1);
    expect(last).toMatchObject({ role: "primary", from: v2, to: v3, reason: "alias-moved", actor: { name: "cairn" } });
    const result = await kit.service.get("prod")!.infer({ x: floats([row(2)]) }, { requestId: "r", protocol: "oip" });
    expect(values(result.outputs.prob)).toEqual(values((await kit.direct("churn", v3, { x: floats([row(2)]) })).prob));
  });
});
