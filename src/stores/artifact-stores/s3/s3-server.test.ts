import { createHash } from "node:crypto";
import * as ort from "onnxruntime-node";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateArtifactsCommand } from "../../../cli/commands/artifacts-migrate.js";
import { startServerIn } from "../../../server/test-support/temp-server.js";
import type { RunningServer } from "../../../server/start.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../../../serving/test-support/onnx-models.js";
import { startS3rver, type TestS3Server } from "./test-support/s3rver-server.js";

/**
 * A real server with --artifacts-destination s3://..., end to end over HTTP: artifacts logged on a folder before
 * `cairn artifacts migrate` are served unchanged once the server points at S3; uploads and downloads stream (memory
 * bounded); MLflow's multipart upload works; an S3 outage is a 503 in MLflow's error shape and passes without a restart.
 */
const json = async (url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const post = (url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> =>
  json(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("a server on an S3 artifacts destination", () => {
  let s3: TestS3Server;
  let dir: string;
  let server: RunningServer;
  let runId = "";
  const destination = (): string => `s3://${"cairn-test"}/team/artifacts`;
  beforeAll(async () => {
    s3 = await startS3rver();
    dir = await mkdtemp(path.join(tmpdir(), "cairn-s3-server-"));
    // Logged while artifacts live in a folder...
    const local = await startServerIn(dir);
    const created = await post(`${local.url}/api/2.0/mlflow/runs/create`, { experiment_id: "0" });
    const run = (created.body.run as { info: { run_id: string; artifact_uri: string } }).info;
    runId = run.run_id;
    expect(run.artifact_uri).toBe(`mlflow-artifacts:/0/${runId}/artifacts`);
    const put = await fetch(`${local.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/weights.txt`, { method: "PUT", body: "0123456789" });
    expect(put.status).toBe(200);
    await local.close();
    // ...moved with one command, then the server points at the bucket.
    const env = { MLFLOW_S3_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };
    const moved = await migrateArtifactsCommand({ from: path.join(dir, "artifacts"), to: destination() }, env);
    expect(moved.data).toMatchObject({ objects: 1, copied: 1, failed: 0 });
    server = await startServerIn(dir, { artifactsDestination: destination(), s3: s3.settings });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses to start on a missing bucket or refused credentials, naming which, without the secret", async () => {
    const other = await mkdtemp(path.join(tmpdir(), "cairn-s3-refused-"));
    try {
      await expect(startServerIn(other, { artifactsDestination: "s3://missing-bucket/x", s3: s3.settings })).rejects.toThrow(
        "--artifacts-destination s3://missing-bucket/x: bucket 'missing-bucket' does not exist.",
      );
      const wrong = { ...s3.settings, credentials: { accessKeyId: "NOT-A-KEY", secretAccessKey: "very-secret-value" } };
      const refused = (await startServerIn(other, { artifactsDestination: destination(), s3: wrong }).catch((error: unknown) => error)) as Error;
      expect(refused).toBeInstanceOf(Error);
      expect(refused.message).toContain("access to bucket 'cairn-test' was denied; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
      expect(refused.message).not.toContain("very-secret-value");
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("serves an artifact logged before the move, by the same run and path", async () => {
    const listed = await json(`${server.url}/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=model`);
    expect(listed.body).toEqual({ root_uri: `mlflow-artifacts:/0/${runId}/artifacts`, files: [{ path: "model/weights.txt", is_dir: false, file_size: 10 }] });
    const file = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/weights.txt`);
    expect(await file.text()).toBe("0123456789");
    const ranged = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/weights.txt`, { headers: { range: "bytes=2-4" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe("bytes 2-4/10");
    expect(await ranged.text()).toBe("234");
  });

  it("serves a registered ONNX model whose files are in S3 (copied to the local model cache for onnxruntime)", async () => {
    const api = async (route: string, body: unknown): Promise<Record<string, unknown>> => {
      const answer = await post(`${server.url}/api/2.0/${route}`, body);
      expect(answer.status, `${route}: ${JSON.stringify(answer.body)}`).toBe(200);
      return answer.body;
    };
    const modelRun = ((await api("mlflow/runs/create", { experiment_id: "0" })).run as { info: { run_id: string } }).info.run_id;
    const bytes = logisticRegressionModel(3);
    const modelDir = path.join(dir, "model-src");
    await writeMlflowModelDir(modelDir, bytes, { runId: modelRun });
    for (const file of await readdir(modelDir)) {
      const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${modelRun}/artifacts/model/${file}`, { method: "PUT", body: await readFile(path.join(modelDir, file)) });
      expect(put.status).toBe(200);
    }
    await api("mlflow/registered-models/create", { name: "s3-model" });
    await api("mlflow/model-versions/create", { name: "s3-model", source: `runs:/${modelRun}/model`, run_id: modelRun });
    await api("cairn/deployments/create", { name: "s3-model", model_uri: "models:/s3-model/1" });
    const rows = [[0.1, 0.2, 0.3, 0.4]];
    const session = await ort.InferenceSession.create(bytes);
    const direct = await session.run({ x: new ort.Tensor("float32", Float32Array.from(rows.flat()), [1, 4]) });
    const expected = Array.from(direct[session.outputNames[0] ?? ""]?.data as Float32Array);
    const scored = await fetch(`${server.url}/deployments/s3-model/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs: { x: rows } }) });
    expect(scored.status).toBe(200);
    expect(((await scored.json()) as { predictions: unknown }).predictions).toEqual({ prob: expected.map((value) => [value]) });
  }, 60_000);

  it("completes MLflow's multipart upload on S3 multipart", async () => {
    const base = `${server.url}/api/2.0/mlflow-artifacts/mpu`;
    const created = await post(`${base}/create/0/${runId}/artifacts`, { path: "/home/me/big.bin", num_parts: 2 });
    expect(created.status).toBe(200);
    const uploadId = created.body.upload_id as string;
    expect(uploadId).toMatch(/^[0-9a-f]{32}$/);
    const credentials = created.body.credentials as { url: string; part_number: number }[];
    const partOne = Buffer.alloc(5 * 1024 * 1024, 1);
    const etags: string[] = [];
    for (const [index, body] of [partOne, Buffer.from("tail")].entries()) {
      const sent = await fetch((credentials[index] as { url: string }).url, { method: "PUT", body });
      expect(sent.status).toBe(200);
      etags.push(sent.headers.get("etag") ?? "");
    }
    expect(etags[1]).toBe(`"${createHash("md5").update("tail").digest("hex")}"`);
    const done = await post(`${base}/complete/0/${runId}/artifacts`, {
      path: "/home/me/big.bin",
      upload_id: uploadId,
      parts: etags.map((etag, index) => ({ part_number: index + 1, etag })),
    });
    expect(done).toEqual({ status: 200, body: {} });
    const listed = await json(`${server.url}/api/2.0/mlflow/artifacts/list?run_id=${runId}`);
    expect(listed.body.files).toContainEqual({ path: "big.bin", is_dir: false, file_size: 5 * 1024 * 1024 + 4 });
  });

  it("answers 503 TEMPORARILY_UNAVAILABLE while S3 is down and serves again once it is back, without a restart", async () => {
    await s3.stop();
    try {
      const upload = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/during-outage.txt`, { method: "PUT", body: "x" });
      expect(upload.status).toBe(503);
      const body = (await upload.json()) as { error_code: string; message: string };
      expect(body.error_code).toBe("TEMPORARILY_UNAVAILABLE");
      expect(body.message).not.toContain("S3RVER");
      const download = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/weights.txt`);
      expect(download.status).toBe(503);
      expect(((await download.json()) as { error_code: string }).error_code).toBe("TEMPORARILY_UNAVAILABLE");
    } finally {
      await s3.restart();
    }
    const file = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/weights.txt`);
    expect(await file.text()).toBe("0123456789");
    // The write refused during the outage stored nothing.
    const missing = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/during-outage.txt`);
    expect(missing.status).toBe(404);
  });

  it("aborts a download whose S3 connection fails mid-body: the client sees a cut response, never a complete short 200", async () => {
    const size = 64 * 1024 * 1024;
    const url = new URL(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/cut.bin`);
    const put = await fetch(url, { method: "PUT", body: Buffer.alloc(size, 3) });
    expect(put.status).toBe(200);
    const response = await new Promise<IncomingMessage>((resolve, reject) => httpRequest(url, resolve).on("error", reject).end());
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-length"]).toBe(String(size));
    let bytes = 0;
    let stopping: Promise<void> | undefined;
    const outcome = await new Promise<string>((resolve) => {
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        // S3 goes away once the body is flowing.
        if (bytes >= 1024 * 1024) stopping ??= s3.stop();
      });
      response.on("end", () => resolve("end"));
      response.on("aborted", () => resolve("aborted"));
      response.on("error", () => resolve("error"));
    });
    await stopping;
    await s3.restart();
    expect(outcome).not.toBe("end");
    expect(response.complete).toBe(false);
    expect(bytes).toBeLessThan(size);
    // The server serves the same file whole again once S3 is back.
    const again = await fetch(url);
    expect(again.status).toBe(200);
    expect((await again.arrayBuffer()).byteLength).toBe(size);
  }, 60_000);

  it("streams a 256 MiB upload and download through the server with bounded memory and the same sha256", async () => {
    const size = 256 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024);
    for (let index = 0; index < chunk.length; index += 1) chunk[index] = (index * 31 + 7) & 0xff;
    const sent = createHash("sha256");
    const url = new URL(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/stream.bin`);
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 25);
    try {
      const uploaded = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, method: "PUT", path: url.pathname, headers: { "content-length": String(size) } });
        req.on("response", resolve).on("error", reject);
        let written = 0;
        const pump = (): void => {
          while (written < size) {
            chunk.writeUInt32BE(written / chunk.length, 0);
            sent.update(chunk);
            written += chunk.length;
            if (!req.write(Buffer.from(chunk))) return void req.once("drain", pump);
          }
          req.end();
        };
        pump();
      });
      uploaded.resume();
      expect(uploaded.statusCode).toBe(200);
      const received = createHash("sha256");
      let bytes = 0;
      const download = await new Promise<IncomingMessage>((resolve, reject) => httpRequest(url, resolve).on("error", reject).end());
      expect(download.headers["content-length"]).toBe(String(size));
      for await (const part of download) {
        received.update(part as Buffer);
        bytes += (part as Buffer).length;
      }
      expect(bytes).toBe(size);
      expect(received.digest("hex")).toBe(sent.digest("hex"));
    } finally {
      clearInterval(timer);
    }
    // Client, server and s3rver share this process: the bound covers all three.
    expect(peak - baseline).toBeLessThan(150 * 1024 * 1024);
  }, 180_000);
});
