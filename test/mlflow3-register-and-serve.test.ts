import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { startStandaloneServer } from "../src/serving/standalone.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../src/serving/test-support/onnx-models.js";
import { openDataset } from "../src/validation/duckdb/open-dataset.js";
import { profileDataset } from "../src/validation/profile/profile-dataset.js";
import { loadSchemaFiles, type JsonObject } from "./support/proto-schema.js";
import { waitFor } from "./support/wait-for.js";

/**
 * The MLflow 3.6 client's model lifecycle against a real Cairn server, call by call as recorded in
 * shared/reference/mlflow3-rest.md section 2: log_model of a real ONNX model (step 5: logged model, run output,
 * files under mlflow-artifacts:/<exp>/models/<id>/artifacts/, finalize), register_model (step 7: search, create the
 * version with source models:/<model_id> and model_id, tag the logged model), set_registered_model_alias (step 8),
 * load_model("models:/NAME@ALIAS") (step 9: alias, get, get-download-uri, list and download). Then the version is
 * served by `cairn serve models:/NAME@ALIAS` and `cairn serve models:/<model_id>` and by a deployment following the
 * alias, each answering exactly what onnxruntime answers for the same model and input; and its lineage, card,
 * training profile and the deployment's monitor reach the logged model's source run.
 */

/** Tracking (2.x and 3.x fields), logged models and the registry with its 3.x model_id fields, as one schema. */
const schema = loadSchemaFiles("mlflow-wire-schema.json", "mlflow3-logged-models-schema.json", "registry3-wire-schema.json");

let server: TempServer;
let scratch: string;
beforeAll(async () => {
  server = await startTempServer("cairn-mlflow3-reg-");
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-mlflow3-reg-files-"));
});
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

interface Call {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Below /api/2.0/mlflow/ unless it starts with "/". */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** The response message to validate the answer against (service.proto, model_registry.proto with 3.x fields). */
  response?: string;
  status?: number;
}

const log: string[] = [];

const call = async ({ method, path: route, query, body, response: message, status = 200 }: Call): Promise<any> => {
  const url = `${server.url}${route.startsWith("/") ? route : `/api/2.0/mlflow/${route}`}${query ? `?${new URLSearchParams(query)}` : ""}`;
  log.push(`${method} ${route}`);
  const answer = await fetch(url, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  expect(answer.status, `${method} ${route}: ${text}`).toBe(status);
  const json = text === "" ? {} : (JSON.parse(text) as JsonObject);
  if (message !== undefined) expect(schema.validate(message, json), `${route} -> ${message}`).toEqual([]);
  return json;
};

const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";
const rows = [
  [0.5, -1.25, 2, 0.75],
  [-0.3, 0.1, -2.5, 1.5],
  [3, 0, -0.5, 0.25],
];
const onnxBytes = logisticRegressionModel(7);

/** onnxruntime's own answer for the model and the rows: the figures every server must repeat exactly. */
const direct = async (): Promise<number[]> => {
  const session = await ort.InferenceSession.create(onnxBytes);
  const result = await session.run({ x: new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, 4]) });
  await session.release();
  return Array.from(result.prob?.data as Float32Array);
};

const infer = async (url: string): Promise<{ model_name: string; model_version: string; outputs: Array<{ name: string; shape: number[]; data: number[] }> }> => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ inputs: [{ name: "x", shape: [rows.length, 4], datatype: "FP32", data: rows.flat() }] }),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text);
};

interface Logged {
  experimentId: string;
  runId: string;
  modelId: string;
  artifactUri: string;
  files: Record<string, Buffer>;
}

