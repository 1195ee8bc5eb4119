import { afterEach, describe, expect, it } from "vitest";
import { CairnApiError, CairnConnectionError } from "./errors.js";
import { backoffDelay, retryPolicy } from "./retry.js";
import { RecordingServer, unusedPort } from "./test-support/recording-server.js";
import { HttpTransport } from "./transport.js";

const fast = { retries: 3, minDelayMs: 5, maxDelayMs: 20 };
let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("HttpTransport retries", () => {
  it("retries a 503 twice, then returns the 200 answer", async () => {
    server = new RecordingServer((_request, index) =>
      index < 2 ? { status: 503, body: { error_code: "TEMPORARILY_UNAVAILABLE", message: "busy" } } : { status: 200, body: { experiment_id: "7" } },
    );
    const http = new HttpTransport({ trackingUri: await server.start(), retry: fast });
    const answer = await http.call<{ experiment_id: string }>("POST", "experiments/create", { name: "x" });
    expect(answer).toEqual({ experiment_id: "7" });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(Array(3).fill("POST /api/2.0/mlflow/experiments/create"));
    expect(server.requests.map((r) => r.body)).toEqual(Array(3).fill('{"name":"x"}'));
  });

  it.each([429, 502, 504])("retries status %i", async (status) => {
    server = new RecordingServer((_request, index) => (index === 0 ? { status, body: {} } : { status: 200, body: {} }));
    const http = new HttpTransport({ trackingUri: await server.start(), retry: fast });
    await http.call("POST", "runs/log-batch", {});
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry a 400 and throws CairnApiError with the server's code and message", async () => {
    server = new RecordingServer(() => ({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: "bad key" } }));
    const http = new HttpTransport({ trackingUri: await server.start(), retry: fast });
    const error = await http.call("POST", "runs/log-metric", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnApiError);
    expect(error).toMatchObject({ status: 400, errorCode: "INVALID_PARAMETER_VALUE", message: "bad key", error_code: "INVALID_PARAMETER_VALUE" });
    expect(server.requests).toHaveLength(1);
  });

  it("gives up after the configured retries and reports the last answer", async () => {
    server = new RecordingServer(() => ({ status: 503, body: { error_code: "TEMPORARILY_UNAVAILABLE", message: "down" } }));
    const http = new HttpTransport({ trackingUri: await server.start(), retry: { ...fast, retries: 2 } });
    await expect(http.call("GET", "runs/get", { run_id: "a" })).rejects.toMatchObject({ status: 503, errorCode: "TEMPORARILY_UNAVAILABLE" });
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]?.url).toBe("/api/2.0/mlflow/runs/get?run_id=a");
  });

  it("keeps a non-JSON error body readable", async () => {
    server = new RecordingServer(() => ({ status: 404, body: "nope" }));
    const http = new HttpTransport({ trackingUri: await server.start(), retry: fast });
    await expect(http.call("GET", "x")).rejects.toMatchObject({ status: 404, errorCode: "HTTP_404", message: '"nope"' });
  });

  it("retries connection refused until the server comes up", async () => {
    // Start listening on a free port only after the first attempts were refused.
    const port = await unusedPort();
    server = new RecordingServer(() => ({ status: 200, body: { ok: true } }));
    const http = new HttpTransport({ trackingUri: `http://127.0.0.1:${port}`, retry: { retries: 8, minDelayMs: 50, maxDelayMs: 200 } });
    const pending = http.call("GET", "experiments/get", { experiment_id: "1" });
    await new Promise((resolve) => setTimeout(resolve, 120));
    await server.start(port);
    await expect(pending).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(1);
  });

  it("throws CairnConnectionError naming the address when nothing listens", async () => {
    const port = await unusedPort();
    const http = new HttpTransport({ trackingUri: `http://127.0.0.1:${port}`, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });
    const error = await http.call("GET", "experiments/get", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnConnectionError);
    expect((error as Error).message).toBe(`cannot reach http://127.0.0.1:${port} (GET /api/2.0/mlflow/experiments/get): ECONNREFUSED`);
  });

  it("sends repeated query keys and configured headers", async () => {
    server = new RecordingServer(() => ({ status: 200, body: {} }));
    const http = new HttpTransport({ trackingUri: `${await server.start()}/`, headers: { authorization: "Bearer t" }, retry: fast });
    await http.call("GET", "metrics/get-history-bulk-interval", { run_ids: ["a", "b"], metric_key: "m x", start_step: undefined });
    expect(server.requests[0]?.url).toBe("/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=a&run_ids=b&metric_key=m+x");
  });

  it("writes non-finite doubles as MLflow's strings", async () => {
    server = new RecordingServer(() => ({ status: 200, body: {} }));
    const http = new HttpTransport({ trackingUri: await server.start(), retry: fast });
    await http.call("POST", "runs/log-metric", { value: Number.NaN, other: Number.NEGATIVE_INFINITY });
    expect(server.requests[0]?.body).toBe('{"value":"NaN","other":"-Infinity"}');
  });

  it("times out a slow answer: a GET is retried, a POST is not", async () => {
    server = new RecordingServer(() => new Promise((resolve) => setTimeout(() => resolve({ status: 200, body: {} }), 400)));
    const http = new HttpTransport({ trackingUri: await server.start(), retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 }, timeoutMs: 100 });
    const error = await http.call("GET", "runs/get", { run_id: "a" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnConnectionError);
    expect((error as Error).message).toBe(`cannot reach ${server.url} (GET /api/2.0/mlflow/runs/get): no answer within 100 ms`);
    await expect(http.call("POST", "runs/log-batch", {})).rejects.toBeInstanceOf(CairnConnectionError);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(server.requests.map((r) => r.method)).toEqual(["GET", "GET", "POST"]);
  });

  it("rejects a tracking URI that is not http(s)", () => {
    expect(() => new HttpTransport({ trackingUri: "file:///tmp" })).toThrow("trackingUri 'file:///tmp' must be an http:// or https:// URL");
    expect(() => new HttpTransport({ trackingUri: "nope" })).toThrow("trackingUri 'nope' is not a URL");
  });
});

describe("backoff", () => {
  it("grows exponentially with full jitter and stays under the ceiling", () => {
    const policy = retryPolicy({ retries: 5, minDelayMs: 100, maxDelayMs: 1000 });
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(400);
    expect(backoffDelay(policy, 3, () => 0)).toBe(50);
    expect(backoffDelay(policy, 0, () => 1, 3)).toBe(1000);
    expect(backoffDelay(policy, 0, () => 1, 0)).toBe(0);
  });

  it("refuses unbounded settings", () => {
    expect(() => retryPolicy({ retries: 11 })).toThrow("retry.retries must be a number from 0 to 10, got 11");
    expect(() => retryPolicy({ maxDelayMs: 120_000 })).toThrow("retry.maxDelayMs must be a number from 200 to 60000, got 120000");
  });
});
