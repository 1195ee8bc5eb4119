import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../src/sdk/client.js";
import type { CreateMonitorRequest } from "../src/sdk/monitors-api.js";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../src/serving/test-support/onnx-models.js";
import { apiErrorOf } from "../src/sdk/test-support/api-error.js";

/**
 * client.monitors.create / delete against a real server (SQLite file, local artifact folder) over a real deployment
 * of a registered ONNX model with a column signature f0..f3: the camelCase request reaches the server as the
 * snake_case definition, the server's refusals arrive as CairnApiError naming the field, and a created monitor runs.
 */
let server: TempServer;
let client: CairnClient;
let scratch: string;
const FEATURES = ["f0", "f1", "f2", "f3"];
const REFERENCE = "mlflow-artifacts:/references/churn.csv";

const put = async (artifactPath: string, content: Uint8Array | string): Promise<void> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`, { method: "PUT", body: content });
  expect(response.status).toBe(200);
};

// Training-like inputs: a grid over [0, 1) per column.
const calm = (row: number, column: number): number => ((row * 7 + column * 13) % 100) / 100;

beforeAll(async () => {
  server = await startTempServer("cairn-monitors-sdk-");
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-monitors-sdk-model-"));
  client = new CairnClient({ trackingUri: server.url, user: "ops", retry: { retries: 0 } });
  // An MLflow ONNX model directory whose signature names the columns, registered as churn version 1 and deployed.
  const local = path.join(scratch, "churn");
  await writeMlflowModelDir(local, logisticRegressionModel(1), {
    signature: { inputs: FEATURES.map((name) => ({ name, type: "float" })), outputs: [{ name: "prob", type: "float" }] },
  });
  for (const file of await readdir(local)) await put(`models/churn/${file}`, await readFile(path.join(local, file)));
  await client.registry.createModel({ name: "churn" });
  await client.registry.createVersion({ name: "churn", source: "mlflow-artifacts:/models/churn" });
  await client.serving.createDeployment({ name: "churn", modelUri: "models:/churn/1" });
  const csv = ["f0,f1,f2,f3", ...Array.from({ length: 200 }, (_, r) => FEATURES.map((_, c) => calm(r + 3, c)).join(","))].join("\n");
  await put("references/churn.csv", `${csv}\n`);
});
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("client.monitors.create / delete against a real server", () => {
  const spec: CreateMonitorRequest = {
    name: "churn-watch",
    deployment: "churn",
    window: { lastRows: 40 },
    scheduleSeconds: 3600,
    minRows: 40,
    features: ["f0", "f2"],
    checks: {
      drift: { reference: { path: REFERENCE }, methods: { f0: "psi:0.2" }, driftShare: 0.5 },
      dataTests: { suite: "suite: live\nexpectations:\n  - expectation: expect_column_values_to_be_between\n    column: f0\n    min_value: 0\n    max_value: 1\n" },
      quality: { metric: "accuracy", threshold: 0.9, labelField: "y" },
    },
  };

  it("creates a monitor with every option and returns the stored snake_case definition; get and list agree", async () => {
    const created = await client.monitors.create(spec);
    expect(created).toEqual({
      name: "churn-watch",
      deployment: "churn",
      window: { last_rows: 40 },
      schedule_seconds: 3600,
      min_rows: 40,
      features: ["f0", "f2"],
      checks: {
        drift: { reference: { path: REFERENCE }, methods: { f0: "psi:0.2" }, drift_share: 0.5 },
        data_tests: { suite: spec.checks.dataTests?.suite },
        quality: { metric: "accuracy", threshold: 0.9, label_field: "y" },
      },
      created_time: expect.any(Number),
      last_updated_time: created.created_time,
      ...(created.last_run_time !== undefined ? { last_run_time: created.last_run_time } : {}),
    });
    const { last_run_time: _a, ...stored } = await client.monitors.get("churn-watch");
    const { last_run_time: _b, ...answered } = created;
    expect(stored).toEqual(answered);
    expect((await client.monitors.list()).map((m) => m.name)).toEqual(["churn-watch"]);
    const audit = await client.audit.listEvents({ entityType: "monitor", entityId: "churn-watch" });
    expect(audit.items.map((e) => [e.action, e.actor.name])).toEqual([["monitoring.monitor.create", "ops"]]);
  });

  it("fills the server's defaults: a seconds window, drift against the training profile by default is refused without one, min_rows 100", async () => {
    // reference omitted = the training profile, which version 1 does not have: refused at creation, naming the field.
    const refused = await apiErrorOf(client.monitors.create({ name: "profiled", deployment: "churn", window: { lastSeconds: 600 }, scheduleSeconds: 60, checks: { drift: {} } }));
    expect(refused.status).toBe(400);
    expect(refused.errorCode).toBe("INVALID_PARAMETER_VALUE");
    expect(refused.message).toMatch(/^Monitor 'checks\.drift\.reference' is training_profile, but version 1 .* has no training profile/);
    const timed = await client.monitors.create({ name: "timed", deployment: "churn", window: { lastSeconds: 600 }, scheduleSeconds: 60, checks: { quality: { metric: "rmse", threshold: 2.5 } } });
    expect(timed).toMatchObject({ window: { last_seconds: 600 }, schedule_seconds: 60, min_rows: 100, checks: { quality: { metric: "rmse", threshold: 2.5 } } });
    expect(timed.features).toBeUndefined();
    expect(Object.keys(timed.checks)).toEqual(["quality"]);
    await client.monitors.delete("timed");
  });

  it("passes the server's refusals on as CairnApiError naming the field, storing nothing", async () => {
    const base = { name: "bad", deployment: "churn", window: { lastRows: 40 }, scheduleSeconds: 60 } as const;
    expect(await apiErrorOf(client.monitors.create({ ...base, checks: { skew: {} } }))).toEqual({
      status: 400,
      errorCode: "INVALID_PARAMETER_VALUE",
      message: "Monitor 'checks.skew' compares with the training profile, but version 1 of the model deployment 'churn' serves has none; attach one to the version first.",
    });
    expect((await apiErrorOf(client.monitors.create({ ...base, features: ["f0", "x_1"], checks: { quality: { metric: "f1", threshold: 0.5 } } }))).message).toBe(
      "Monitor 'features' names 'x_1', not in the signature of version 1 of the model deployment 'churn' serves (f0, f1, f2, f3).",
    );
    expect((await apiErrorOf(client.monitors.create({ ...base, minRows: 0, checks: { quality: { metric: "f1", threshold: 0.5 } } }))).message).toBe(
      "Monitor 'min_rows' must be an integer from 1 to 1000000, got 0.",
    );
    expect((await apiErrorOf(client.monitors.create({ ...base, scheduleSeconds: 5, checks: { quality: { metric: "f1", threshold: 0.5 } } }))).message).toBe(
      "Monitor 'schedule_seconds' must be an integer from 10 to 2678400, got 5.",
    );
    expect((await apiErrorOf(client.monitors.create({ ...base, checks: {} }))).message).toBe(
      "Monitor 'checks' must configure at least one of drift, skew, data_tests, quality.",
    );
    expect((await apiErrorOf(client.monitors.create({ ...base, deployment: "nope", checks: { quality: { metric: "f1", threshold: 0.5 } } }))).errorCode).toBe(
      "RESOURCE_DOES_NOT_EXIST",
    );
    expect(await apiErrorOf(client.monitors.create({ ...spec }))).toEqual({ status: 400, errorCode: "RESOURCE_ALREADY_EXISTS", message: "Monitor 'churn-watch' already exists." });
    expect((await client.monitors.list()).map((m) => m.name)).toEqual(["churn-watch"]);
  });

  it("runs what it created over the declared features and window, then deletes it (audited); a second delete is 404", async () => {
    // A monitor that never ran is due at once: the scheduler's first run may start while the requests below are being
    // logged, and a run asked for meanwhile joins it (and its older window). That first run ends here, before them.
    await client.monitors.run("churn-watch");
    for (let r = 0; r < 4; r += 1) {
      const data = Array.from({ length: 40 }, (_, k) => calm(r * 10 + Math.floor(k / 4), k % 4));
      await client.serving.infer("churn", { inputs: [{ name: "x", shape: [10, 4], datatype: "FP32", data }] });
    }
    for (let i = 0; i < 100 && (await client.serving.predictions({ deployment: "churn" })).items.length < 4; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    const run = await client.monitors.run("churn-watch");
    expect(run.rows).toBe(40);
    const drift = run.checks.find((c) => c.check === "drift");
    expect(drift).toMatchObject({ status: "pass", passed: true, features: ["f0", "f2"] });
    expect(drift?.scores.filter((s) => s.feature !== "").map((s) => [s.feature, s.method, s.threshold])).toEqual([
      ["f0", "psi", 0.2],
      ["f2", "ks", 0.05],
    ]);
    // The suite tests f0 only: the data tests report the features they touched.
    expect(run.checks.find((c) => c.check === "data_tests")).toMatchObject({ status: "pass", passed: true, features: ["f0"] });
    // No labels arrived: the quality check judges nothing.
    expect(run.checks.find((c) => c.check === "quality")?.status).toBe("insufficient_data");

    await client.monitors.delete("churn-watch");
    expect(await client.monitors.list()).toEqual([]);
    expect(await apiErrorOf(client.monitors.get("churn-watch"))).toEqual({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST", message: "Monitor 'churn-watch' not found." });
    expect(await apiErrorOf(client.monitors.delete("churn-watch"))).toEqual({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST", message: "Monitor 'churn-watch' not found." });
    const audit = await client.audit.listEvents({ entityType: "monitor", entityId: "churn-watch" });
    expect(audit.items.map((e) => [e.action, e.actor.name])).toEqual([
      ["monitoring.monitor.create", "ops"],
      ["monitoring.monitor.delete", "ops"],
    ]);
  });
});
