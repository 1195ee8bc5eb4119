import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "./start.js";
import { startServerIn } from "./test-support/temp-server.js";

/** A raw request, so that a test can send a body without content-length (chunked) or with a false one. */
const send = (url: string, method: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { "content-type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, json: text.startsWith("{") ? (JSON.parse(text) as unknown) : text });
      });
    });
    req.on("error", reject);
    // Two writes without content-length: node sends the body chunked.
    req.write(body.slice(0, 10));
    req.end(body.slice(10));
  });

describe("body limits per route (issue 12 part 5)", () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-body-limits-"));
    server = await startServerIn(dir, { maxScoringBodyBytes: 1000, webUiDir: null });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers a scoring body over --max-scoring-body-bytes with 413 naming the limit, on both protocols", async () => {
    const big = JSON.stringify({ inputs: Array.from({ length: 300 }, () => [1, 2, 3, 4]) });
    expect(await send(`${server.url}/deployments/churn/invocations`, "POST", big)).toEqual({
      status: 413,
      json: { error_code: "INVALID_PARAMETER_VALUE", message: "Request body exceeds the serving limit of 1000 bytes." },
    });
    expect(await send(`${server.url}/v2/models/churn/infer`, "POST", big)).toEqual({
      status: 413,
      json: { error: "Request body exceeds the serving limit of 1000 bytes." },
    });
    // Under the limit the request reaches the route (no such deployment).
    const small = await send(`${server.url}/deployments/churn/invocations`, "POST", JSON.stringify({ inputs: [[1, 2, 3, 4]] }));
    expect(small.status).toBe(404);
  });

  it("refuses a log-batch over MLflow's 1 MB with MLflow's message when declared, and with a 413 naming the limit when chunked", async () => {
    const body = JSON.stringify({ run_id: "a".repeat(32), params: [{ key: "big", value: "x".repeat(1_000_100) }] });
    const declared = await send(`${server.url}/api/2.0/mlflow/runs/log-batch`, "POST", body, { "content-length": String(Buffer.byteLength(body)) });
    expect(declared).toEqual({
      status: 400,
      json: { error_code: "INVALID_PARAMETER_VALUE", message: `Batched logging API requests must be at most 1000000 bytes, got a request of size ${body.length}.` },
    });
    const chunked = await send(`${server.url}/api/2.0/mlflow/runs/log-batch`, "POST", body);
    expect(chunked).toEqual({ status: 413, json: { error_code: "INVALID_PARAMETER_VALUE", message: "Request body exceeds this endpoint's limit of 1000000 bytes." } });
  });

  it("answers a JSON body over the app's 2 MiB with 413 naming the limit", async () => {
    const body = JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) });
    expect(await send(`${server.url}/api/2.0/mlflow/experiments/create`, "POST", body)).toEqual({
      status: 413,
      json: { error_code: "INVALID_PARAMETER_VALUE", message: "Request body exceeds this endpoint's limit of 2097152 bytes." },
    });
  });
});
