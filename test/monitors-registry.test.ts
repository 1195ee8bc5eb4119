import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server/start.js";
import { startServerIn } from "../src/server/test-support/temp-server.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../src/serving/test-support/onnx-models.js";
import { deliveredEvents, TestReceiver } from "../src/webhooks/test-support/receiver.js";

/**
 * Monitors inside `cairn server` over real deployments of real ONNX models (registered MLflow model directories and
 * a bare .onnx file), through HTTP only, as a user meets them. What the trial saw, reproduced and shown fixed:
 * - the window's columns are named by the version's signature in the registry, also when that version is no longer
 *   loaded (a drift alert on drifted data, the alias moved to another version with the same signature: no false
 *   monitor.recovered, not after a restart either; a real pass over the same features recovers);
 * - a check that compares zero features is an error (monitor.error), never a pass;
 * - configuration errors are refused at creation naming the field (skew without a training profile, a missing
 *   reference file, an unknown feature, a model without a signature and no declared features);
 * - a window with fewer rows than min_rows is insufficient_data: no pass, no event.
 */
let dir: string;
let scratch: string;
let server: RunningServer;
/** A webhook receiver on loopback: what it got are the event types and payloads of monitor events, in order. */
const receiver = new TestReceiver();
const received = () => deliveredEvents(receiver);
const FEATURES = ["f0", "f1", "f2", "f3"];

const start = async (): Promise<void> => {
  server = await startServerIn(dir, { webUiDir: null });
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-monitors-registry-"));
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-monitors-registry-model-"));
  await receiver.listen();
  await start();
  await api("POST", "cairn/webhooks/create", { name: "ops", url: receiver.url, events: ["monitor.alert", "monitor.recovered", "monitor.error"] });
});
afterAll(async () => {
  await receiver.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

const call = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> => {
  const query = method === "GET" && body !== undefined ? `?${new URLSearchParams(body as Record<string, string>).toString()}` : "";
  const response = await fetch(`${server.url}/api/2.0/${route}${query}`, {
    method,
    headers: { "content-type": "application/json", "x-cairn-user": "ops" },
    ...(body === undefined || method === "GET" ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : JSON.parse(text) };
};

const api = async (method: string, route: string, body?: unknown): Promise<any> => {
  const answer = await call(method, route, body);
  expect(answer.status, `${route}: ${JSON.stringify(answer.body)}`).toBe(200);
  return answer.body;
};

const put = async (artifactPath: string, content: Uint8Array | string): Promise<void> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`, { method: "PUT", body: content });
  expect(response.status).toBe(200);
};

/** Registers the next version of `model`: an MLflow ONNX directory with a column signature f0..f3, or a bare .onnx. */
const register = async (model: string, seed: number, withSignature: boolean): Promise<string> => {
  const bytes = logisticRegressionModel(seed);
  const prefix = `models/${model}-${seed}`;
  if (withSignature) {
    const local = path.join(scratch, `${model}-${seed}`);
    await writeMlflowModelDir(local, bytes, { signature: { inputs: FEATURES.map((name) => ({ name, type: "float" })), outputs: [{ name: "prob", type: "float" }] } });
    for (const file of await readdir(local)) await put(`${prefix}/${file}`, await readFile(path.join(local, file)));
  } else {
    await put(`${prefix}/model.onnx`, bytes);
  }
  if ((await call("GET", "mlflow/registered-models/get", { name: model })).status !== 200) await api("POST", "mlflow/registered-models/create", { name: model });
  const source = withSignature ? `mlflow-artifacts:/${prefix}` : `mlflow-artifacts:/${prefix}/model.onnx`;
  return (await api("POST", "mlflow/model-versions/create", { name: model, source })).model_version.version as string;
};

const logged = async (deployment: string): Promise<number> =>
  ((await api("GET", "cairn/serving/predictions", { deployment, max_results: "1000" })).predictions ?? []).length;

/** Scores `requests` requests of 10 rows each through the OIP endpoint and waits until the prediction log has them. */
const score = async (deployment: string, requests: number, value: (row: number, column: number) => number): Promise<string[]> => {
  const before = await logged(deployment);
  const versions: string[] = [];
  for (let r = 0; r < requests; r += 1) {
    const data = Array.from({ length: 40 }, (_, k) => value(r * 10 + Math.floor(k / 4), k % 4));
    const response = await fetch(`${server.url}/v2/models/${deployment}/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: [{ name: "x", shape: [10, 4], datatype: "FP32", data }] }),
    });
    expect(response.status).toBe(200);
    versions.push(((await response.json()) as { model_version: string }).model_version);
  }
  for (let i = 0; i < 100 && (await logged(deployment)) < before + requests; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await logged(deployment)).toBe(before + requests);
  return [...new Set(versions)];
};

