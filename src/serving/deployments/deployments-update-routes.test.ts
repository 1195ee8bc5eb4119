import { afterEach, describe, expect, it } from "vitest";
import { ctx, DeploymentsKit } from "../../../test/deployments-kit.js";
import { buildApp } from "../../server/app.js";
import { AdaptiveBatcher } from "../batching/adaptive-batcher.js";
import { servingRoutes } from "../routes.js";
import { buildOnnxModel, identityModel, logisticRegressionModel } from "../test-support/onnx-models.js";
import type { DeploymentService } from "./deployment-service.js";
import { deploymentRoutes } from "./routes.js";

let kit: DeploymentsKit;
let closeApp: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeApp?.();
  closeApp = undefined;
  await kit?.close();
});

type Call = (method: "GET" | "POST", path: string, payload: Record<string, unknown>) => Promise<{ status: number; body: Record<string, any> }>;

const appOver = async (service: DeploymentService) => {
  await closeApp?.();
  const app = await buildApp({
    version: "test",
    domains: [{ cairnEndpoints: deploymentRoutes(service) }, servingRoutes(service, { mountDeployments: true })],
  });
  closeApp = () => app.close();
  const call: Call = async (method, path, payload) => {
    const response =
      method === "GET"
        ? await app.inject({ method, url: `/api/2.0/cairn/deployments/${path}`, query: payload as Record<string, string>, headers: { "x-cairn-user": "ada" } })
        : await app.inject({ method, url: `/api/2.0/cairn/deployments/${path}`, payload, headers: { "x-cairn-user": "ada" } });
    return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, any> };
  };
  return { app, call };
};

const batchingKit = () =>
  DeploymentsKit.open({
    syncIntervalMs: 0,
    wrap: (model, options) =>
      new AdaptiveBatcher(model, {
        ...(options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {}),
        ...(options.maxLatencyMs !== undefined ? { maxLatencyMs: options.maxLatencyMs } : {}),
      }),
  });