/** Steps 1 to 6: experiment, run (param, metric, dataset input), mlflow.onnx.log_model, end_run. */
const trainAndLogModel = async (): Promise<Logged> => {
  await call({ method: "GET", path: "experiments/get-by-name", query: { experiment_name: "mlflow3-iris" }, status: 404 });
  const experimentId = (await call({ method: "POST", path: "experiments/create", body: { name: "mlflow3-iris" } })).experiment_id as string;
  await call({ method: "GET", path: "experiments/get", query: { experiment_id: experimentId } });
  const runId = (await call({ method: "POST", path: "runs/create", body: { experiment_id: experimentId, start_time: 1_760_000_000_000 } })).run.info
    .run_id as string;
  await call({ method: "POST", path: "runs/log-parameter", body: { run_id: runId, key: "lr", value: "0.1" } });
  await call({ method: "POST", path: "runs/log-metric", body: { run_id: runId, key: "loss", value: 0.5, timestamp: 1_760_000_000_100, step: 1 } });
  await call({
    method: "POST",
    path: "runs/log-inputs",
    body: {
      run_id: runId,
      datasets: [
        {
          dataset: { name: "iris", digest: "4f6c2d1a", source_type: "local", source: '{"uri": "/data/iris.csv"}', schema: "", profile: "" },
          tags: [{ key: "mlflow.data.context", value: "training" }],
        },
      ],
    },
  });

  // Step 5, mlflow.onnx.log_model(model, name="model").
  await call({ method: "GET", path: "runs/get", query: { run_id: runId } });
  const created = await call({
    method: "POST",
    path: "logged-models",
    body: {
      experiment_id: experimentId,
      name: "model",
      source_run_id: runId,
      params: [{ key: "lr", value: "0.1" }],
      tags: [
        { key: "mlflow.user", value: "ada" },
        { key: "mlflow.source.name", value: "train.py" },
        { key: "mlflow.source.type", value: "LOCAL" },
      ],
    },
    response: "mlflow.CreateLoggedModel.Response",
  });
  const modelId = created.model.info.model_id as string;
  const artifactUri = created.model.info.artifact_uri as string;
  expect(modelId).toMatch(/^m-[0-9a-f]{32}$/);
  expect(artifactUri).toBe(`mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`);
  await call({ method: "POST", path: "runs/outputs", body: { run_id: runId, models: [{ model_id: modelId, step: 0 }] }, response: "mlflow.LogOutputs.Response" });
  await call({ method: "GET", path: "runs/get", query: { run_id: runId } });
  await call({ method: "GET", path: "metrics/get-history", query: { run_id: runId, metric_key: "loss" } });
  await call({ method: "GET", path: `logged-models/${modelId}`, response: "mlflow.GetLoggedModel.Response" });

  const dir = await writeMlflowModelDir(path.join(scratch, "model"), onnxBytes, { runId });
  await writeFile(path.join(dir, "requirements.txt"), "mlflow==3.6.0\nonnx==1.17.0\nonnxruntime==1.20.1\n");
  await writeFile(path.join(dir, "python_env.yaml"), "python: 3.11.9\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n");
  await writeFile(path.join(dir, "conda.yaml"), "channels:\n- conda-forge\ndependencies:\n- python=3.11.9\n- pip\nname: mlflow-env\n");
  const files: Record<string, Buffer> = {};
  for (const file of ["requirements.txt", "MLmodel", "python_env.yaml", "conda.yaml", "model.onnx"]) {
    files[file] = await readFile(path.join(dir, file));
    const put = await fetch(`${server.url}${ARTIFACTS}/${experimentId}/models/${modelId}/artifacts/${file}`, { method: "PUT", body: files[file] });
    expect(put.status, file).toBe(200);
  }
  const ready = await call({ method: "PATCH", path: `logged-models/${modelId}`, body: { model_id: modelId, status: "LOGGED_MODEL_READY" }, response: "mlflow.FinalizeLoggedModel.Response" });
  expect(ready.model.info.status).toBe("LOGGED_MODEL_READY");

  // Step 6, mlflow.end_run().
  await call({ method: "GET", path: "runs/get", query: { run_id: runId } });
  await call({ method: "POST", path: "runs/update", body: { run_id: runId, status: "FINISHED", end_time: 1_760_000_001_000 } });
  return { experimentId, runId, modelId, artifactUri, files };
};

