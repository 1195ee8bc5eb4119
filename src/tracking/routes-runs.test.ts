import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIXED_NOW, startTrackingApp, type TrackingTestApp } from "./test-support/tracking-app.js";

let t: TrackingTestApp;
beforeEach(async () => {
  t = await startTrackingApp();
});
afterEach(async () => t.close());

const createRun = async (payload: Record<string, unknown> = {}) => {
  const { status, body } = await t.call("POST", "runs/create", { experiment_id: "0", ...payload });
  expect(status).toBe(200);
  return body.run as { info: Record<string, any>; data: Record<string, any>; inputs: Record<string, any> };
};

describe("runs endpoints", () => {
  it("creates a run with MLflow's shape, artifact uri and generated name", async () => {
    const run = await createRun({ user_id: "ann", start_time: "1700000000123" });
    expect(run.info).toEqual({
      run_id: run.info.run_id,
      run_uuid: run.info.run_id,
      run_name: run.info.run_name,
      experiment_id: "0",
      user_id: "ann",
      status: "RUNNING",
      start_time: 1700000000123,
      artifact_uri: `mlflow-artifacts:/0/${run.info.run_id}/artifacts`,
      lifecycle_stage: "active",
    });
    expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d{1,4}$/);
    expect(run.data.tags).toEqual([{ key: "mlflow.runName", value: run.info.run_name }]);
    expect(run.inputs).toEqual({ dataset_inputs: [] });
  });

  it("takes the name from run_name or the mlflow.runName tag, which must agree", async () => {
    expect((await createRun({ run_name: "named" })).info.run_name).toBe("named");
    expect((await createRun({ tags: [{ key: "mlflow.runName", value: "by-tag" }] })).info.run_name).toBe("by-tag");
    const clash = await t.call("POST", "runs/create", { run_name: "a", tags: [{ key: "mlflow.runName", value: "b" }] });
    expect(clash.body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message:
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='a', mlflow.runName='b').",
    });
  });

  it("defaults user_id to the x-cairn-user header, start_time to now, experiment to 0", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/2.0/mlflow/runs/create",
      payload: "{}",
      headers: { "x-cairn-user": "bob" },
    });
    const run = JSON.parse(response.body).run;
    expect(run.info.user_id).toBe("bob");
    expect(run.info.experiment_id).toBe("0");
    expect(run.info.start_time).toBeGreaterThanOrEqual(FIXED_NOW);
  });

  it("refuses runs in missing or deleted experiments", async () => {
    const missing = await t.call("POST", "runs/create", { experiment_id: "9" });
    expect(missing.status).toBe(404);
    await t.call("POST", "experiments/create", { name: "gone" });
    await t.call("POST", "experiments/delete", { experiment_id: "1" });
    const deleted = await t.call("POST", "runs/create", { experiment_id: "1" });
    expect(deleted.body.message).toBe("The experiment 1 must be in the 'active' state. Current state is deleted.");
  });

  it("logs metrics, params and tags and returns them from runs/get (also by run_uuid)", async () => {
    const { info } = await createRun({ run_name: "r" });
    const id = info.run_id;
    expect(await t.call("POST", "runs/log-metric", { run_id: id, key: "loss", value: 0.5, timestamp: 10, step: 1 })).toEqual({ status: 200, body: {} });
    await t.call("POST", "runs/log-metric", { run_uuid: id, key: "loss", value: "0.25", timestamp: "11", step: "2" });
    await t.call("POST", "runs/log-metric", { run_id: id, key: "nan", value: "NaN", timestamp: 1 });
    await t.call("POST", "runs/log-metric", { run_id: id, key: "inf", value: "-Infinity", timestamp: 1 });
    expect(await t.call("POST", "runs/log-parameter", { run_id: id, key: "lr", value: "0.1" })).toEqual({ status: 200, body: {} });
    expect(await t.call("POST", "runs/set-tag", { run_id: id, key: "team", value: "ml" })).toEqual({ status: 200, body: {} });
    const { body } = await t.call("GET", "runs/get", { run_uuid: id });
    const metrics = Object.fromEntries(body.run.data.metrics.map((m: { key: string }) => [m.key, m]));
    expect(metrics.loss).toEqual({ key: "loss", value: 0.25, timestamp: 11, step: 2 });
    expect(metrics.nan).toEqual({ key: "nan", value: "NaN", timestamp: 1, step: 0 });
    expect(metrics.inf).toEqual({ key: "inf", value: "-Infinity", timestamp: 1, step: 0 });
    expect(body.run.data.params).toEqual([{ key: "lr", value: "0.1" }]);
    expect(body.run.data.tags).toEqual(expect.arrayContaining([{ key: "team", value: "ml" }, { key: "mlflow.runName", value: "r" }]));
  });

  it("keeps params write-once and deletes tags", async () => {
    const id = (await createRun()).info.run_id;
    await t.call("POST", "runs/log-parameter", { run_id: id, key: "p", value: "1" });
    expect((await t.call("POST", "runs/log-parameter", { run_id: id, key: "p", value: "1" })).status).toBe(200);
    const changed = await t.call("POST", "runs/log-parameter", { run_id: id, key: "p", value: "2" });
    expect(changed.status).toBe(400);
    expect(changed.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    await t.call("POST", "runs/set-tag", { run_id: id, key: "t", value: "v" });
    expect(await t.call("POST", "runs/delete-tag", { run_id: id, key: "t" })).toEqual({ status: 200, body: {} });
    const again = await t.call("POST", "runs/delete-tag", { run_id: id, key: "t" });
    expect(again.status).toBe(404);
  });

  it("updates status, end_time and name; a set mlflow.runName tag renames too", async () => {
    const id = (await createRun({ run_name: "before" })).info.run_id;
    const updated = await t.call("POST", "runs/update", { run_id: id, status: "FINISHED", end_time: 1700000001000, run_name: "after" });
    expect(updated.body.run_info).toMatchObject({ run_id: id, status: "FINISHED", end_time: 1700000001000, run_name: "after" });
    const numeric = await t.call("POST", "runs/update", { run_id: id, status: 4 });
    expect(numeric.body.run_info.status).toBe("FAILED");
    await t.call("POST", "runs/set-tag", { run_id: id, key: "mlflow.runName", value: "by-tag" });
    expect((await t.call("GET", "runs/get", { run_id: id })).body.run.info.run_name).toBe("by-tag");
    const bad = await t.call("POST", "runs/update", { run_id: id, status: "DONE" });
    expect(bad.status).toBe(400);
  });

  it("refuses writes to a deleted run, with MLflow's message, and restores it", async () => {
    const id = (await createRun()).info.run_id;
    expect(await t.call("POST", "runs/delete", { run_id: id })).toEqual({ status: 200, body: {} });
    const write = await t.call("POST", "runs/log-metric", { run_id: id, key: "m", value: 1, timestamp: 1 });
    expect(write).toEqual({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: `The run ${id} must be in the 'active' state. Current state is deleted.` },
    });
    expect((await t.call("GET", "runs/get", { run_id: id })).body.run.info.lifecycle_stage).toBe("deleted");
    expect(await t.call("POST", "runs/restore", { run_id: id })).toEqual({ status: 200, body: {} });
    expect((await t.call("POST", "runs/log-metric", { run_id: id, key: "m", value: 1, timestamp: 1 })).status).toBe(200);
  });

  it("answers 404 for unknown runs and 400 for malformed run ids", async () => {
    const missing = await t.call("GET", "runs/get", { run_id: "0123456789abcdef0123456789abcdef" });
    expect(missing).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Run with id=0123456789abcdef0123456789abcdef not found" },
    });
    const bad = await t.call("GET", "runs/get", { run_id: "../x" });
    expect(bad.body.message).toBe("Invalid run ID: '../x'");
    const none = await t.call("GET", "runs/get", {});
    expect(none.body.message).toContain("Missing value for required parameter 'run_id'");
  });

  it("validates metric, param and tag keys and values with MLflow's messages", async () => {
    const id = (await createRun()).info.run_id;
    const cases: [string, Record<string, unknown>, string][] = [
      ["runs/log-metric", { key: "a$b", value: 1, timestamp: 1 }, "Invalid metric name: 'a$b'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/)."],
      ["runs/log-metric", { key: "a/../b", value: 1, timestamp: 1 }, "Invalid metric name: 'a/../b'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to 'b'"],
      ["runs/log-metric", { key: "/abs", value: 1, timestamp: 1 }, "Invalid metric name: '/abs'."],
      ["runs/log-metric", { key: "m", value: 1, timestamp: -1 }, "Got invalid timestamp -1 for metric 'm' (value=1). Timestamp must be a nonnegative long (64-bit integer) "],
      ["runs/log-metric", { key: "k".repeat(251), value: 1, timestamp: 1 }, "which exceeded length limit of 250"],
      ["runs/log-metric", { key: "m", value: "abc", timestamp: 1 }, "Invalid value 'abc' for parameter 'value' supplied"],
      ["runs/log-metric", { key: "m", value: 1 }, "Missing value for required parameter 'timestamp'"],
      ["runs/log-parameter", { key: "p", value: "v".repeat(6001) }, "Param value 'vvv"],
      ["runs/log-parameter", { key: "p/./q", value: "v" }, "Invalid parameter name: 'p/./q'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to 'p/q'"],
      ["runs/set-tag", { key: "t", value: "v".repeat(5001) }, "had length 5001, which exceeded length limit of 5000"],
      ["runs/set-tag", { key: "", value: "v" }, "Missing value for required parameter 'key'"],
    ];
    for (const [path, payload, message] of cases) {
      const { status, body } = await t.call("POST", path, { run_id: id, ...payload });
      expect({ path, status, code: body.error_code }).toEqual({ path, status: 400, code: "INVALID_PARAMETER_VALUE" });
      expect(body.message).toContain(message);
    }
    expect((await t.call("POST", "runs/log-parameter", { run_id: id, key: "p", value: "v".repeat(6000) })).status).toBe(200);
    expect((await t.call("POST", "runs/log-metric", { run_id: id, key: "ünï cödé/x_1.2-3", value: 1, timestamp: 1 })).status).toBe(200);
  });

  it("log-batch writes everything at once and enforces MLflow's limits", async () => {
    const id = (await createRun()).info.run_id;
    const metrics = Array.from({ length: 1000 }, (_, step) => ({ key: "m", value: step / 2, timestamp: 100 + step, step }));
    expect(await t.call("POST", "runs/log-batch", { run_id: id, metrics })).toEqual({ status: 200, body: {} });
    const history = await t.call("GET", "metrics/get-history", { run_id: id, metric_key: "m" });
    expect(history.body.metrics).toHaveLength(1000);
    expect(history.body.metrics[999]).toEqual({ key: "m", value: 499.5, timestamp: 1099, step: 999 });
    const limits: [Record<string, unknown>, string][] = [
      [{ metrics: [...metrics, metrics[0]] }, "A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again."],
      [{ params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "v" })) }, "at most 100 params. Got 101 params."],
      [{ tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: "v" })) }, "at most 100 tags. Got 101 tags."],
      [{ metrics: metrics.slice(0, 950), params: Array.from({ length: 51 }, (_, i) => ({ key: `p${i}`, value: "v" })) }, "at most 1000 metrics, params, and tags. Got 1001 metrics, params, and tags."],
      [{ params: [{ key: "a", value: "1" }, { key: "a", value: "2" }] }, "Duplicate parameter keys have been submitted: ['a']. Please ensure the request contains only one param value per param key."],
      [{ metrics: [{ key: "m", value: 1 }] }, "Missing value for required parameter 'metrics[0].timestamp'"],
      [{ metrics: [{ value: 1, timestamp: 1 }] }, "Missing value for required parameter 'metrics[0].key'"],
      [{ params: [{ value: "x" }] }, "Missing value for required parameter 'params[0].key'"],
    ];
    for (const [payload, message] of limits) {
      const { status, body } = await t.call("POST", "runs/log-batch", { run_id: id, ...payload });
      expect(status).toBe(400);
      expect(body.message).toContain(message);
    }
    const after = await t.call("GET", "metrics/get-history", { run_id: id, metric_key: "m" });
    expect(after.body.metrics).toHaveLength(1000);
  });

  it("refuses a log-batch body over 1 MB with MLflow's message", async () => {
    const id = (await createRun()).info.run_id;
    const params = [{ key: "big", value: "x".repeat(1_000_100) }];
    const { status, body } = await t.call("POST", "runs/log-batch", { run_id: id, params });
    expect(status).toBe(400);
    expect(body.message).toMatch(/^Batched logging API requests must be at most 1000000 bytes, got a request of size \d+\.$/);
  });

  it("log-model appends to mlflow.log-model.history as MLflow writes it", async () => {
    const id = (await createRun()).info.run_id;
    const model = { run_id: id, artifact_path: "model", utc_time_created: "2024-01-01 00:00:00.000000", model_uuid: "u1", flavors: { python_function: { loader_module: "m", config: { a: 1 } } } };
    expect(await t.call("POST", "runs/log-model", { run_id: id, model_json: JSON.stringify(model) })).toEqual({ status: 200, body: {} });
    await t.call("POST", "runs/log-model", { run_id: id, model_json: JSON.stringify({ ...model, model_uuid: "u2", artifact_path: "m2" }) });
    const tags = (await t.call("GET", "runs/get", { run_id: id })).body.run.data.tags as { key: string; value: string }[];
    const history = tags.find((tag) => tag.key === "mlflow.log-model.history")?.value;
    expect(history).toBe(
      `[{"run_id": "${id}", "artifact_path": "model", "utc_time_created": "2024-01-01 00:00:00.000000", "model_uuid": "u1", "flavors": {"python_function": {"loader_module": "m"}}}, ` +
        `{"run_id": "${id}", "artifact_path": "m2", "utc_time_created": "2024-01-01 00:00:00.000000", "model_uuid": "u2", "flavors": {"python_function": {"loader_module": "m"}}}]`,
    );
    const missing = await t.call("POST", "runs/log-model", { run_id: id, model_json: JSON.stringify({ run_id: id }) });
    expect(missing.body.message).toBe("Model json is missing mandatory fields: {'artifact_path', 'flavors', 'utc_time_created'}");
    const notJson = await t.call("POST", "runs/log-model", { run_id: id, model_json: "{nope" });
    expect(notJson.body.message).toBe("Malformed model info. \n {nope \n is not a valid JSON.");
  });

  it("log-inputs stores datasets with input tags and runs/get returns them", async () => {
    const id = (await createRun()).info.run_id;
    const dataset = { name: "iris", digest: "abc123", source_type: "local", source: '{"uri": "/data/iris.csv"}', schema: "{}" };
    const result = await t.call("POST", "runs/log-inputs", { run_id: id, datasets: [{ tags: [{ key: "mlflow.data.context", value: "train" }], dataset }] });
    expect(result).toEqual({ status: 200, body: {} });
    const { body } = await t.call("GET", "runs/get", { run_id: id });
    expect(body.run.inputs.dataset_inputs).toEqual([{ tags: [{ key: "mlflow.data.context", value: "train" }], dataset }]);
    const tooLong = await t.call("POST", "runs/log-inputs", { run_id: id, datasets: [{ dataset: { ...dataset, digest: "d".repeat(37) } }] });
    expect(tooLong.body.message).toBe("Dataset digest exceeds the maximum length of 36");
    const noName = await t.call("POST", "runs/log-inputs", { run_id: id, datasets: [{ dataset: { ...dataset, name: undefined } }] });
    expect(noName.body.message).toContain("Missing value for required parameter 'datasets[0].dataset.name'");
  });

  it("accepts a body that is a JSON string holding the JSON message", async () => {
    const id = (await createRun()).info.run_id;
    const response = await t.app.inject({
      method: "POST",
      url: "/api/2.0/mlflow/runs/set-tag",
      payload: JSON.stringify(JSON.stringify({ run_id: id, key: "old", value: "client" })),
      headers: { "content-type": "application/json" },
    });
    expect(response.statusCode).toBe(200);
    const tags = (await t.call("GET", "runs/get", { run_id: id })).body.run.data.tags;
    expect(tags).toContainEqual({ key: "old", value: "client" });
  });
});