describe("deployments/update over HTTP", () => {
  it("changes each option, answers as deployments/get does, and validates with exact messages", async () => {
    kit = await batchingKit();
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const { call } = await appOver(kit.service);
    const created = await call("POST", "create", { name: "prod", model_uri: `models:/churn/${v1}`, inference_worker: true });
    expect(created.status).toBe(200);
    expect(created.body.deployment).toMatchObject({ prediction_log_sample_rate: 1, inference_worker: true });
    expect(created.body.deployment).not.toHaveProperty("max_batch_size");

    const steps: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ max_batch_size: 16 }, { max_batch_size: 16, prediction_log_sample_rate: 1, inference_worker: true }],
      [{ max_latency_ms: 2.5 }, { max_batch_size: 16, max_latency_ms: 2.5, prediction_log_sample_rate: 1, inference_worker: true }],
      [{ prediction_log_sample_rate: 0.25 }, { max_batch_size: 16, max_latency_ms: 2.5, prediction_log_sample_rate: 0.25, inference_worker: true }],
      [{ inference_worker: false }, { max_batch_size: 16, max_latency_ms: 2.5, prediction_log_sample_rate: 0.25, inference_worker: false }],
      [{ max_batch_size: "4", inference_worker: "true" }, { max_batch_size: 4, max_latency_ms: 2.5, prediction_log_sample_rate: 0.25, inference_worker: true }],
    ];
    for (const [change, options] of steps) {
      const updated = await call("POST", "update", { name: "prod", ...change });
      expect(updated.status).toBe(200);
      const got = await call("GET", "get", { name: "prod" });
      // The same shape as deployments/get (the update's time included).
      expect(updated.body).toEqual(got.body);
      const { max_batch_size, max_latency_ms, prediction_log_sample_rate, inference_worker } = updated.body.deployment;
      expect({ max_batch_size, max_latency_ms, prediction_log_sample_rate, inference_worker }).toEqual({ max_batch_size: undefined, max_latency_ms: undefined, ...options });
      expect(updated.body.deployment).toMatchObject({ name: "prod", primary_version: v1, serving_versions: [v1], ready: true });
    }

    const refusals: Array<[Record<string, unknown>, number, string, string]> = [
      [{ name: "prod", max_batch_size: 0 }, 400, "INVALID_PARAMETER_VALUE", "Invalid value 0 for parameter 'max_batch_size': expected a positive integer."],
      [{ name: "prod", max_batch_size: 100_001 }, 400, "INVALID_PARAMETER_VALUE", "Invalid value 100001 for parameter 'max_batch_size': expected a positive integer up to 100000."],
      [{ name: "prod", max_latency_ms: -1 }, 400, "INVALID_PARAMETER_VALUE", "Invalid value -1 for parameter 'max_latency_ms': expected a positive number."],
      [{ name: "prod", max_latency_ms: 60_001 }, 400, "INVALID_PARAMETER_VALUE", "Invalid value 60001 for parameter 'max_latency_ms': expected a positive number up to 60000."],
      [{ name: "prod", prediction_log_sample_rate: 2 }, 400, "INVALID_PARAMETER_VALUE", "Invalid value 2 for parameter 'prediction_log_sample_rate': expected a number from 0 to 1."],
      [{ name: "prod" }, 400, "INVALID_PARAMETER_VALUE", "Nothing to update: give at least one of 'max_batch_size', 'max_latency_ms', 'prediction_log_sample_rate', 'inference_worker', 'prediction_log_max_age_seconds' and 'prediction_log_max_rows'."],
      [{ name: "nope", max_batch_size: 2 }, 404, "RESOURCE_DOES_NOT_EXIST", "Deployment 'nope' does not exist."],
    ];
    for (const [payload, status, code, message] of refusals) {
      expect(await call("POST", "update", payload)).toEqual({ status, body: { error_code: code, message } });
    }
    const badBool = await call("POST", "update", { name: "prod", inference_worker: "maybe" });
    expect(badBool.status).toBe(400);
    expect(badBool.body.message).toContain("inference_worker");
    // The same checks on create.
    expect(await call("POST", "create", { name: "other", model_uri: `models:/churn/${v1}`, max_latency_ms: 60_001 })).toEqual({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: "Invalid value 60001 for parameter 'max_latency_ms': expected a positive number up to 60000." },
    });
    expect((await call("GET", "get", { name: "prod" })).body.deployment).toMatchObject({ max_batch_size: 4, inference_worker: true });
    expect(kit.actions()).toEqual(["serving.deployment.create", ...Array(5).fill("serving.deployment.update")]);
    expect(kit.audits.at(-1)?.context.actor.name).toBe("ada");
  }, 60_000);

  it("takes a deployment's own prediction-log bounds on create and update, shows, audits and keeps them, and refuses bad ones", async () => {
    kit = await batchingKit();
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const { call } = await appOver(kit.service);
    const bounds = (d: Record<string, any>) => [d.prediction_log_max_age_seconds, d.prediction_log_max_rows];
    const plain = await call("POST", "create", { name: "plain", model_uri: `models:/churn/${v1}` });
    expect(plain.body.deployment).not.toHaveProperty("prediction_log_max_age_seconds");
    expect(plain.body.deployment).not.toHaveProperty("prediction_log_max_rows");
    const created = await call("POST", "create", { name: "prod", model_uri: `models:/churn/${v1}`, prediction_log_max_age_seconds: 3600, prediction_log_max_rows: "5000" });
    expect(created.status).toBe(200);
    expect(bounds(created.body.deployment)).toEqual([3600, 5000]);
    const updated = await call("POST", "update", { name: "prod", prediction_log_max_rows: 100 });
    expect(bounds(updated.body.deployment)).toEqual([3600, 100]);
    expect(bounds((await call("POST", "update", { name: "plain", prediction_log_max_age_seconds: 86_400 })).body.deployment)).toEqual([86_400, undefined]);
    expect(kit.audits.at(-2)).toMatchObject({
      action: "serving.deployment.update",
      entityId: "prod",
      before: { options: { prediction_log_max_age_seconds: 3600, prediction_log_max_rows: 5000 } },
      after: { options: { prediction_log_max_age_seconds: 3600, prediction_log_max_rows: 100 } },
    });

    const before = (await call("GET", "list", {})).body;
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ prediction_log_max_age_seconds: 0 }, "Invalid value 0 for parameter 'prediction_log_max_age_seconds': expected a positive integer."],
      [{ prediction_log_max_age_seconds: -60 }, "Invalid value -60 for parameter 'prediction_log_max_age_seconds': expected a positive integer."],
      [{ prediction_log_max_age_seconds: 315_360_001 }, "Invalid value 315360001 for parameter 'prediction_log_max_age_seconds': expected a positive integer up to 315360000."],
      [{ prediction_log_max_rows: 0 }, "Invalid value 0 for parameter 'prediction_log_max_rows': expected a positive integer."],
      [{ prediction_log_max_rows: 1_000_000_001 }, "Invalid value 1000000001 for parameter 'prediction_log_max_rows': expected a positive integer up to 1000000000."],
      [{ prediction_log_max_rows: 5, prediction_log_max_age_seconds: 0 }, "Invalid value 0 for parameter 'prediction_log_max_age_seconds': expected a positive integer."],
    ];
    for (const [change, message] of refusals) {
      expect(await call("POST", "update", { name: "prod", ...change })).toEqual({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message } });
      expect(await call("POST", "create", { name: "other", model_uri: `models:/churn/${v1}`, ...change })).toEqual({
        status: 400,
        body: { error_code: "INVALID_PARAMETER_VALUE", message },
      });
    }
    // Wrong JSON types and non-integers: 400s that name the field (the edge's parser).
    for (const value of [1.5, "ten", true, { days: 1 }, [60], "1e3", 2 ** 64]) {
      for (const field of ["prediction_log_max_age_seconds", "prediction_log_max_rows"]) {
        const refused = await call("POST", "update", { name: "prod", [field]: value });
        expect(refused.status, `${field} ${JSON.stringify(value)}`).toBe(400);
        expect(refused.body.error_code).toBe("INVALID_PARAMETER_VALUE");
        expect(refused.body.message).toContain(`'${field}'`);
      }
    }
    // Nothing stored changed, and no deployment 'other' was created.
    expect((await call("GET", "list", {})).body).toEqual(before);
    expect(kit.actions()).toEqual(["serving.deployment.create", "serving.deployment.create", "serving.deployment.update", "serving.deployment.update"]);

    await kit.restart();
    const again = await appOver(kit.service);
    expect(bounds((await again.call("GET", "get", { name: "prod" })).body.deployment)).toEqual([3600, 100]);
  }, 60_000);

  it("switches batching under concurrent HTTP load with zero failed requests", async () => {
    kit = await batchingKit();
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const { app, call } = await appOver(kit.service);
    await call("POST", "create", { name: "prod", model_uri: `models:/churn/${v1}` });
    let stop = false;
    const statuses: number[] = [];
    const client = async (c: number): Promise<void> => {
      for (let i = c; !stop; i += 12) {
        const response = await app.inject({
          method: "POST",
          url: "/v2/models/prod/infer",
          payload: { inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [i % 3, 0.5, -1, 0.25] }] },
        });
        statuses.push(response.statusCode);
      }
    };
    const clients = Array.from({ length: 12 }, (_, c) => client(c));
    for (const change of [{ max_batch_size: 8 }, { max_latency_ms: 4 }, { inference_worker: true }, { max_batch_size: 1 }, { inference_worker: false, max_batch_size: 32 }]) {
      await new Promise((r) => setTimeout(r, 40));
      expect((await call("POST", "update", { name: "prod", ...change })).status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 40));
    stop = true;
    await Promise.all(clients);
    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(kit.errors).toEqual([]);
  }, 60_000);

  it("answers the saved shadow report after a restart, and lists the saved ones", async () => {
    kit = await DeploymentsKit.open({ syncIntervalMs: 0 });
    const v1 = await kit.register("pair", identityModel("float32", 2));
    const v2 = await kit.register(
      "pair",
      buildOnnxModel({
        inputs: [{ name: "x", type: "float32", shape: ["batch", 2] }],
        outputs: [{ name: "y", type: "float32", shape: ["batch", 2] }],
        initializers: [{ name: "shift", dims: [2], values: Float32Array.from([0, 1]) }],
        nodes: [{ op: "Add", inputs: ["x", "shift"], outputs: ["y"] }],
      }),
    );
    await kit.service.create("pair-prod", `models:/pair/${v1}`, {}, ctx);
    const first = await appOver(kit.service);
    const app = first.app;
    let call = first.call;
    await call("POST", "shadow", { name: "pair-prod", version: v2, share: 1 });
    for (let i = 0; i < 8; i += 1) {
      const response = await app.inject({ method: "POST", url: "/v2/models/pair-prod/infer", payload: { inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [1, 2] }] } });
      expect(response.statusCode).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 100));
    const live = await call("GET", "shadow-report", { name: "pair-prod" });
    expect(live.body).toMatchObject({ live: true, report: { mirrored: 8, compared: 8, same_class: 8, agreement_rate: 1, abs_diff: { mean: 0.5, max: 1 } } });
    expect(live.body).not.toHaveProperty("updated_timestamp");
    await call("POST", "promote", { name: "pair-prod" });

    await kit.restart();
    ({ call } = await appOver(kit.service));
    const saved = await call("GET", "shadow-report", { name: "pair-prod" });
    expect(saved.status).toBe(200);
    // One server process counted it: one part, released by the stop that the restart made.
    const part = { replica: expect.stringMatching(/^.+:\d+:[0-9a-f]+$/), released: true, updated_timestamp: saved.body.updated_timestamp };
    expect(saved.body).toEqual({ report: live.body.report, live: false, updated_timestamp: expect.any(Number), replicas: 1, parts: [part] });
    const listed = await call("GET", "shadow-reports", { name: "pair-prod" });
    expect(listed.body).toEqual({ reports: [{ ...live.body.report, updated_timestamp: saved.body.updated_timestamp, replicas: 1, parts: [part] }] });
    expect(await call("GET", "shadow-reports", { name: "nope" })).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Deployment 'nope' does not exist." },
    });
  }, 60_000);
});