// Training-like inputs: a fine grid over [0, 1) per column; drifted: the same shifted by +5.
const calm = (row: number, column: number): number => ((row * 7 + column * 13) % 100) / 100;
const drifted = (row: number, column: number): number => 5 + calm(row, column);

const waitFor = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !done(); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
};

const alerts = async (monitor: string): Promise<any> => api("GET", "cairn/monitors/alerts", { name: monitor });
const run = async (monitor: string): Promise<any> => (await api("POST", "cairn/monitors/run", { name: monitor })).run;

describe("monitors over registered models", () => {
  let v1: string;
  let v2: string;

  beforeAll(async () => {
    v1 = await register("churn", 1, true);
    v2 = await register("churn", 2, true);
    await api("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: v1 });
    await api("POST", "cairn/deployments/create", { name: "churn", model_uri: "models:/churn@champion" });
    // The reference data of drift: 200 training-like rows.
    const csv = ["f0,f1,f2,f3", ...Array.from({ length: 200 }, (_, r) => FEATURES.map((_, c) => calm(r + 3, c)).join(","))].join("\n");
    await put("references/churn.csv", `${csv}\n`);
  });

  it("refuses configuration errors at creation, naming the field, with nothing stored", async () => {
    const base = { name: "bad", deployment: "churn", window: { last_rows: 40 }, schedule_seconds: 60 };
    const refused = async (body: object): Promise<string> => {
      const answer = await call("POST", "cairn/monitors/create", { ...base, ...body });
      expect(answer.status).toBe(400);
      expect(answer.body.error_code).toBe("INVALID_PARAMETER_VALUE");
      return answer.body.message as string;
    };
    expect(await refused({ checks: { skew: {} } })).toBe(
      `Monitor 'checks.skew' compares with the training profile, but version ${v1} of the model deployment 'churn' serves has none; attach one to the version first.`,
    );
    expect(await refused({ checks: { drift: { reference: "training_profile" } } })).toMatch(/^Monitor 'checks\.drift\.reference' is training_profile, but version 1 .* has no training profile/);
    expect(await refused({ checks: { drift: { reference: { path: "mlflow-artifacts:/references/nope.csv" } } } })).toBe(
      "Monitor 'checks.drift.reference.path' cannot be read: The monitor's reference 'mlflow-artifacts:/references/nope.csv' is not a file in the artifact store.",
    );
    expect(await refused({ checks: { drift: { reference: { path: "mlflow-artifacts:/references/churn.csv" }, methods: { age: "psi" } } } })).toBe(
      "Monitor 'checks.drift.methods.age' names a feature the monitor does not watch; its features are f0, f1, f2, f3.",
    );
    expect(await refused({ features: ["f0", "x_1"], checks: { quality: { metric: "accuracy", threshold: 0.9 } } })).toBe(
      `Monitor 'features' names 'x_1', not in the signature of version ${v1} of the model deployment 'churn' serves (f0, f1, f2, f3).`,
    );
    expect(await refused({ checks: { data_tests: { suite: "suite: s\nexpectations: 3\n" } } })).toMatch(/^Monitor 'checks\.data_tests\.suite' does not parse: /);
    expect(await refused({ min_rows: 0, checks: { quality: { metric: "accuracy", threshold: 0.9 } } })).toBe("Monitor 'min_rows' must be an integer from 1 to 1000000, got 0.");
    expect((await api("GET", "cairn/monitors/list")).monitors ?? []).toEqual([]);
  });

  it("judges nothing below min_rows: insufficient_data, not a pass, and no event", async () => {
    await api("POST", "cairn/monitors/create", {
      name: "small",
      deployment: "churn",
      window: { last_rows: 1000 },
      schedule_seconds: 60,
      checks: { drift: { reference: { path: "mlflow-artifacts:/references/churn.csv" } } },
    });
    const empty = await run("small");
    expect(empty).toMatchObject({ rows: 0, status: "insufficient_data", passed: false });
    expect(empty.checks[0]).toMatchObject({ check: "drift", status: "insufficient_data", passed: false, message: "insufficient data: 0 rows in the window, at least 100 needed (min_rows)" });
    await score("churn", 4, drifted);
    const few = await run("small");
    expect(few.checks[0].scores).toEqual([{ check: "drift", feature: "", method: "min_rows", statistic: 40, threshold: 100, passed: false, status: "insufficient_data" }]);
    expect(await alerts("small")).toEqual({ states: [{ check: "drift", failing: false }], events: [] });
    const history = await api("GET", "cairn/monitors/history", { name: "small" });
    expect(history.results.map((r: any) => [r.status, r.passed])).toEqual([["insufficient_data", false], ["insufficient_data", false]]);
    await api("POST", "cairn/monitors/delete", { name: "small" });
  });

  it("keeps a drift alert open across a version switch and a restart (no false recovery), and recovers on a real pass", async () => {
    const created = await api("POST", "cairn/monitors/create", {
      name: "drift-watch",
      deployment: "churn",
      window: { last_rows: 40 },
      schedule_seconds: 3600,
      min_rows: 40,
      checks: { drift: { reference: { path: "mlflow-artifacts:/references/churn.csv" } } },
    });
    expect(created.monitor).toMatchObject({ min_rows: 40 });
    expect(created.monitor.features).toBeUndefined();

    const failing = await run("drift-watch");
    expect(failing.checks[0].status).toBe("fail");
    expect(failing.checks[0].features).toEqual(FEATURES);
    expect(failing.checks[0].scores.map((s: any) => [s.feature, s.status])).toEqual([["", "fail"], ...FEATURES.map((f) => [f, "fail"])]);
    const opened = failing.time as number;

    // The alias moves to v2 (same signature): the deployment loads v2 and lets v1 go. The window still holds v1's rows.
    await api("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: v2 });
    for (let i = 0; i < 100 && (await api("GET", "cairn/deployments/get", { name: "churn" })).deployment.primary_version !== v2; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await api("GET", "cairn/deployments/get", { name: "churn" })).deployment.primary_version).toBe(v2);
    const afterSwitch = await run("drift-watch");
    expect(afterSwitch.checks[0]).toMatchObject({ status: "fail", features: FEATURES });

    // Drifted traffic answered by v2: the same features, still failing, still one alert.
    expect(await score("churn", 4, drifted)).toEqual([v2]);
    expect((await run("drift-watch")).checks[0]).toMatchObject({ status: "fail", features: FEATURES });

    await server.close();
    await start();
    expect((await run("drift-watch")).checks[0].status).toBe("fail");
    const stillOpen = await alerts("drift-watch");
    expect(stillOpen.states).toEqual([{ check: "drift", failing: true, since: opened }]);
    expect(stillOpen.events.map((e: any) => [e.kind, e.status, e.features])).toEqual([["alert", "fail", FEATURES]]);

    // Training-like traffic fills the window: a real pass over the same features recovers.
    await score("churn", 4, calm);
    const passed = await run("drift-watch");
    expect(passed).toMatchObject({ status: "pass", passed: true });
    const recovered = await alerts("drift-watch");
    expect(recovered.events.map((e: any) => [e.kind, e.status, e.failing_since ?? null])).toEqual([
      ["recovered", "pass", opened],
      ["alert", "fail", null],
    ]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('cairn_monitor_check_status{monitor="drift-watch",check="drift",status="pass"} 1');
    expect(metrics).toContain('cairn_monitor_check_status{monitor="drift-watch",check="drift",status="fail"} 0');
    // What the webhook receiver got: one alert, one recovery, each with the features compared.
    await waitFor(() => received().filter((e) => e.payload.monitor === "drift-watch").length === 2);
    expect(received().filter((e) => e.payload.monitor === "drift-watch").map((e) => [e.type, e.payload.status, e.payload.features])).toEqual([
      ["monitor.alert", "fail", FEATURES],
      ["monitor.recovered", "pass", FEATURES],
    ]);
  });

  it("a model without a signature needs declared features; a window that matches none of them is an error (monitor.error), never a pass", async () => {
    const bare = await register("bare", 3, false);
    await api("POST", "cairn/deployments/create", { name: "bare", model_uri: `models:/bare/${bare}` });
    const missing = await call("POST", "cairn/monitors/create", {
      name: "bare-watch",
      deployment: "bare",
      window: { last_rows: 40 },
      schedule_seconds: 60,
      checks: { drift: { reference: { path: "mlflow-artifacts:/references/churn.csv" } } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe(
      `Monitor 'features' is required: version ${bare} of the model deployment 'bare' serves has no signature naming its features; give the names of its input columns in order (CLI --features a,b,c).`,
    );

    // Declared names for the [n, 4] input: the columns are named by them.
    await api("POST", "cairn/monitors/create", {
      name: "bare-watch",
      deployment: "bare",
      window: { last_rows: 40 },
      schedule_seconds: 60,
      min_rows: 40,
      features: FEATURES,
      checks: { drift: { reference: { path: "mlflow-artifacts:/references/churn.csv" } } },
    });
    await score("bare", 4, calm);
    expect((await run("bare-watch")).checks[0]).toMatchObject({ status: "pass", features: FEATURES });

    // Two names for four columns: the columns are x_0..x_3, none of them monitored: zero features compared.
    await api("POST", "cairn/monitors/create", {
      name: "misnamed",
      deployment: "bare",
      window: { last_rows: 40 },
      schedule_seconds: 60,
      min_rows: 40,
      features: ["f0", "f1"],
      checks: { drift: { reference: { path: "mlflow-artifacts:/references/churn.csv" } } },
    });
    const broken = await run("misnamed");
    expect(broken).toMatchObject({ status: "error", passed: false });
    expect(broken.checks[0]).toMatchObject({
      status: "error",
      passed: false,
      message: "drift check could not run: compared zero features: the window has input columns x_0, x_1, x_2, x_3, none of the monitored features f0, f1",
    });
    await run("misnamed");
    const events = await alerts("misnamed");
    // One monitor.error for the spell, no alert and no recovery; the check is not failing (an error says nothing about the data).
    expect(events.events.map((e: any) => [e.kind, e.status])).toEqual([["error", "error"]]);
    expect(events.states).toEqual([{ check: "drift", failing: false, error_since: broken.time }]);
    // The webhook gets monitor.error (never monitor.alert) with the reason.
    await waitFor(() => received().some((e) => e.payload.monitor === "misnamed"));
    expect(received().filter((e) => e.payload.monitor === "misnamed").map((e) => [e.type, e.payload.check, e.payload.status, e.payload.message])).toEqual([
      ["monitor.error", "drift", "error", broken.checks[0].message],
    ]);
  });
});
