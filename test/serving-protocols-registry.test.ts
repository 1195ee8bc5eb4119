import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../src/sdk/client.js";
import { buildApp } from "../src/server/app.js";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { loadModel } from "../src/serving/model/load-model.js";
import { servingRoutes } from "../src/serving/routes.js";
import type { InferenceContext, ServedModel, ServedModels } from "../src/serving/served-model.js";
import { SingleModel } from "../src/serving/single-model.js";
import { startStandaloneServer } from "../src/serving/standalone.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../src/serving/test-support/onnx-models.js";

/** `cairn serve models:/name@alias` against a real tracking server, and the /deployments mount of `cairn server`. */
let tracking: TempServer;
let dir: string;
let modelDir: string;
const rows = [[0.5, -1, 2, 0.25]];

beforeAll(async () => {
  tracking = await startTempServer("cairn-serve-registry-");
  dir = await mkdtemp(path.join(os.tmpdir(), "cairn-serve-registry-"));
  modelDir = await writeMlflowModelDir(path.join(dir, "model"), logisticRegressionModel());
});
afterAll(async () => {
  await tracking?.close();
  await rm(dir, { recursive: true, force: true });
});

const expectedProb = async (): Promise<number> => {
  const session = await ort.InferenceSession.create(path.join(modelDir, "model.onnx"));
  const out = await session.run({ x: new ort.Tensor("float32", Float32Array.from(rows.flat()), [1, 4]) });
  await session.release();
  return (out.prob?.data as Float32Array)[0] ?? NaN;
};

describe("cairn serve models:/", () => {
  it("resolves the alias, downloads the version once into the cache and serves it", async () => {
    const client = new CairnClient({ trackingUri: tracking.url });
    const experimentId = await client.experiments.create({ name: "serve" });
    const run = await client.runs.create({ experimentId });
    await client.artifacts.upload(run.info.run_id, modelDir, "model");
    await client.registry.createModel({ name: "churn" });
    await client.registry.createVersion({ name: "churn", source: `runs:/${run.info.run_id}/model`, runId: run.info.run_id });
    await client.registry.setAlias("churn", "champion", 1);
    const cacheDir = path.join(dir, "cache");
    const server = await startStandaloneServer({ model: "models:/churn@champion", port: 0, trackingUri: tracking.url, cacheDir });
    try {
      expect((await readdir(path.join(cacheDir, "churn", "1"))).sort()).toEqual(["MLmodel", "model.onnx"]);
      const answer = await fetch(`${server.url}/v2/models/churn/versions/1/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: rows }] }),
      });
      const body = (await answer.json()) as { model_version: string; outputs: Array<{ data: number[] }> };
      expect(body.model_version).toBe("1");
      expect(body.outputs[0]?.data).toEqual([await expectedProb()]);
    } finally {
      await server.close();
    }
    await expect(startStandaloneServer({ model: "models:/churn@champion", port: 0 })).rejects.toThrow("set CAIRN_TRACKING_URI");
  });
});

describe("servingRoutes inside cairn server", () => {
  it("mounts each deployment at /deployments/<name>/invocations and passes request id and routing key", async () => {
    const single = new SingleModel("churn", await loadModel(modelDir), "3");
    const contexts: InferenceContext[] = [];
    // The real model, with the contexts it receives recorded.
    const recorded: ServedModel = Object.assign(Object.create(single) as SingleModel, {
      infer: (feeds: Parameters<ServedModel["infer"]>[0], context: InferenceContext) => {
        contexts.push(context);
        return single.infer(feeds, context);
      },
    });
    const models: ServedModels = { get: (name) => (name === "churn" ? recorded : undefined), list: () => [recorded] };
    const app = await buildApp({ version: "test", domains: [servingRoutes(models, { mountDeployments: true })] });
    try {
      const answer = await app.inject({
        method: "POST",
        url: "/deployments/churn/invocations",
        headers: { "content-type": "application/json", "x-request-id": "abc-1", "x-cairn-routing-key": "user-9" },
        payload: JSON.stringify({ inputs: rows }),
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual({ predictions: { prob: [[await expectedProb()]] } });
      expect(contexts).toEqual([{ requestId: "abc-1", protocol: "mlflow", routingKey: "user-9" }]);
      const missing = await app.inject({ method: "POST", url: "/deployments/nope/invocations", headers: { "content-type": "application/json" }, payload: "{}" });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "Deployment 'nope' not found." });
      const v2 = await app.inject({
        method: "POST",
        url: "/v2/models/churn/versions/3/infer",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: rows.flat() }] }),
      });
      expect(v2.json()).toMatchObject({ model_name: "churn", model_version: "3", id: v2.headers["x-request-id"] });
      expect(contexts[1]).toMatchObject({ protocol: "oip", version: "3" });
      expect((await app.inject({ method: "POST", url: "/invocations", payload: "{}" })).statusCode).toBe(404);
    } finally {
      await app.close();
      await single.close();
    }
  });
});
