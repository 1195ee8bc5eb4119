import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ServerConfig } from "../src/core/config.js";
import type { RunningServer } from "../src/server/start.js";
import { startServerIn } from "../src/server/test-support/temp-server.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../src/serving/test-support/onnx-models.js";
import { duringAttack } from "./support/bystanders.js";

/**
 * The 18 MB scoring bodies, against a real server: decoding one (JSON text -> tensors) and encoding its
 * answer cost over a second of event loop, and /health waited that long (1.5 s p99 under four clients). With the
 * codec pool they are decoded and encoded on worker threads: /health answers within 100 ms while they are scored,
 * a normal client's small requests succeed, the big requests are answered in full, and a full queue answers 503
 * with Retry-After.
 */
let dir: string;
let server: RunningServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-big-bodies-"));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const url = (route: string): string => `${server?.url ?? ""}${route}`;

const ok = async (method: string, route: string, body?: unknown): Promise<any> => {
  const response = await fetch(url(`/api/2.0/${route}`), {
    method,
    headers: { "content-type": "application/json", "x-cairn-user": "ops" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  expect(response.status, `${route}: ${text}`).toBe(200);
  return text === "" ? {} : JSON.parse(text);
};

/** A server with deployment `lr` (logistic regression, x [batch, 4] -> prob [batch, 1]). */
const start = async (config: Partial<ServerConfig> = {}): Promise<void> => {
  server = await startServerIn(dir, config, { awaitDeployments: true });
  const runId = (await ok("POST", "mlflow/runs/create", { experiment_id: "0" })).run.info.run_id as string;
  const modelDir = path.join(dir, "scratch", runId);
  await writeMlflowModelDir(modelDir, logisticRegressionModel(), { runId });
  for (const file of await readdir(modelDir)) {
    const put = await fetch(url(`/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/${file}`), { method: "PUT", body: await readFile(path.join(modelDir, file)) });
    expect(put.status).toBe(200);
  }
  await ok("POST", "mlflow/registered-models/create", { name: "lr" });
  await ok("POST", "mlflow/model-versions/create", { name: "lr", source: `runs:/${runId}/model`, run_id: runId });
  await ok("POST", "cairn/deployments/create", { name: "lr", model_uri: "models:/lr/1" });
  for (let i = 0; i < 200; i++) {
    const state = (await ok("GET", "cairn/deployments/get?name=lr")).deployment.state as string;
    if (state === "ready" || state === "READY") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** The bench's body: 18 MB of real rows (about 480,000 of them). */
const ROW = "[0.123456,0.234567,0.345678,0.456789],";
const BIG_ROWS = Math.floor((18 * 1024 * 1024 - 20) / ROW.length);
const BIG_BODY = Buffer.from(`{"inputs":[${ROW.repeat(BIG_ROWS).slice(0, -1)}]}`);

const post = async (route: string, body: Buffer | string): Promise<{ status: number; headers: Headers; text: string }> => {
  const response = await fetch(url(route), { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
};

describe("18 MB scoring bodies", () => {
  it("leave /health answering within 100 ms and a normal client scoring while they are decoded and encoded", async () => {
    await start();
    // Two clients, two big bodies each, back to back (the bench runs four).
    const seen = await duringAttack(
      url(""),
      async () => (await post("/deployments/lr/invocations", '{"inputs": [[0.1, 0.2, 0.3, 0.4]]}')).status,
      () =>
        Promise.all(
          [0, 1].map(async () => {
            const answers: Array<{ status: number; predictions: number }> = [];
            for (let i = 0; i < 2; i++) {
              const { status, text } = await post("/deployments/lr/invocations", BIG_BODY);
              answers.push({ status, predictions: status === 200 ? (JSON.parse(text) as { predictions: { prob: unknown[] } }).predictions.prob.length : -1 });
            }
            return answers;
          }),
        ),
    );
    expect(seen.result.flat()).toEqual(Array.from({ length: 4 }, () => ({ status: 200, predictions: BIG_ROWS })));
    // 95th percentile within 100 ms; the worst under 500 ms, which this 2-core machine's other tenants can cost on
    // their own (as in serving-isolation.test.ts). Before, each big body held the loop for over a second.
    expect(seen.healthChecks).toBeGreaterThan(10);
    expect(seen.healthP95Ms).toBeLessThan(100);
    expect(seen.healthWorstMs).toBeLessThan(500);
    expect(seen.normalStatuses.length).toBeGreaterThan(3);
    expect(new Set(seen.normalStatuses)).toEqual(new Set([200]));
  }, 120_000);

  it("answer 503 with Retry-After, in each protocol's error shape, when the codec queue is full; small bodies still score", async () => {
    await start({ scoringCodecs: { threads: 1, maxQueuedJobs: 0 } });
    const oip = JSON.stringify({ inputs: [{ name: "x", shape: [BIG_ROWS, 4], datatype: "FP32", data: Array.from({ length: BIG_ROWS * 4 }, () => 0.25) }] });
    const answers = await Promise.all([
      post("/deployments/lr/invocations", BIG_BODY),
      post("/deployments/lr/invocations", BIG_BODY),
      post("/v2/models/lr/infer", oip),
    ]);
    const refused = answers.filter((a) => a.status === 503);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    const message = "The server is decoding too many large scoring requests; retry shortly.";
    for (const answer of refused) {
      expect(answer.headers.get("retry-after")).toBe("1");
      expect([{ error_code: "TEMPORARILY_UNAVAILABLE", message }, { error: message }]).toContainEqual(JSON.parse(answer.text));
    }
    expect((await post("/deployments/lr/invocations", '{"inputs": [[0.1, 0.2, 0.3, 0.4]]}')).status).toBe(200);
  }, 120_000);

  it("refuses a large body with a full queue before reading it: the 503 comes with only the headers sent", async () => {
    await start({ scoringCodecs: { threads: 1, maxQueuedJobs: 0 } });
    const target = new URL(url("/deployments/lr/invocations"));
    const busy = post("/deployments/lr/invocations", BIG_BODY);
    /** Declares the big body, sends none of it, and waits up to 250 ms for an answer. */
    const headersOnly = (): Promise<{ status: number; retryAfter: string | undefined; text: string } | undefined> =>
      new Promise((resolve) => {
        const request = http.request(
          { host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: { "content-type": "application/json", "content-length": BIG_BODY.length } },
          (response) => {
            let text = "";
            response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
            response.on("end", () => {
              clearTimeout(timer);
              request.destroy();
              resolve({ status: response.statusCode ?? 0, retryAfter: response.headers["retry-after"], text });
            });
          },
        );
        const timer = setTimeout(() => {
          request.destroy();
          resolve(undefined);
        }, 250);
        request.on("error", () => undefined);
        request.flushHeaders();
      });
    let refused: Awaited<ReturnType<typeof headersOnly>>;
    // Until the first body is read and being decoded (the one worker busy), a headers-only request gets no answer.
    for (let attempt = 0; attempt < 40 && refused === undefined; attempt++) refused = await headersOnly();
    expect(refused).toEqual({
      status: 503,
      retryAfter: "1",
      text: JSON.stringify({ error_code: "TEMPORARILY_UNAVAILABLE", message: "The server is decoding too many large scoring requests; retry shortly." }),
    });
    expect((await busy).status).toBe(200);
  }, 120_000);
});
