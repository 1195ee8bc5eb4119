import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, startAuthServer, ADMIN } from "../src/auth/test-support/auth-server.js";
import type { RunningServer } from "../src/server/start.js";

/**
 * Issue 12, "the MLflow Python client runs its everyday traffic with basic auth and with a token". The client cannot
 * be installed here, so its requests are replayed as mlflow.utils.rest_utils builds them: `User-Agent:
 * mlflow-python-client/<v>`, JSON bodies for POST/PATCH/DELETE and query strings for GET, and the credentials of
 * MLFLOW_TRACKING_USERNAME/PASSWORD (python requests' HTTPBasicAuth: latin-1 user:password in base64) or
 * MLFLOW_TRACKING_TOKEN (`Authorization: Bearer <token>`). Artifacts go through mlflow-artifacts (proxied).
 */
const USER = { username: "data-scientist", password: "pässword-for-runs" };

describe("the MLflow client's everyday traffic under --auth", () => {
  let server: RunningServer & { dir: string };
  let token: string;

  beforeAll(async () => {
    server = await startAuthServer();
    const admin = { authorization: basic(ADMIN.username, ADMIN.password), "content-type": "application/json" };
    const created = await fetch(`${server.url}/api/2.0/mlflow/users/create`, { method: "POST", headers: admin, body: JSON.stringify(USER) });
    expect(created.status).toBe(200);
    const tokenAnswer = await fetch(`${server.url}/api/2.0/cairn/tokens/create`, {
      method: "POST",
      headers: { authorization: basic(USER.username, USER.password), "content-type": "application/json" },
      body: JSON.stringify({ name: "notebook" }),
    });
    token = ((await tokenAnswer.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await server.close();
  });

  const session = (authorization: string) => {
    const headers = { "User-Agent": "mlflow-python-client/2.22.0", authorization };
    const call = async (method: string, endpoint: string, message: Record<string, unknown> = {}): Promise<Record<string, unknown>> => {
      const url = `${server.url}/api/2.0/mlflow/${endpoint}`;
      const query = new URLSearchParams(Object.entries(message).map(([k, v]): [string, string] => [k, String(v)])).toString();
      const response =
        method === "GET"
          ? await fetch(`${url}?${query}`, { headers })
          : await fetch(url, { method, headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(message) });
      const text = await response.text();
      expect(response.status, `${method} ${endpoint}: ${text}`).toBe(200);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const artifact = (path: string) => `${server.url}/api/2.0/mlflow-artifacts/artifacts/${path}`;
    return { headers, call, artifact };
  };

  const everydayTraffic = async (label: string, authorization: string): Promise<void> => {
    const { headers, call, artifact } = session(authorization);
    const experimentId = (await call("POST", "experiments/create", { name: `exp-${label}` })).experiment_id as string;
    expect((await call("GET", "experiments/get-by-name", { experiment_name: `exp-${label}` })).experiment).toMatchObject({ experiment_id: experimentId });
    const run = (await call("POST", "runs/create", { experiment_id: experimentId, start_time: Date.now(), user_id: "someone-declared", tags: [] })).run as {
      info: { run_id: string; artifact_uri: string; user_id: string };
    };
    const runId = run.info.run_id;
    // The run's user is the authenticated user, not what the client declared.
    expect(run.info.user_id).toBe(USER.username);
    await call("POST", "runs/log-metric", { run_id: runId, key: "loss", value: 0.5, timestamp: Date.now(), step: 0 });
    await call("POST", "runs/log-parameter", { run_id: runId, key: "lr", value: "0.01" });
    await call("POST", "runs/set-tag", { run_id: runId, key: "team", value: "risk" });
    await call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [{ key: "acc", value: 0.9, timestamp: Date.now(), step: 1 }],
      params: [{ key: "depth", value: "6" }],
      tags: [{ key: "stage", value: "dev" }],
    });
    const fetched = (await call("GET", "runs/get", { run_id: runId })).run as { data: { metrics: unknown[]; params: unknown[] } };
    expect(fetched.data.metrics).toHaveLength(2);

    const root = run.info.artifact_uri.replace("mlflow-artifacts:/", "");
    const content = Buffer.from("artifact_path: model\nflavors: {}\n");
    const upload = await fetch(artifact(`${root}/model/MLmodel`), { method: "PUT", headers: { ...headers, "Content-Type": "text/plain" }, body: content });
    expect(upload.status).toBe(200);
    const download = await fetch(artifact(`${root}/model/MLmodel`), { headers });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(content)).toBe(true);
    const listing = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${root}/model`)}`, { headers });
    expect(((await listing.json()) as { files: unknown[] }).files).toHaveLength(1);
    await call("POST", "runs/update", { run_id: runId, status: "FINISHED", end_time: Date.now() });

    const model = `model-${label}`;
    await call("POST", "registered-models/create", { name: model });
    const version = (await call("POST", "model-versions/create", { name: model, source: `${run.info.artifact_uri}/model`, run_id: runId })).model_version as {
      version: string;
      user_id?: string;
    };
    expect(version.version).toBe("1");
    await call("POST", "registered-models/alias", { name: model, alias: "champion", version: "1" });
    const latest = (await call("POST", "registered-models/get-latest-versions", { name: model })).model_versions as Array<{ version: string }>;
    expect(latest.map((v) => v.version)).toEqual(["1"]);
    const byAlias = (await call("GET", "registered-models/alias", { name: model, alias: "champion" })).model_version as { version: string };
    expect(byAlias.version).toBe("1");

    // Every write above is the authenticated user's, verified, in the audit trail.
    const admin = { authorization: basic(ADMIN.username, ADMIN.password) };
    const events = await fetch(`${server.url}/api/2.0/cairn/audit/events?entity_type=registered_model&entity_id=${model}`, { headers: admin });
    const actors = ((await events.json()) as { events: Array<{ actor: unknown }> }).events.map((e) => e.actor);
    expect(actors.length).toBeGreaterThan(0);
    for (const actor of actors) expect(actor).toEqual({ name: USER.username, verified: true });
  };

  it("with MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (HTTP Basic, latin-1 as python requests encodes it)", async () => {
    await everydayTraffic("basic", basic(USER.username, USER.password, "latin1"));
  });

  it("with MLFLOW_TRACKING_TOKEN (Bearer)", async () => {
    await everydayTraffic("bearer", `Bearer ${token}`);
  });

  it("and nothing without them: the same first call is a 401 that tells the client to authenticate", async () => {
    const response = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, {
      method: "POST",
      headers: { "User-Agent": "mlflow-python-client/2.22.0", "Content-Type": "application/json" },
      body: JSON.stringify({ name: "anonymous" }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="cairn"');
  });
});