/** Step 7, mlflow.register_model("runs:/<run>/model", name), as the 3.x client sends it. */
const registerFromRun = async (logged: Logged, name: string): Promise<any> => {
  await call({ method: "POST", path: "registered-models/create", body: { name }, response: "mlflow.CreateRegisteredModel.Response" });
  await call({ method: "GET", path: "runs/get", query: { run_id: logged.runId } });
  // The run has no MLmodel under its artifacts (3.x writes models elsewhere): the listing is empty.
  const listing = await call({ method: "GET", path: ARTIFACTS, query: { path: `${logged.experimentId}/${logged.runId}/artifacts/model` } });
  expect(listing.files ?? []).toEqual([]);
  await call({ method: "GET", path: "runs/get", query: { run_id: logged.runId } });
  const found = await call({
    method: "POST",
    path: "logged-models/search",
    body: { experiment_ids: [logged.experimentId], filter: "name = 'model'" },
    response: "mlflow.SearchLoggedModels.Response",
  });
  expect(found.models.map((model: any) => [model.info.model_id, model.info.source_run_id])).toEqual([[logged.modelId, logged.runId]]);
  const created = await call({
    method: "POST",
    path: "model-versions/create",
    body: { name, source: `models:/${logged.modelId}`, run_id: logged.runId, model_id: logged.modelId },
    response: "mlflow.CreateModelVersion.Response",
  });
  await call({ method: "GET", path: `logged-models/${logged.modelId}` });
  const model = await call({ method: "GET", path: `logged-models/${logged.modelId}` });
  const previous = model.model.info.tags?.find((tag: any) => tag.key === "mlflow.modelVersions")?.value;
  const registrations = [...(previous ? JSON.parse(previous) : []), { name, version: created.model_version.version }];
  await call({
    method: "PATCH",
    path: `logged-models/${logged.modelId}/tags`,
    body: { tags: [{ key: "mlflow.modelVersions", value: JSON.stringify(registrations) }] },
    response: "mlflow.SetLoggedModelTags.Response",
  });
  return created.model_version;
};

