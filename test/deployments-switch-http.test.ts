import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../src/server/app.js";
import { servingRoutes } from "../src/serving/routes.js";
import { logisticRegressionModel } from "../src/serving/test-support/onnx-models.js";
import { ctx, DeploymentsKit } from "./deployments-kit.js";

/**
 * The scoring routes while a deployment switches: a request answered by a version that a switch retires before the
 * answer is encoded is still answered (found by the three-replica test, where a replica's sync switched under
 * load and such requests got 404 "does not serve version '1'").
 */
let kit: DeploymentsKit;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  await kit?.close();
});

const rows = [
  [0.5, -1.25, 2, 0.75],
  [-0.3, 0.1, -2.5, 1.5],
];

describe("scoring through the HTTP routes during alias moves", () => {
  it("answers every MLflow and Open Inference request while the alias moves back and forth, each with the version that ran it", async () => {
    kit = await DeploymentsKit.open();
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const v2 = await kit.register("churn", logisticRegressionModel(7));
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);
    app = await buildApp({ version: "test", domains: [servingRoutes(kit.service, { mountDeployments: true })] });
    const served = app;

    let stop = false;
    const failures: string[] = [];
    const versions = new Set<string>();
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i += 1) {
        const oip = (w + i) % 2 === 0;
        const response = await served.inject(
          oip
            ? { method: "POST", url: "/v2/models/churn-prod/infer", payload: { inputs: [{ name: "x", shape: [2, 4], datatype: "FP32", data: rows.flat() }] } }
            : { method: "POST", url: "/deployments/churn-prod/invocations", payload: { inputs: { x: rows } } },
        );
        if (response.statusCode !== 200) failures.push(`${response.statusCode} ${response.body}`);
        else versions.add(String(response.headers["x-cairn-model-version"]));
      }
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    for (const target of [v2, v1, v2, v1, v2, v1]) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      await kit.registry.setAlias("churn", "champion", target, ctx);
      await kit.service.settled();
    }
    await new Promise((resolve) => setTimeout(resolve, 40));
    stop = true;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect(versions).toEqual(new Set([v1, v2]));
  }, 60_000);
});
