import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { CairnClient } from "./client.js";
import { CairnApiError } from "./errors.js";
import { registerLogisticVersions } from "../serving/test-support/registered-models.js";

/** client.serving against a real server: deployments, both protocols (answers equal onnxruntime's), labels. */
let server: TempServer;
let client: CairnClient;
let dir: string;
const modelFiles: string[] = [];
const row = [0.5, -1.25, 2, 0.75];

const direct = async (version: 1 | 2, rows: number[][]): Promise<number[]> => {
  const session = await ort.InferenceSession.create(modelFiles[version - 1] as string);
  const out = await session.run({ x: new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, 4]) });
  await session.release();
  return Array.from(out.prob?.data as Float32Array);
};

beforeAll(async () => {
  server = await startTempServer("cairn-sdk-serving-");
  client = new CairnClient({ trackingUri: server.url, user: "sdk-test" });
  dir = await mkdtemp(path.join(tmpdir(), "cairn-sdk-serving-"));
  modelFiles.push(...(await registerLogisticVersions(client, dir, "churn", [11, 12])));
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("client.serving", () => {
  it("creates a deployment that follows an alias and predicts through both protocols with onnxruntime's answers", async () => {
    const created = await client.serving.createDeployment({ name: "churn-live", modelUri: "models:/churn@champion", maxBatchSize: 8, predictionLogSampleRate: 1 });
    expect(created).toMatchObject({ name: "churn-live", model_uri: "models:/churn@champion", model_name: "churn", primary_version: "1", max_batch_size: 8, prediction_log_sample_rate: 1 });
    expect((await client.serving.listDeployments()).map((d) => d.name)).toEqual(["churn-live"]);
    expect(await client.serving.getDeployment("churn-live")).toMatchObject({ primary_version: "1", ready: true, serving_versions: ["1"] });

    const expected = await direct(1, [row, row.map((v) => -v)]);
    const scored = await client.serving.predict("churn-live", { inputs: { x: [row, row.map((v) => -v)] } }, { requestId: "sdk-req-1" });
    expect(scored.requestId).toBe("sdk-req-1");
    // The x-cairn-model-version header: the version that answered.
    expect(scored.version).toBe("1");
    expect(scored.predictions).toEqual({ prob: expected.map((p) => [p]) });

    const csv = await client.serving.predictCsv("churn-live", `a,b,c,d\n${row.join(",")}\n`);
    // A DataFrame input answers in records, as MLflow's ONNX flavor does.
    expect(csv.predictions).toEqual([{ prob: expected[0] }]);

    const inferred = await client.serving.infer("churn-live", { id: "oip-1", inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: row }] });
    expect(inferred).toEqual({
      model_name: "churn-live",
      model_version: "1",
      id: "oip-1",
      outputs: [{ name: "prob", shape: [1, 1], datatype: "FP32", data: [expected[0]] }],
    });
    const pinned = await client.serving.infer("churn-live", { inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: row }] }, { version: "1" });
    expect(pinned.model_version).toBe("1");
  });

  it("turns both protocols' errors into CairnApiError with the server's message", async () => {
    const oip = await client.serving
      .infer("churn-live", { inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }] })
      .catch((error: unknown) => error);
    expect(oip).toBeInstanceOf(CairnApiError);
    expect((oip as CairnApiError).status).toBe(400);
    expect((oip as CairnApiError).message).toMatch(/'x'/);
    expect((oip as CairnApiError).message).not.toMatch(/^\{/);

    const scoring = await client.serving.predict("churn-live", { inputs: { y: [row] } }).catch((error: unknown) => error);
    expect(scoring).toMatchObject({ status: 400, errorCode: "BAD_REQUEST" });

    await expect(client.serving.getDeployment("nope")).rejects.toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
    await expect(client.serving.predict("nope", { inputs: [row] })).rejects.toMatchObject({ status: 404 });
  });

  it("runs a canary, promotes it, rolls back, and records each switch in the history", async () => {
    const canary = await client.serving.setCanary({ name: "churn-live", version: "2", weight: 1, sticky: false });
    expect(canary).toMatchObject({ primary_version: "1", canary: { version: "2", weight: 1, sticky: false } });
    const viaCanary = await client.serving.infer("churn-live", { inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: row }] });
    expect(viaCanary.model_version).toBe("2");
    expect(viaCanary.outputs[0]?.data).toEqual(await direct(2, [row]));

    expect(await client.serving.promote("churn-live")).toMatchObject({ primary_version: "2" });
    expect((await client.serving.getDeployment("churn-live")).canary).toBeUndefined();
    expect(await client.serving.rollback("churn-live")).toMatchObject({ primary_version: "1" });

    const history = await client.serving.history("churn-live");
    expect(history.map((h) => h.reason)).toEqual(expect.arrayContaining(["create", "canary", "promote", "rollback"]));
    expect(history[0]).toMatchObject({ reason: "create", to_version: "1", actor: "sdk-test" });
  });

  it("mirrors traffic to a shadow and reports the comparison", async () => {
    expect(await client.serving.setShadow({ name: "churn-live", version: "2", share: 1 })).toMatchObject({ shadow: { version: "2", share: 1 } });
    for (let i = 0; i < 5; i += 1) {
      const answer = await client.serving.infer("churn-live", { inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: row }] });
      // The shadow never answers the caller.
      expect(answer.model_version).toBe("1");
    }
    let report: Record<string, unknown> = {};
    for (let attempt = 0; attempt < 50 && (report.compared ?? 0) !== 5; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      report = await client.serving.shadowReport("churn-live");
    }
    expect(report).toMatchObject({ deployment: "churn-live", primary_version: "1", candidate_version: "2", compared: 5 });
  });

  it("updates a deployment's options, and lists the saved shadow reports", async () => {
    const updated = await client.serving.updateDeployment("churn-live", { maxBatchSize: 4, maxLatencyMs: 1.5, inferenceWorker: true });
    expect(updated).toMatchObject({ name: "churn-live", max_batch_size: 4, max_latency_ms: 1.5, prediction_log_sample_rate: 1, inference_worker: true, serving_versions: ["1", "2"] });
    const answer = await client.serving.infer("churn-live", { inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: row }] });
    expect(answer.outputs[0]?.data).toEqual(await direct(1, [row]));
    expect(await client.serving.updateDeployment("churn-live", { predictionLogSampleRate: 0.5, inferenceWorker: false })).toMatchObject({
      max_batch_size: 4,
      prediction_log_sample_rate: 0.5,
      inference_worker: false,
    });
    expect(await client.serving.getDeployment("churn-live")).toMatchObject({ max_batch_size: 4, prediction_log_sample_rate: 0.5, inference_worker: false });
    await expect(client.serving.updateDeployment("churn-live", { maxBatchSize: 0 })).rejects.toMatchObject({
      status: 400,
      errorCode: "INVALID_PARAMETER_VALUE",
      message: "Invalid value 0 for parameter 'max_batch_size': expected a positive integer.",
    });
    await expect(client.serving.updateDeployment("nope", { maxBatchSize: 2 })).rejects.toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
    await client.serving.updateDeployment("churn-live", { predictionLogSampleRate: 1 });

    // The update did not reset the comparison; dropping the shadow saves it.
    let live = await client.serving.shadowReport("churn-live");
    for (let attempt = 0; attempt < 50 && live.compared !== 6; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      live = await client.serving.shadowReport("churn-live");
    }
    expect(live).toMatchObject({ candidate_version: "2", compared: 6 });
    // Whole: this one server's live counts, not saved yet by the answering process.
    expect(await client.serving.shadowReportAnswer("churn-live")).toMatchObject({ live: true, replicas: 1, parts: [{ replica: expect.any(String), released: false }] });
    await client.serving.rollback("churn-live");
    const saved = await client.serving.shadowReports("churn-live");
    // Combined across replicas: here one server, one part.
    expect(saved).toEqual([
      { ...live, updated_timestamp: expect.any(Number), replicas: 1, parts: [{ replica: expect.any(String), updated_timestamp: expect.any(Number), released: false }] },
    ]);
    expect(await client.serving.shadowReport("churn-live")).toEqual(live);
  });

  it("records predictions and joins labels by request id", async () => {
    await client.serving.logLabel({ requestId: "sdk-req-1", label: 1 });
    let predictions: Awaited<ReturnType<typeof client.serving.predictions>>["items"] = [];
    for (let attempt = 0; attempt < 50; attempt += 1) {
      predictions = (await client.serving.predictions({ deployment: "churn-live", maxResults: 100 })).items;
      if (predictions.some((p) => p.request_id === "sdk-req-1" && p.label !== undefined)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(predictions.find((p) => p.request_id === "sdk-req-1")).toMatchObject({ deployment: "churn-live", version: "1", label: 1 });
  });

  it("deletes a deployment", async () => {
    await client.serving.deleteDeployment("churn-live");
    expect(await client.serving.listDeployments()).toEqual([]);
  });
});
