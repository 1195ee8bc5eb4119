import { realpathSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ERROR_MESSAGE_CHARS } from "../src/server/error-handler.js";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";

/** Findings of issue 12 about what a request can make the server say or do: echoed input, server paths, deep JSON. */
let server: TempServer;
beforeAll(async () => {
  server = await startTempServer("cairn-hygiene-");
});
afterAll(async () => server.close());

const post = async (route: string, body: unknown): Promise<{ status: number; body: { error_code?: string; message?: string } }> => {
  const response = await fetch(`${server.url}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error_code?: string; message?: string } };
};

describe("error messages", () => {
  it("echo at most 1,000 characters of an 800 KB bad value and say how long the message was", async () => {
    const big = "x".repeat(800_000);
    const response = await post("/api/2.0/mlflow/runs/create", { experiment_id: big });
    expect(response.status).toBe(400);
    expect(response.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    const message = response.body.message ?? "";
    const prefix = "Invalid experiment ID: '";
    const total = Number(/… \((\d+) characters\) …/.exec(message)?.[1]);
    // The whole message quoted the 800,000 characters; the answer keeps its first 800 and last 200.
    expect(total).toBeGreaterThan(prefix.length + big.length);
    expect(message.startsWith(`${prefix}${"x".repeat(800 - prefix.length)}… (${total} characters) …`)).toBe(true);
    expect(message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS + ` … (${total} characters) …`.length);
  });

  it("cut in Cairn's own endpoints too (a deployment's model URI)", async () => {
    const response = await post("/api/2.0/cairn/deployments/create", { name: "d1", model_uri: "y".repeat(800_000) });
    expect(response.status).toBe(400);
    expect(response.body.message?.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 30);
    expect(response.body.message).toMatch(/^Not a proper models:\/ URI: y{773}… \(800\d{3} characters\) …y*/);
  });

  it("name no server folder: a model that cannot be loaded is named by its cache path relative to the cache", async () => {
    const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/bad/model.onnx`, { method: "PUT", body: "not an onnx model" });
    expect(put.status).toBe(200);
    expect((await post("/api/2.0/mlflow/registered-models/create", { name: "bad" })).status).toBe(200);
    expect((await post("/api/2.0/mlflow/model-versions/create", { name: "bad", source: "mlflow-artifacts:/0/bad/model.onnx" })).status).toBe(200);
    const response = await post("/api/2.0/cairn/deployments/create", { name: "d2", model_uri: "models:/bad/1" });
    expect(response.status).toBe(400);
    const message = response.body.message ?? "";
    expect(message).toMatch(/^Version 1 of model 'bad' could not be loaded for deployment 'd2' \(create\); .*could not load ONNX model <model-cache>\/bad\/1-\d+\/files\/model\.onnx: /);
    expect(message).not.toContain(server.dir);
    expect(message).not.toContain(realpathSync(server.dir));
  });
});

describe("JSON nesting", () => {
  it("refuses 100,000 nested arrays with a 400 naming the limit, and the server keeps answering", async () => {
    const response = await post("/api/2.0/mlflow/experiments/create", "[".repeat(100_000));
    expect(response).toEqual({
      status: 400,
      body: {
        error_code: "MALFORMED_REQUEST",
        message: "Malformed JSON request body: arrays and objects are nested deeper than the limit of 64 levels",
      },
    });
    const nestedObjects = await post("/api/2.0/mlflow/runs/log-batch", `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`);
    expect(nestedObjects.status).toBe(400);
    expect(nestedObjects.body.message).toContain("limit of 64 levels");
    const health = await fetch(`${server.url}/health`);
    expect(await health.text()).toBe("OK");
  });

  it("refuses deep nesting inside a JSON body that is itself a JSON string (the double-encoded form)", async () => {
    const response = await post("/api/2.0/mlflow/experiments/create", JSON.stringify("[".repeat(1000)));
    expect(response.status).toBe(400);
    expect(response.body.message).toBe("Malformed JSON request body: arrays and objects are nested deeper than the limit of 64 levels");
  });
});