describe("MLflow 3 client: log_model -> register_model -> alias -> load -> serve", () => {
  it("registers a logged model by id, loads it by alias, and serves it as onnxruntime answers", async () => {
    const logged = await trainAndLogModel();
    const version = await registerFromRun(logged, "iris-clf");
    expect(version).toMatchObject({
      name: "iris-clf",
      version: "1",
      source: `models:/${logged.modelId}`,
      run_id: logged.runId,
      model_id: logged.modelId,
      current_stage: "None",
      status: "READY",
    });
    const tagged = await call({ method: "GET", path: `logged-models/${logged.modelId}` });
    expect(tagged.model.info.tags).toContainEqual({ key: "mlflow.modelVersions", value: '[{"name":"iris-clf","version":"1"}]' });

    // Step 8, set_registered_model_alias.
    await call({ method: "GET", path: "registered-models/get", query: { name: "iris-clf" }, response: "mlflow.GetRegisteredModel.Response" });
    await call({ method: "POST", path: "registered-models/alias", body: { name: "iris-clf", alias: "champion", version: "1" } });

    // Step 9, mlflow.pyfunc.load_model("models:/iris-clf@champion").
    const byAlias = await call({
      method: "GET",
      path: "registered-models/alias",
      query: { name: "iris-clf", alias: "champion" },
      response: "mlflow.GetModelVersionByAlias.Response",
    });
    expect(byAlias.model_version).toMatchObject({ version: "1", model_id: logged.modelId, aliases: ["champion"] });
    const model = await call({ method: "GET", path: "registered-models/get", query: { name: "iris-clf" }, response: "mlflow.GetRegisteredModel.Response" });
    expect(model.registered_model.latest_versions[0].model_id).toBe(logged.modelId);
    const download = await call({
      method: "GET",
      path: "model-versions/get-download-uri",
      query: { name: "iris-clf", version: "1" },
      response: "mlflow.GetModelVersionDownloadUri.Response",
    });
    expect(download).toEqual({ artifact_uri: logged.artifactUri });
    const root = `${logged.experimentId}/models/${logged.modelId}/artifacts`;
    for (let i = 0; i < 2; i += 1) {
      const listed = await call({ method: "GET", path: ARTIFACTS, query: { path: root } });
      expect(listed.files.map((file: any) => file.path).sort()).toEqual(["MLmodel", "conda.yaml", "model.onnx", "python_env.yaml", "requirements.txt"]);
    }
    for (const [file, bytes] of Object.entries(logged.files)) {
      const got = await fetch(`${server.url}${ARTIFACTS}/${root}/${file}`);
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes), file).toBe(true);
    }

    // get and search answer model_id too, validated against the 3.x ModelVersion.
    const got = await call({ method: "GET", path: "model-versions/get", query: { name: "iris-clf", version: "1" }, response: "mlflow.GetModelVersion.Response" });
    expect(got.model_version.model_id).toBe(logged.modelId);
    const searched = await call({
      method: "GET",
      path: "model-versions/search",
      query: { filter: "name = 'iris-clf'" },
      response: "mlflow.SearchModelVersions.Response",
    });
    expect(searched.model_versions.map((found: any) => found.model_id)).toEqual([logged.modelId]);

    // register_model("models:/<model_id>", name): the same without run, listing and search; the version takes the
    // logged model's source run.
    const second = await call({
      method: "POST",
      path: "model-versions/create",
      body: { name: "iris-clf", source: `models:/${logged.modelId}`, model_id: logged.modelId },
      response: "mlflow.CreateModelVersion.Response",
    });
    expect(second.model_version).toMatchObject({ version: "2", run_id: logged.runId, model_id: logged.modelId });

    const expected = await direct();

    // (a) cairn serve models:/iris-clf@champion, and models:/<model_id>, in process as the CLI starts it.
    const cacheDir = path.join(scratch, "serve-cache");
    const byAliasServer = await startStandaloneServer({ model: "models:/iris-clf@champion", port: 0, trackingUri: server.url, cacheDir });
    try {
      expect((await readdir(path.join(cacheDir, "iris-clf", "1"))).sort()).toEqual(["MLmodel", "conda.yaml", "model.onnx", "python_env.yaml", "requirements.txt"]);
      const answer = await infer(`${byAliasServer.url}/v2/models/iris-clf/infer`);
      expect(answer.model_version).toBe("1");
      expect(answer.outputs[0]).toMatchObject({ name: "prob", shape: [3, 1] });
      expect(answer.outputs[0]?.data).toEqual(expected);
    } finally {
      await byAliasServer.close();
    }
    const byIdServer = await startStandaloneServer({ model: `models:/${logged.modelId}`, port: 0, trackingUri: server.url, cacheDir });
    try {
      expect((await readdir(path.join(cacheDir, "logged-models", logged.modelId))).sort()).toContain("model.onnx");
      expect((await infer(`${byIdServer.url}/v2/models/model/infer`)).outputs[0]?.data).toEqual(expected);
    } finally {
      await byIdServer.close();
    }

    // (b) a deployment following the alias: materialized through get-download-uri from the logged model's folder.
    await call({ method: "POST", path: "/api/2.0/cairn/deployments/create", body: { name: "iris", model_uri: "models:/iris-clf@champion" } });
    const deployed = await infer(`${server.url}/v2/models/iris/infer`);
    expect(deployed.model_version).toBe("1");
    expect(deployed.outputs[0]?.data).toEqual(expected);
    const scored = await fetch(`${server.url}/deployments/iris/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: { x: rows } }),
    });
    expect(((await scored.json()) as any).predictions).toEqual({ prob: expected.map((value) => [value]) });
    // The alias moves to version 2 (the same logged model): the deployment follows it.
    await call({ method: "POST", path: "registered-models/alias", body: { name: "iris-clf", alias: "champion", version: "2" } });
    await waitFor(async () => (await infer(`${server.url}/v2/models/iris/infer`)).model_version === "2", "the switch to version 2");
    expect((await infer(`${server.url}/v2/models/iris/infer`)).outputs[0]?.data).toEqual(expected);
    // A deployment of a logged model's own URI is refused: deployments serve registered versions.
    const refused = await call({
      method: "POST",
      path: "/api/2.0/cairn/deployments/create",
      body: { name: "raw", model_uri: `models:/${logged.modelId}` },
      status: 400,
    });
    expect(refused).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message:
        `models:/${logged.modelId} names a logged model, not a registered model version. Register it first ` +
        `(model-versions/create with source 'models:/${logged.modelId}'), then use models:/<name>/<version> or models:/<name>@<alias>.`,
    });

    // Lineage: version <- logged model <- source run -> dataset, experiment, code.
    const lineage = await call({ method: "GET", path: "/api/2.0/cairn/model-versions/lineage", query: { name: "iris-clf", version: "1" } });
    const node = (id: string): any => lineage.nodes.find((candidate: any) => candidate.id === id);
    expect(node(`logged_model:${logged.modelId}`)).toEqual({
      id: `logged_model:${logged.modelId}`,
      type: "logged_model",
      label: "model",
      attributes: {
        model_id: logged.modelId,
        name: "model",
        experiment_id: logged.experimentId,
        status: "LOGGED_MODEL_READY",
        artifact_uri: logged.artifactUri,
        creation_timestamp_ms: expect.any(Number),
        source_run_id: logged.runId,
      },
    });
    expect(node("dataset:iris@4f6c2d1a").attributes).toMatchObject({ name: "iris", digest: "4f6c2d1a", context: "training" });
    const edges = lineage.edges.map((edge: any) => `${edge.from} ${edge.relation} ${edge.to}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        `logged_model:${logged.modelId} registered_as model_version:iris-clf/1`,
        `run:${logged.runId} produced logged_model:${logged.modelId}`,
        `run:${logged.runId} used dataset:iris@4f6c2d1a`,
        `run:${logged.runId} logged_in experiment:${logged.experimentId}`,
        "model_version:iris-clf/1 version_of registered_model:iris-clf",
      ]),
    );
    // The run reaches the version through the logged model, not by a second edge.
    expect(edges).not.toContain(`run:${logged.runId} produced model_version:iris-clf/1`);
    const usage = await call({ method: "GET", path: "/api/2.0/cairn/datasets/usage", query: { name: "iris" } });
    expect(usage.model_versions).toEqual([
      { name: "iris-clf", version: "1", run_id: logged.runId },
      { name: "iris-clf", version: "2", run_id: logged.runId },
    ]);

    // The model card shows the source run's metrics; a training profile attached to that run is the version's.
    const card = await call({ method: "GET", path: "/api/2.0/cairn/model-versions/card", query: { name: "iris-clf", version: "2" } });
    expect(card.card).toMatchObject({ run_id: logged.runId, model_id: logged.modelId, evaluation_metrics: [{ key: "loss", value: 0.5, step: 1 }] });
    const markdown = await (await fetch(`${server.url}/api/2.0/cairn/model-versions/card?name=iris-clf&version=2&format=markdown`)).text();
    expect(markdown).toContain(`Latest values from run \`${logged.runId}\`. Registered from logged model \`${logged.modelId}\`.`);
    // A training profile of the served feature columns (x_0..x_3, as the prediction log names a [n, 4] input),
    // attached to the logged model's source run: the version's run, so set-training needs no run_id.
    const csvPath = path.join(scratch, "train.csv");
    await writeFile(csvPath, ["x_0,x_1,x_2,x_3", ...rows.map((row) => row.join(","))].join("\n"));
    const training = await openDataset(csvPath);
    const profile = await profileDataset(training, { bins: 4 });
    await training.close();
    await call({ method: "POST", path: "/api/2.0/cairn/data/profiles/attach", body: { run_id: logged.runId, name: "train", profile } });
    const set = await call({
      method: "POST",
      path: "/api/2.0/cairn/data/profiles/set-training",
      body: { name: "iris-clf", version: "2", profile_name: "train" },
    });
    expect(set).toEqual({ uri: `runs:/${logged.runId}/profiles/train.json` });
    // Version 1 (run_id sent by the client) gets the same profile: the monitor reads the version its window served.
    await call({ method: "POST", path: "/api/2.0/cairn/data/profiles/set-training", body: { name: "iris-clf", version: "1", profile_name: "train" } });
    const read = await call({ method: "GET", path: "/api/2.0/cairn/data/profiles/training", query: { name: "iris-clf", version: "2" } });
    expect(read.profile.columns.map((column: any) => column.name)).toEqual(["x_0", "x_1", "x_2", "x_3"]);

    // A monitor of the deployment (now serving version 2) finds that profile: its skew check runs against it.
    await waitFor(
      async () => ((await call({ method: "GET", path: "/api/2.0/cairn/serving/predictions", query: { deployment: "iris" } })).predictions ?? []).length >= 2,
      "the prediction log",
    );
    await call({
      method: "POST",
      path: "/api/2.0/cairn/monitors/create",
      // The model has no signature: the monitor names the columns of its [n, 4] input (and judges from 1 row on).
      body: { name: "iris-watch", deployment: "iris", window: { last_rows: 1000 }, schedule_seconds: 3600, features: ["x_0", "x_1", "x_2", "x_3"], min_rows: 1, checks: { skew: {} } },
    });
    const run = (await call({ method: "POST", path: "/api/2.0/cairn/monitors/run", body: { name: "iris-watch" } })).run;
    const skew = run.checks.find((check: any) => check.check === "skew");
    // It ran against the profile (its verdict on three rows binned from float32 inputs is not the point here).
    expect(skew.message).toMatch(/^(no skew|training\/serving skew: x_)/);
    expect(skew.scores.map((score: any) => score.feature).sort()).toEqual(["", "x_0", "x_1", "x_2", "x_3"]);
  }, 90_000);

  it("refuses bad model ids, missing logged models, mismatched ids and traversal, storing nothing", async () => {
    await call({ method: "POST", path: "registered-models/create", body: { name: "guarded" } });
    const missing = "m-00000000000000000000000000000000";
    const refusals: Array<[unknown, number, string, string]> = [
      [
        { name: "guarded", source: "models:/m-123", model_id: "m-123" },
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid value 'm-123' for parameter 'model_id' supplied: a logged model id is 'm-' followed by 32 lowercase hex characters.",
      ],
      [
        { name: "guarded", source: "models:/../../etc" },
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid model version source: 'models:/../../etc'. A models: source must name a registered model version as " +
          "models:/<name>/<version> or a logged model as models:/<model_id> (m- followed by 32 lowercase hex characters); " +
          "aliases, stages and 'latest' would make the version's files change when the alias moves.",
      ],
      [
        { name: "guarded", source: `models:/${missing}` },
        404,
        "RESOURCE_DOES_NOT_EXIST",
        `Model version source 'models:/${missing}' refers to logged model '${missing}', which does not exist.`,
      ],
      [
        { name: "guarded", source: "mlflow-artifacts:/1/x/artifacts/model", model_id: missing },
        404,
        "RESOURCE_DOES_NOT_EXIST",
        `Logged model '${missing}' named by model_id does not exist.`,
      ],
      [
        { name: "guarded", source: "dummy-source" },
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid model version source: 'dummy-source'. This placeholder is accepted only for a prompt version: one tagged " +
          "mlflow.prompt.is_prompt=true, of a registered model tagged mlflow.prompt.is_prompt=true (as mlflow.genai.register_prompt creates them).",
      ],
    ];
    for (const [body, status, code, message] of refusals) {
      expect(await call({ method: "POST", path: "model-versions/create", body, status })).toEqual({ error_code: code, message });
    }
    const versions = await call({ method: "GET", path: "model-versions/search", query: { filter: "name = 'guarded'" } });
    expect(versions.model_versions ?? []).toEqual([]);
  });
});
