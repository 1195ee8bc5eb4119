import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../src/serving/test-support/onnx-models.js";

/**
 * Registered versions are pinned to their files: a sha256 manifest is recorded at registration (or on first use by
 * serving for a version registered before its files), the artifact API refuses to overwrite or delete pinned files,
 * and downloads and serving refuse a file changed behind the API's back (on disk), naming it; every refusal is an
 * audit event. The attack: overwrite model.onnx after registration, and the next deployment serves the swapped file.
 */
let server: TempServer;
let scratch: string;
beforeAll(async () => {
  server = await startTempServer("cairn-integrity-");
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-integrity-model-"));
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

const request = async (method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> => {
  const response = await fetch(`${server.url}/api/2.0/${route}`, {
    method,
    headers: { "content-type": "application/json", "x-cairn-user": "ops" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? {} : JSON.parse(text) };
};
const api = async (method: string, route: string, body?: unknown): Promise<any> => {
  const { status, json } = await request(method, route, body);
  expect(status, `${route}: ${JSON.stringify(json)}`).toBe(200);
  return json;
};
const artifactUrl = (key: string): string => `${server.url}/api/2.0/mlflow-artifacts/artifacts/${key}`;
const put = (key: string, body: Uint8Array | string) => fetch(artifactUrl(key), { method: "PUT", body, headers: { "x-cairn-user": "mallory" } });
const del = (key: string) => fetch(artifactUrl(key), { method: "DELETE", headers: { "x-cairn-user": "mallory" } });
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** An MLflow ONNX model directory of a new run; uploaded through the artifact proxy unless `upload` is false. */
const newRunWithModel = async (seed: number, upload = true): Promise<{ runId: string; dir: string; files: string[]; bytes: Uint8Array }> => {
  const runId = (await api("POST", "mlflow/runs/create", { experiment_id: "0" })).run.info.run_id as string;
  const bytes = logisticRegressionModel(seed);
  const dir = path.join(scratch, `model-${seed}`);
  await writeMlflowModelDir(dir, bytes, { runId });
  const files = (await readdir(dir)).sort();
  if (upload) await uploadModel(runId, dir, files);
  return { runId, dir, files, bytes };
};
const uploadModel = async (runId: string, dir: string, files: readonly string[]): Promise<void> => {
  for (const file of files) expect((await put(`0/${runId}/artifacts/model/${file}`, await readFile(path.join(dir, file)))).status).toBe(200);
};

const auditEvents = async (action: string): Promise<any[]> => (await api("GET", `cairn/audit/events?action=${action}`)).events ?? [];

describe("registered versions pinned to their files", () => {
  it("records the manifest at registration and refuses overwrites and deletes of pinned files, keeping them intact", async () => {
    const model = await newRunWithModel(1);
    await api("POST", "mlflow/registered-models/create", { name: "churn" });
    await api("POST", "mlflow/model-versions/create", { name: "churn", source: `runs:/${model.runId}/model`, run_id: model.runId });
    const created = (await auditEvents("registry.model_version.create")).find((event) => event.entity_id === "churn/1");
    expect(created.after).toMatchObject({ pinned_files: model.files.length });
    expect(created.after.manifest_sha256).toMatch(/^[0-9a-f]{64}$/);

    const modelKey = `0/${model.runId}/artifacts/model`;
    const overwrite = await put(`${modelKey}/model.onnx`, "not a model");
    expect(overwrite.status).toBe(409);
    const refusal = (await overwrite.json()) as { error_code: string; message: string };
    expect(refusal.error_code).toBe("INVALID_STATE");
    expect(refusal.message).toContain(`Refused to overwrite artifact '${modelKey}/model.onnx'`);
    expect(refusal.message).toContain("'churn' version 1");
    // A new file inside the pinned folder, the folder, its run and the experiment's root are refused too.
    expect((await put(`${modelKey}/extra.txt`, "x")).status).toBe(409);
    for (const key of [modelKey, `0/${model.runId}`, "0"]) expect((await del(key)).status, key).toBe(409);
    expect((await del(`${modelKey}/MLmodel`)).status).toBe(409);
    // A multipart upload onto a pinned file is refused before any part is sent.
    const multipart = await fetch(`${server.url}/api/2.0/mlflow-artifacts/mpu/create/${modelKey}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-cairn-user": "mallory" },
      body: JSON.stringify({ path: "model.onnx", num_parts: 1 }),
    });
    expect(multipart.status).toBe(409);
    // Files the version does not hold stay writable.
    expect((await put(`0/${model.runId}/artifacts/notes.txt`, "fine")).status).toBe(200);
    expect((await del(`0/${model.runId}/artifacts/notes.txt`)).status).toBe(200);

    const download = await fetch(artifactUrl(`${modelKey}/model.onnx`));
    expect(download.status).toBe(200);
    expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(model.bytes));
    const refused = (await auditEvents("registry.integrity.refuse")).filter((event) => event.entity_id === "churn/1");
    expect(refused.map((event) => event.after.checkpoint)).toEqual(["upload", "upload", "delete", "delete", "delete", "delete", "upload"]);
    expect(refused[0]).toMatchObject({ actor: { name: "mallory" }, after: { key: `${modelKey}/model.onnx`, versions: ["churn/1"] } });
  });

  it("refuses to download or serve a pinned file changed on disk, naming the file, and audits each refusal", async () => {
    const model = await newRunWithModel(2);
    await api("POST", "mlflow/registered-models/create", { name: "fraud" });
    await api("POST", "mlflow/model-versions/create", { name: "fraud", source: `runs:/${model.runId}/model`, run_id: model.runId });
    const modelKey = `0/${model.runId}/artifacts/model`;
    // The attacker's swap, behind the API's back.
    const swapped = logisticRegressionModel(99);
    await writeFile(path.join(server.dir, "artifacts", modelKey, "model.onnx"), swapped);

    const download = await fetch(artifactUrl(`${modelKey}/model.onnx`));
    expect(download.status).toBe(409);
    const message = ((await download.json()) as { message: string }).message;
    expect(message).toContain("Refused to download model 'fraud' version 1: file 'model.onnx'");
    expect(message).toContain("it was changed after registration");
    // The untouched files still download.
    expect((await fetch(artifactUrl(`${modelKey}/MLmodel`))).status).toBe(200);

    const deploy = await request("POST", "cairn/deployments/create", { name: "fraud", model_uri: "models:/fraud/1" });
    expect(deploy.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(deploy.json)).toContain("Refused to serve model 'fraud' version 1: file 'model.onnx'");

    const refused = (await auditEvents("registry.integrity.refuse")).filter((event) => event.entity_id === "fraud/1");
    expect(refused.map((event) => [event.after.checkpoint, event.after.file, event.after.problem])).toEqual([
      ["download", "model.onnx", "changed"],
      ["serving", "model.onnx", "changed"],
    ]);
    expect(refused[0].after.actual_sha256).toBe(sha256(swapped));
    expect(refused[0].after.expected_sha256).toBe(sha256(model.bytes));
  });

  it("pins a version registered before its files on first use by serving, then guards it like any other", async () => {
    const model = await newRunWithModel(3, false);
    await api("POST", "mlflow/registered-models/create", { name: "late" });
    await api("POST", "mlflow/model-versions/create", { name: "late", source: `runs:/${model.runId}/model`, run_id: model.runId });
    const created = (await auditEvents("registry.model_version.create")).find((event) => event.entity_id === "late/1");
    expect(created.after.pinned_files).toBeUndefined();
    // Nothing is pinned yet, so the files may still arrive.
    await uploadModel(model.runId, model.dir, model.files);

    await api("POST", "cairn/deployments/create", { name: "late", model_uri: "models:/late/1" });
    const recorded = (await auditEvents("registry.integrity.record")).filter((event) => event.entity_id === "late/1");
    expect(recorded).toHaveLength(1);
    expect(recorded[0].after).toMatchObject({ origin: "first_use", root: `0/${model.runId}/artifacts/model`, files: model.files.length });
    expect((await put(`0/${model.runId}/artifacts/model/model.onnx`, "swap")).status).toBe(409);
  });
});
