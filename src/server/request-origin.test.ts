import { request as httpRequest } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../sdk/client.js";
import { startServerIn, startTempServer, type TempServer } from "./test-support/temp-server.js";
import { isLoopbackAddress, refuseOpenServer } from "./open-server.js";
import { startServer } from "./start.js";

/**
 * Secure-by-default request checks on a real server over loopback (issue 12: a page on another origin created and
 * deleted experiments; DNS rebinding worked because Host was not checked).
 */

interface Answer {
  status: number;
  body: { error_code?: string; message?: string; experiment_id?: string; experiments?: { name: string }[] };
  headers: Record<string, string | string[] | undefined>;
}

/** A raw HTTP request: node:http lets a test forge the Host header as a rebound DNS name would carry it. */
const send = (url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const target = new URL(options.path, url);
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: options.method ?? "GET", headers: options.headers ?? {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const isJson = String(response.headers["content-type"] ?? "").startsWith("application/json");
          resolve({ status: response.statusCode ?? 0, body: isJson ? (JSON.parse(text) as Answer["body"]) : {}, headers: response.headers });
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });

const createExperiment = (url: string, name: string, headers: Record<string, string>): Promise<Answer> =>
  send(url, { method: "POST", path: "/api/2.0/mlflow/experiments/create", headers, body: JSON.stringify({ name }) });

const experimentNames = async (url: string): Promise<string[]> => {
  const answer = await send(url, { path: "/api/2.0/mlflow/experiments/search?max_results=1000" });
  return (answer.body.experiments ?? []).map((experiment) => experiment.name).sort();
};

