import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";

/** The logged-model routes over a real server (full composition, SQLite file, local artifact folder). */

let server: TempServer;
let experimentId: string;
let runId: string;

type Answer = { status: number; body: any };

const send = async (method: string, path: string, body?: unknown, prefix = "/api/2.0/mlflow"): Promise<Answer> => {
  const response = await fetch(`${server.url}${prefix}/${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
};

const ok = async (method: string, path: string, body?: unknown): Promise<any> => {
  const answer = await send(method, path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
};

const auditOf = async (entityId: string): Promise<string[]> => {
  const answer = await send("GET", `audit/events?entity_id=${entityId}&max_results=100`, undefined, "/api/2.0/cairn");
  return (answer.body.events as { action: string }[]).map((event) => event.action);
};

const createModel = async (body: Record<string, unknown> = {}): Promise<any> =>
  (await ok("POST", "logged-models", { experiment_id: experimentId, ...body })).model;

beforeAll(async () => {
  server = await startTempServer("cairn-logged-models-");
  experimentId = (await ok("POST", "experiments/create", { name: "lm" })).experiment_id;
  runId = (await ok("POST", "runs/create", { experiment_id: experimentId, user_id: "ada" })).run.info.run_id;
});
afterAll(async () => {
  await server?.close();
});

describe("logged models over HTTP", () => {
  it("creates a model under the experiment's artifact root, with params and tags, and reads it back", async () => {
    const model = await createModel({
      name: "model",
      model_type: "Classifier",
      source_run_id: runId,
      params: [{ key: "lr", value: "0.1" }],
      tags: [{ key: "mlflow.user", value: "ada" }],
    });
    expect(model.info.model_id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model).toEqual({
      info: {
        model_id: model.info.model_id,
        experiment_id: experimentId,
        name: "model",
        creation_timestamp_ms: model.info.creation_timestamp_ms,
        last_updated_timestamp_ms: model.info.creation_timestamp_ms,
        artifact_uri: `mlflow-artifacts:/${experimentId}/models/${model.info.model_id}/artifacts`,
        status: "LOGGED_MODEL_PENDING",
        model_type: "Classifier",
        source_run_id: runId,
        tags: [{ key: "mlflow.user", value: "ada" }],
        registrations: [],
      },
      data: { params: [{ key: "lr", value: "0.1" }], metrics: [] },
    });
    expect((await ok("GET", `logged-models/${model.info.model_id}`)).model).toEqual(model);
    expect(await auditOf(model.info.model_id)).toEqual(["tracking.logged_model.create"]);
  });

  it("generates a name when none is given", async () => {
    const model = await createModel();
    expect(model.info.name).toMatch(/^[a-z]+-[a-z]+-\d{1,4}$/);
  });

  it("refuses a missing or deleted experiment and a missing source run, creating nothing", async () => {
    const count = async (): Promise<number> => ((await ok("POST", "logged-models/search", { experiment_ids: [experimentId] })).models ?? []).length;
    const before = await count();
    expect(await send("POST", "logged-models", { experiment_id: "999" })).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "No Experiment with id=999 exists" },
    });
    const gone = (await ok("POST", "experiments/create", { name: "gone" })).experiment_id;
    await ok("POST", "experiments/delete", { experiment_id: gone });
    const deleted = await send("POST", "logged-models", { experiment_id: gone });
    expect(deleted.status).toBe(400);
    expect(deleted.body.message).toBe(`The experiment ${gone} must be in the 'active' state. Current state is deleted.`);
    const noRun = await send("POST", "logged-models", { experiment_id: experimentId, source_run_id: "0".repeat(32) });
    expect(noRun).toEqual({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Run with id=${"0".repeat(32)} not found` } });
    expect(await count()).toBe(before);
    expect(await ok("POST", "logged-models/search", { experiment_ids: [gone] })).toEqual({});
  });

  it("finalizes only to READY or UPLOAD_FAILED, and only an existing model", async () => {
    const { info } = await createModel();
    const pending = await send("PATCH", `logged-models/${info.model_id}`, { model_id: info.model_id, status: "LOGGED_MODEL_PENDING" });
    expect(pending.status).toBe(400);
    expect(pending.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    const ready = await ok("PATCH", `logged-models/${info.model_id}`, { model_id: info.model_id, status: "LOGGED_MODEL_READY" });
    expect(ready.model.info.status).toBe("LOGGED_MODEL_READY");
    const byNumber = await ok("PATCH", `logged-models/${info.model_id}`, { status: 3 });
    expect(byNumber.model.info.status).toBe("LOGGED_MODEL_UPLOAD_FAILED");
    const missing = `m-${"a".repeat(32)}`;
    expect(await send("PATCH", `logged-models/${missing}`, { status: "LOGGED_MODEL_READY" })).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Logged model with ID '${missing}' not found.` },
    });
    expect(await auditOf(info.model_id)).toEqual(["tracking.logged_model.create", "tracking.logged_model.finalize", "tracking.logged_model.finalize"]);
  });

  it("sets tags with the id only in the path, deletes one, logs params write-once", async () => {
    const { info } = await createModel({ params: [{ key: "a", value: "1" }] });
    expect(await ok("PATCH", `logged-models/${info.model_id}/tags`, { tags: [{ key: "mlflow.modelVersions", value: '[{"name": "m", "version": "1"}]' }] })).toEqual({});
    expect(await ok("DELETE", `logged-models/${info.model_id}/tags/mlflow.modelVersions`)).toEqual({});
    expect((await send("DELETE", `logged-models/${info.model_id}/tags/mlflow.modelVersions`)).body).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      message: `No tag with key 'mlflow.modelVersions' found for model with ID '${info.model_id}'.`,
    });
    expect(await ok("POST", `logged-models/${info.model_id}/params`, { model_id: info.model_id, params: [{ key: "b", value: "2" }] })).toEqual({});
    const changed = await send("POST", `logged-models/${info.model_id}/params`, { params: [{ key: "a", value: "9" }] });
    expect(changed.status).toBe(400);
    const model = (await ok("GET", `logged-models/${info.model_id}`)).model;
    expect(model.info.tags).toEqual([]);
    expect(model.data.params).toEqual([
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
  });

  it("links a run's outputs and inputs and answers them in runs/get, with the metrics logged for the model", async () => {
    const { info } = await createModel({ source_run_id: runId });
    expect(await ok("POST", "runs/outputs", { run_id: runId, models: [{ model_id: info.model_id, step: 0 }] })).toEqual({});
    await ok("POST", "runs/log-inputs", { run_id: runId, models: [{ model_id: info.model_id }] });
    await ok("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [{ key: "acc", value: 0.9, timestamp: 5, step: 0, model_id: info.model_id, dataset_name: "test", dataset_digest: "abc" }],
    });
    await ok("POST", "runs/log-metric", { run_id: runId, key: "loss", value: 0.1, timestamp: 6, step: 0, model_id: info.model_id });
    const run = (await ok("GET", `runs/get?run_id=${runId}`)).run;
    expect(run.outputs).toEqual({ model_outputs: expect.arrayContaining([{ model_id: info.model_id, step: 0 }]) });
    expect(run.inputs.model_inputs).toEqual(expect.arrayContaining([{ model_id: info.model_id }]));
    expect(run.data.metrics).toEqual(
      expect.arrayContaining([
        { key: "acc", value: 0.9, timestamp: 5, step: 0 },
        { key: "loss", value: 0.1, timestamp: 6, step: 0 },
      ]),
    );
    expect((await ok("GET", `logged-models/${info.model_id}`)).model.data.metrics).toEqual([
      { key: "acc", value: 0.9, timestamp: 5, step: 0, run_id: runId, model_id: info.model_id, dataset_name: "test", dataset_digest: "abc" },
      { key: "loss", value: 0.1, timestamp: 6, step: 0, run_id: runId, model_id: info.model_id },
    ]);
    const missing = `m-${"b".repeat(32)}`;
    expect((await send("POST", "runs/outputs", { run_id: runId, models: [{ model_id: missing, step: 0 }] })).status).toBe(404);
    expect((await send("POST", "runs/log-metric", { run_id: runId, key: "x", value: 1, timestamp: 1, model_id: missing })).status).toBe(404);
  });

  it("lists the model's artifacts through the artifact store", async () => {
    const { info } = await createModel();
    const key = `${experimentId}/models/${info.model_id}/artifacts`;
    for (const file of ["MLmodel", "sub/model.onnx"]) {
      const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${key}/${file}`, { method: "PUT", body: "x" });
      expect(put.status).toBe(200);
    }
    expect(await ok("GET", `logged-models/${info.model_id}/artifacts/directories`)).toEqual({
      root_uri: info.artifact_uri,
      files: [
        { path: "MLmodel", is_dir: false, file_size: 1 },
        { path: "sub", is_dir: true },
      ],
    });
    expect(await ok("GET", `logged-models/${info.model_id}/artifacts/directories?artifact_directory_path=sub`)).toEqual({
      root_uri: info.artifact_uri,
      files: [{ path: "sub/model.onnx", is_dir: false, file_size: 1 }],
    });
    const escape = await send("GET", `logged-models/${info.model_id}/artifacts/directories?artifact_directory_path=../../x`);
    expect(escape.status).toBe(400);
    expect(escape.body.message).toContain("artifact_directory_path");
  });

  it("searches with the client's filter and order, pages, and hides deleted models and experiments", async () => {
    const exp = (await ok("POST", "experiments/create", { name: "search" })).experiment_id;
    const run = (await ok("POST", "runs/create", { experiment_id: exp })).run.info.run_id;
    const ids: string[] = [];
    for (const [index, acc] of [0.5, 0.9, 0.7].entries()) {
      const { info } = (await ok("POST", "logged-models", { experiment_id: exp, name: `m${index}` })).model;
      ids.push(info.model_id);
      await ok("POST", "runs/log-batch", { run_id: run, metrics: [{ key: "acc", value: acc, timestamp: 1, step: 0, model_id: info.model_id, dataset_name: "d" }] });
    }
    const search = async (body: Record<string, unknown>): Promise<string[]> =>
      ((await ok("POST", "logged-models/search", { experiment_ids: [exp], ...body })).models ?? []).map((model: any) => model.info.model_id);
    expect(await search({ filter: "metrics.acc > 0.6" })).toEqual([ids[2], ids[1]]);
    expect(await search({ filter: "name = 'm0'" })).toEqual([ids[0]]);
    expect(await search({ filter: "name = 'notes'" })).toEqual([]);
    expect(await search({ order_by: [{ field_name: "metrics.acc", ascending: false, dataset_name: "d" }] })).toEqual([ids[1], ids[2], ids[0]]);
    const first = await ok("POST", "logged-models/search", { experiment_ids: [exp], max_results: 2, order_by: [{ field_name: "name" }] });
    expect(first.models.map((model: any) => model.info.name)).toEqual(["m0", "m1"]);
    const second = await ok("POST", "logged-models/search", { experiment_ids: [exp], max_results: 2, order_by: [{ field_name: "name" }], page_token: first.next_page_token });
    expect(second.models.map((model: any) => model.info.name)).toEqual(["m2"]);
    expect(second.next_page_token).toBeUndefined();

    expect(await ok("DELETE", `logged-models/${ids[0]}`)).toEqual({});
    expect((await send("GET", `logged-models/${ids[0]}`)).status).toBe(404);
    expect(await search({})).toEqual([ids[2], ids[1]]);
    await ok("POST", "experiments/delete", { experiment_id: exp });
    expect((await send("GET", `logged-models/${ids[1]}`)).status).toBe(404);
    expect(await search({})).toEqual([]);
    await ok("POST", "experiments/restore", { experiment_id: exp });
    expect(await search({})).toEqual([ids[2], ids[1]]);
  });

  it("answers bad filters and ids with a 400 naming what is wrong", async () => {
    const filter = await send("POST", "logged-models/search", { experiment_ids: [experimentId], filter: "colour = 'red'" });
    expect(filter.status).toBe(400);
    expect(filter.body.message).toContain("Invalid logged model search key 'colour'");
    const id = await send("GET", "logged-models/m-123");
    expect(id).toEqual({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        message: "Invalid value 'm-123' for parameter 'model_id' supplied: a logged model id is 'm-' followed by 32 lowercase hex characters.",
      },
    });
    const orderBy = await send("POST", "logged-models/search", { experiment_ids: [experimentId], order_by: [{ field_name: "params.lr" }] });
    expect(orderBy.status).toBe(400);
    expect(orderBy.body.message).toContain("only `metrics.<name>` is allowed");
  });
});
