import * as ort from "onnxruntime-node";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../src/serving/test-support/onnx-models.js";
import { waitFor } from "./support/wait-for.js";

/**
 * Serving inside `cairn server`, as a user meets it: a model logged as an MLflow ONNX directory through the artifact
 * proxy, registered, deployed behind its champion alias, answered through both protocols with onnxruntime's own
 * numbers, counted in /metrics, written to the prediction log, and switched when the alias moves.
 */
let server: TempServer;
let scratch: string;
beforeAll(async () => {
  server = await startTempServer("cairn-serving-e2e-");
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-serving-e2e-model-"));
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

const api = async (method: string, route: string, body?: unknown): Promise<any> => {
  const response = await fetch(`${server.url}/api/2.0/${route}`, {
    method,
    headers: { "content-type": "application/json", "x-cairn-user": "ops" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  expect(response.status, `${route}: ${text}`).toBe(200);
  return text === "" ? {} : JSON.parse(text);
};

/** Logs a model directory as the MLflow client would: one PUT per file through the artifact proxy. */
const logModel = async (seed: number): Promise<{ runId: string; bytes: Uint8Array }> => {
  const runId = (await api("POST", "mlflow/runs/create", { experiment_id: "0" })).run.info.run_id as string;
  const bytes = logisticRegressionModel(seed);
  const dir = path.join(scratch, `model-${seed}`);
  await writeMlflowModelDir(dir, bytes, { runId });
  for (const file of await readdir(dir)) {
    const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/${file}`, {
      method: "PUT",
      body: await readFile(path.join(dir, file)),
    });
    expect(put.status).toBe(200);
  }
  return { runId, bytes };
};

const direct = async (bytes: Uint8Array, rows: number[][]): Promise<number[]> => {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ x: new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, 4]) });
  return Array.from(result[session.outputNames[0] ?? ""]?.data as Float32Array);
};

describe("serving inside cairn server", () => {
  it("serves a registered MLflow ONNX model behind an alias with onnxruntime's answers, metrics, the prediction log and alias following", async () => {
    const rows = [
      [0.1, 0.2, 0.3, 0.4],
      [1, -1, 0.5, 2],
    ];
    const first = await logModel(1);
    await api("POST", "mlflow/registered-models/create", { name: "churn" });
    await api("POST", "mlflow/model-versions/create", { name: "churn", source: `runs:/${first.runId}/model`, run_id: first.runId });
    await api("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "1" });
    await api("POST", "cairn/deployments/create", { name: "churn", model_uri: "models:/churn@champion" });

    const expected = await direct(first.bytes, rows);
    const scoring = await fetch(`${server.url}/deployments/churn/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "score-1" },
      body: JSON.stringify({ inputs: { x: rows } }),
    });
    expect(scoring.status).toBe(200);
    expect(scoring.headers.get("x-cairn-model-version")).toBe("1");
    const predictions = ((await scoring.json()) as any).predictions;
    expect(predictions).toEqual({ prob: expected.map((value) => [value]) });

    const infer = async (): Promise<any> => {
      const response = await fetch(`${server.url}/v2/models/churn/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: "oip-1", inputs: [{ name: "x", shape: [2, 4], datatype: "FP32", data: rows.flat() }] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-cairn-model-version")).toBe("1");
      return response.json();
    };
    const answer = await infer();
    expect(answer.model_name).toBe("churn");
    expect(answer.model_version).toBe("1");
    expect(answer.outputs[0].shape).toEqual([2, 1]);
    expect(answer.outputs[0].data).toEqual(expected);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/cairn_serving_requests_total\{deployment="churn",version="1",protocol="mlflow"\} 1\b/);
    expect(metrics).toMatch(/cairn_serving_requests_total\{deployment="churn",version="1",protocol="oip"\} 1\b/);
    expect(metrics).toContain("cairn_serving_model_load_seconds_count");

    await waitFor(async () => (await api("GET", "cairn/serving/predictions?deployment=churn")).predictions?.length === 2, "the prediction log");
    const logged = (await api("GET", "cairn/serving/predictions?deployment=churn")).predictions;
    expect(logged.map((p: any) => p.request_id).sort()).toContain("score-1");

    // The alias moves to a new version under load: the deployment loads, warms and switches to it, and no request
    // fails on the way; every answer is exactly one version's.
    const second = await logModel(2);
    const secondExpected = await direct(second.bytes, rows);
    await api("POST", "mlflow/model-versions/create", { name: "churn", source: `runs:/${second.runId}/model`, run_id: second.runId });
    let loading = true;
    const outcomes: Array<{ status: number; version?: string; header?: string | null; data?: number[] }> = [];
    const load = Array.from({ length: 8 }, async () => {
      while (loading) {
        const response = await fetch(`${server.url}/v2/models/churn/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ inputs: [{ name: "x", shape: [2, 4], datatype: "FP32", data: rows.flat() }] }),
        });
        const body: any = await response.json();
        outcomes.push({ status: response.status, version: body.model_version, header: response.headers.get("x-cairn-model-version"), data: body.outputs?.[0]?.data });
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await api("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "2" });
    await waitFor(async () => outcomes.some((outcome) => outcome.version === "2"), "the switch to version 2");
    // Requests in flight at the switch may still finish on version 1; those sent well after it may not.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const settled = outcomes.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    loading = false;
    await Promise.all(load);
    expect(outcomes.filter((outcome) => outcome.status !== 200)).toEqual([]);
    const versionsSeen = new Set(outcomes.map((outcome) => outcome.version));
    expect([...versionsSeen].sort()).toEqual(["1", "2"]);
    for (const outcome of outcomes) {
      expect(outcome.data).toEqual(outcome.version === "1" ? expected : secondExpected);
      // The header names the version that answered, request by request, through the switch.
      expect(outcome.header).toBe(outcome.version);
    }
    expect(outcomes.slice(settled).map((outcome) => outcome.version).filter((version) => version !== "2")).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(50);
    const afterSwitch = await fetch(`${server.url}/deployments/churn/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: { x: rows } }),
    });
    expect(afterSwitch.headers.get("x-cairn-model-version")).toBe("2");
    expect(((await afterSwitch.json()) as any).predictions).toEqual({ prob: secondExpected.map((value) => [value]) });

    const lineage = await api("GET", "cairn/model-versions/lineage?name=churn&version=2");
    expect(lineage.edges.some((edge: any) => edge.relation === "deployed_as")).toBe(true);
  }, 60_000);
});