describe("request origin checks", () => {
  let server: TempServer;
  const json = { "content-type": "application/json" };

  beforeAll(async () => {
    server = await startTempServer("cairn-origin-");
  });
  afterAll(async () => server?.close());

  it("refuses a Host the server was not addressed by (DNS rebinding) with 403 naming --allowed-hosts, reads too", async () => {
    const port = new URL(server.url).port;
    for (const forged of [`rebind.attacker.example:${port}`, "rebind.attacker.example", `127.0.0.1.attacker.example:${port}`]) {
      const read = await send(server.url, { path: "/api/2.0/mlflow/experiments/search", headers: { host: forged } });
      expect(read.status).toBe(403);
      expect(read.body).toEqual({
        error_code: "PERMISSION_DENIED",
        message: `Host '${forged}' is not allowed (DNS rebinding protection); start the server with --allowed-hosts to accept it`,
      });
      expect((await createExperiment(server.url, "rebound", { ...json, host: forged })).status).toBe(403);
    }
    expect((await send(server.url, { path: "/", headers: { host: `evil.example:${port}` } })).status).toBe(403);
    expect(await experimentNames(server.url)).toEqual(["Default"]);
    for (const loopback of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, "localhost"]) {
      expect((await send(server.url, { path: "/api/2.0/mlflow/experiments/search", headers: { host: loopback } })).status).toBe(200);
    }
  });

  it("refuses a cross-origin write named by Origin or Referer with 403, accepts same-origin ones", async () => {
    const otherOrigins = ["http://127.0.0.1:1", "http://localhost:" + new URL(server.url).port, "https://attacker.example", "null"];
    for (const origin of otherOrigins) {
      const refused = await createExperiment(server.url, "cross-origin", { ...json, origin });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        error_code: "PERMISSION_DENIED",
        message: `Cross-origin POST refused: origin '${origin}' is not this server's; list it in --allowed-origins to accept it`,
      });
    }
    const byReferer = await createExperiment(server.url, "cross-referer", { ...json, referer: "http://attacker.example/page.html" });
    expect(byReferer.status).toBe(403);
    expect(byReferer.body.message).toBe("Cross-origin POST refused: origin 'http://attacker.example' is not this server's; list it in --allowed-origins to accept it");
    const deleted = await send(server.url, { method: "DELETE", path: "/api/2.0/mlflow-artifacts/artifacts/0/x.txt", headers: { origin: "https://attacker.example" } });
    expect(deleted.status).toBe(403);
    expect(await experimentNames(server.url)).toEqual(["Default"]);

    const sameOrigin = await createExperiment(server.url, "same-origin", { ...json, origin: server.url, referer: `${server.url}/experiments` });
    expect(sameOrigin.status).toBe(200);
    const sameByReferer = await createExperiment(server.url, "same-referer", { ...json, referer: `${server.url}/experiments/0` });
    expect(sameByReferer.status).toBe(200);
    // A read may name any origin: without CORS headers the foreign page cannot see the answer.
    const read = await send(server.url, { path: "/api/2.0/mlflow/experiments/search", headers: { origin: "https://attacker.example" } });
    expect(read.status).toBe(200);
    expect(read.headers["access-control-allow-origin"]).toBeUndefined();
    expect(await experimentNames(server.url)).toEqual(["Default", "same-origin", "same-referer"]);
  });

  it("refuses a state-changing text/plain or form body (a simple request) with 415 and stores nothing", async () => {
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"]) {
      const refused = await createExperiment(server.url, "simple-request", { "content-type": type });
      expect(refused.status).toBe(415);
      expect(refused.body).toEqual({
        error_code: "UNSUPPORTED_MEDIA_TYPE",
        message: `Content-Type '${type}' is not supported: send the request body as application/json`,
      });
    }
    expect(await experimentNames(server.url)).not.toContain("simple-request");
  });

  it("leaves CLI, SDK and MLflow-client traffic (no Origin, JSON, octet-stream uploads) unaffected", async () => {
    const client = new CairnClient({ trackingUri: server.url });
    const experimentId = await client.experiments.create({ name: "from-sdk" });
    const run = await client.runs.create({ experimentId });
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-origin-upload-"));
    try {
      await writeFile(path.join(dir, "model.txt"), "weights");
      expect(await client.artifacts.upload(run.info.run_id, path.join(dir, "model.txt"))).toEqual(["model.txt"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect((await client.artifacts.list(run.info.run_id)).files.map((file) => file.path)).toEqual(["model.txt"]);
    // A script's bare body without any content type is still JSON, as MLflow decodes it.
    const bare = await send(server.url, { method: "POST", path: "/api/2.0/mlflow/experiments/create", body: JSON.stringify({ name: "bare-body" }) });
    expect(bare.status).toBe(200);
    expect(await experimentNames(server.url)).toEqual(expect.arrayContaining(["from-sdk", "bare-body"]));
  });
});

describe("configured hosts and origins", () => {
  it("accepts the names in --allowed-hosts and the origins in --allowed-origins, * disables each check", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-origin-config-"));
    const server = await startServerIn(dir, { allowedHosts: ["cairn.internal", "pinned.example:8443"], allowedOrigins: ["https://ui.example"] });
    try {
      const port = new URL(server.url).port;
      const json = { "content-type": "application/json" };
      expect((await send(server.url, { path: "/health", headers: { host: `cairn.internal:${port}` } })).status).toBe(200);
      expect((await send(server.url, { path: "/health", headers: { host: "pinned.example:8443" } })).status).toBe(200);
      expect((await send(server.url, { path: "/health", headers: { host: "pinned.example:9000" } })).status).toBe(403);
      expect((await createExperiment(server.url, "from-ui", { ...json, origin: "https://ui.example" })).status).toBe(200);
      expect((await createExperiment(server.url, "from-ui-port", { ...json, origin: "https://ui.example:8443" })).status).toBe(403);
      // Behind a TLS proxy that keeps the Host, the page's https origin is the server's own.
      expect((await createExperiment(server.url, "via-proxy", { ...json, host: "cairn.internal", origin: "https://cairn.internal" })).status).toBe(200);
    } finally {
      await server.close();
    }
    const open = await startServerIn(dir, { allowedHosts: ["*"], allowedOrigins: ["*"] });
    try {
      expect((await send(open.url, { path: "/health", headers: { host: "anything.example" } })).status).toBe(200);
      expect((await createExperiment(open.url, "anyone", { "content-type": "application/json", origin: "https://anyone.example" })).status).toBe(200);
    } finally {
      await open.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("no open server without auth", () => {
  it("knows loopback addresses", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) expect(isLoopbackAddress(address)).toBe(true);
    for (const address of ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "fe80::1", "example.com", "128.0.0.1"]) expect(isLoopbackAddress(address)).toBe(false);
  });

  it("refuses to listen on a non-loopback address unless --insecure-no-auth says so", async () => {
    const message =
      "refusing to listen on '0.0.0.0' without --auth: anyone who can reach this address could change or delete " +
      "every experiment, model and deployment. Pass --auth, listen on 127.0.0.1 (behind an authenticating proxy), or pass --insecure-no-auth to accept that risk";
    expect(() => refuseOpenServer({ host: "0.0.0.0" })).toThrow(message);
    expect(() => refuseOpenServer({ host: "0.0.0.0", insecureNoAuth: true })).not.toThrow();
    expect(() => refuseOpenServer({ host: "0.0.0.0", auth: true })).not.toThrow();
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-origin-open-"));
    try {
      await expect(startServer({ host: "0.0.0.0", port: 0, backendStoreUri: `sqlite:///${dir}/cairn.db`, artifactsDestination: `${dir}/artifacts`, logLevel: "silent" })).rejects.toThrow(message);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("cairn serve's Host check", () => {
  it("accepts the names given with --allowed-hosts (a container's service name) and refuses others", async () => {
    const { startStandaloneServer } = await import("../serving/standalone.js");
    const { logisticRegressionModel, writeOnnxFile } = await import("../serving/test-support/onnx-models.js");
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-origin-serve-"));
    const server = await startStandaloneServer({ model: await writeOnnxFile(dir, "lr.onnx", logisticRegressionModel()), port: 0, allowedHosts: ["churn-model"] });
    try {
      const infer = (host: string) =>
        send(server.url, {
          method: "POST",
          path: "/v2/models/lr/infer",
          headers: { host, "content-type": "application/json" },
          body: JSON.stringify({ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] }] }),
        });
      expect((await infer("churn-model:5001")).status).toBe(200);
      expect((await infer(`127.0.0.1:${new URL(server.url).port}`)).status).toBe(200);
      expect((await infer("attacker.example")).status).toBe(403);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
