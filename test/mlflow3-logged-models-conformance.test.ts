import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { loadSchemaFiles, toQueryString, type Json, type JsonObject } from "./support/proto-schema.js";

/**
 * The MLflow 3.6 client's logged-model traffic (../shared/reference/mlflow3-rest.md, section 2: steps 5, 10 and
 * 11), replayed as the client builds it against a real Cairn server, each response validated field by field against
 * the transcription of service.proto (test/fixtures/mlflow-protos/mlflow3-logged-models-schema.json merged with the
 * 2.x tracking one) and its values asserted. For routes with path parameters the 3.x client writes the path itself
 * (`/api/2.0/mlflow/logged-models/{model_id}`); the tag calls carry the id only in the path.
 */

const schema = loadSchemaFiles("mlflow-wire-schema.json", "mlflow3-logged-models-schema.json");
const TRACKING = "mlflow.MlflowService";

let server: TempServer;

beforeAll(async () => {
  server = await startTempServer("cairn-mlflow3-lm-");
});
afterAll(async () => {
  await server?.close();
});

interface CallOptions {
  int64?: "number" | "string";
  /** Fields that travel only in the path (SetLoggedModelTags, DeleteLoggedModelTag). */
  pathOnly?: boolean;
}

const asObject = (value: Json | undefined): JsonObject => {
  if (value === null || value === undefined || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  }
  return value;
};
const asArray = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);

/** One RPC as the 3.x client makes it; returns the validated response body. */
const call = async (rpcName: string, message: Record<string, unknown>, options: CallOptions = {}): Promise<JsonObject> => {
  const rpc = schema.rpc(`${TRACKING}.${rpcName}`);
  const endpoint = rpc.endpoints[0];
  if (!endpoint) throw new Error(`${rpcName} has no endpoint`);
  const json = schema.toClientJson(rpc.request, message, { int64: options.int64 ?? "number" });
  expect(schema.validate(rpc.request, json), `request of ${rpcName}`).toEqual([]);
  expect(schema.missingRequired(rpc.request, json), `request of ${rpcName}`).toEqual([]);
  const used: string[] = [];
  const path = endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    used.push(name);
    return encodeURIComponent(String(json[name]));
  });
  const sent: JsonObject = { ...json };
  if (options.pathOnly) for (const name of used) delete sent[name];
  const url = `${server.url}/api/2.0${path}`;
  const response =
    endpoint.method === "GET"
      ? await fetch(`${url}?${toQueryString(sent)}`)
      : await fetch(url, { method: endpoint.method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(sent) });
  const text = await response.text();
  expect(response.status, `${endpoint.method} ${path} answered ${text}`).toBe(200);
  const body = JSON.parse(text) as JsonObject;
  expect(schema.validate(rpc.response, body), `${endpoint.method} ${path} -> ${rpc.response}`).toEqual([]);
  return body;
};

const putArtifact = async (key: string, content: string): Promise<void> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${key}`, { method: "PUT", body: content });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(schema.validate("mlflow.artifacts.UploadArtifact.Response", JSON.parse(text))).toEqual([]);
};

const listArtifacts = async (path: string): Promise<JsonObject> => {
  const query = toQueryString(schema.toClientJson("mlflow.artifacts.ListArtifacts", { path }, { int64: "number" }));
  const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts?${query}`);
  const body = (await response.json()) as JsonObject;
  expect(response.status).toBe(200);
  expect(schema.validate("mlflow.artifacts.ListArtifacts.Response", body)).toEqual([]);
  return body;
};

const T0 = 1_700_000_000_000;
const SOURCE_TAGS = [
  { key: "mlflow.user", value: "ada" },
  { key: "mlflow.source.name", value: "train.py" },
  { key: "mlflow.source.type", value: "LOCAL" },
];
const MODEL_FILES = ["requirements.txt", "MLmodel", "python_env.yaml", "conda.yaml", "model.onnx"];

describe("the transcription of MLflow 3's logged-model messages", () => {
  it("merges with the 2.x schema into a self-consistent whole", () => {
    expect(schema.selfCheck()).toEqual([]);
    expect(schema.rpc(`${TRACKING}.finalizeLoggedModel`).endpoints).toEqual([
      { method: "PATCH", path: "/mlflow/logged-models/{model_id}", since: "2.0" },
    ]);
  });
});

describe("MLflow 3.6 client: log_model inside a run (step 5)", () => {
  let experimentId = "";
  let runId = "";
  let modelId = "";
  let created: JsonObject = {};

  it("sets up the experiment and a run with a param and metrics (steps 1-4)", async () => {
    experimentId = String((await call("createExperiment", { name: "mlflow3-log-model" })).experiment_id);
    const run = asObject((await call("createRun", { experiment_id: experimentId, user_id: "ada", start_time: T0, tags: SOURCE_TAGS })).run);
    runId = String(asObject(run.info).run_id);
    expect(await call("logParam", { run_id: runId, run_uuid: runId, key: "lr", value: "0.1" })).toEqual({});
    expect(await call("logMetric", { run_id: runId, run_uuid: runId, key: "loss", value: 0.5, timestamp: T0 + 1, step: 1 })).toEqual({});
    expect(await call("logMetric", { run_id: runId, run_uuid: runId, key: "acc", value: 0.75, timestamp: T0 + 2, step: 0 })).toEqual({});
  });

  it("GET runs/get, then POST logged-models with the run's params and the source tags", async () => {
    const run = asObject((await call("getRun", { run_id: runId, run_uuid: runId })).run);
    expect(run.outputs).toBeUndefined();
    const body = await call("createLoggedModel", {
      experiment_id: experimentId,
      name: "model",
      source_run_id: runId,
      params: [{ key: "lr", value: "0.1" }],
      tags: SOURCE_TAGS,
    });
    created = asObject(body.model);
    const info = asObject(created.info);
    modelId = String(info.model_id);
    expect(modelId).toMatch(/^m-[0-9a-f]{32}$/);
    expect(info).toEqual({
      model_id: modelId,
      experiment_id: experimentId,
      name: "model",
      creation_timestamp_ms: info.creation_timestamp_ms,
      last_updated_timestamp_ms: info.creation_timestamp_ms,
      artifact_uri: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`,
      status: "LOGGED_MODEL_PENDING",
      source_run_id: runId,
      tags: SOURCE_TAGS.slice().sort((a, b) => a.key.localeCompare(b.key)),
      registrations: [],
    });
    expect(created.data).toEqual({ params: [{ key: "lr", value: "0.1" }], metrics: [] });
  });

  it("POST runs/outputs, then GET runs/get answers the model output", async () => {
    expect(await call("logOutputs", { run_id: runId, models: [{ model_id: modelId, step: 0 }] })).toEqual({});
    const run = asObject((await call("getRun", { run_id: runId, run_uuid: runId })).run);
    expect(run.outputs).toEqual({ model_outputs: [{ model_id: modelId, step: 0 }] });
    expect(asObject(run.inputs)).toEqual({ dataset_inputs: [] });
  });

  it("GET metrics/get-history per run metric, then POST runs/log-batch re-sending the model's step metrics with model_id", async () => {
    for (const key of ["acc", "loss"]) {
      const history = asArray((await call("getMetricHistory", { run_id: runId, run_uuid: runId, metric_key: key })).metrics);
      expect(history).toHaveLength(1);
      // Run metrics stay 2.x-shaped: MLflow 3.6's server leaves model_id and the dataset fields out here too.
      expect(Object.keys(asObject(history[0])).sort()).toEqual(["key", "step", "timestamp", "value"]);
    }
    expect(
      await call("logBatch", { run_id: runId, metrics: [{ key: "acc", value: 0.75, timestamp: T0 + 2, step: 0, model_id: modelId, run_id: runId }] }),
    ).toEqual({});
  });

  it("GET logged-models/{id} answers the re-sent metric as the model's", async () => {
    const model = asObject((await call("getLoggedModel", { model_id: modelId })).model);
    expect(asObject(model.data).metrics).toEqual([{ key: "acc", value: 0.75, timestamp: T0 + 2, step: 0, run_id: runId, model_id: modelId }]);
    expect(asObject(model.info).status).toBe("LOGGED_MODEL_PENDING");
  });

  it("PUTs the model files under <exp>/models/<id>/artifacts and PATCHes the model READY", async () => {
    const root = `${experimentId}/models/${modelId}/artifacts`;
    for (const file of MODEL_FILES) await putArtifact(`${root}/${file}`, `content of ${file}`);
    const body = await call("finalizeLoggedModel", { model_id: modelId, status: "LOGGED_MODEL_READY" });
    const info = asObject(asObject(body.model).info);
    expect(info.status).toBe("LOGGED_MODEL_READY");
    expect(Number(info.last_updated_timestamp_ms)).toBeGreaterThanOrEqual(Number(info.creation_timestamp_ms));
    const listed = asArray((await listArtifacts(root)).files).map((file) => asObject(file).path);
    expect(listed.sort()).toEqual([...MODEL_FILES].sort());
    const directories = await call("listLoggedModelArtifacts", { model_id: modelId });
    expect(directories.root_uri).toBe(`mlflow-artifacts:/${root}`);
    expect(asArray(directories.files).map((file) => asObject(file).path).sort()).toEqual([...MODEL_FILES].sort());
    // Nothing was written under the run's artifacts (3.x no longer does).
    expect(await listArtifacts(`${experimentId}/${runId}/artifacts`)).toEqual({});
  });

  it("the run and the model read back consistently", async () => {
    const run = asObject((await call("getRun", { run_id: runId, run_uuid: runId })).run);
    expect(asArray(asObject(run.data).metrics)).toEqual([
      { key: "acc", value: 0.75, timestamp: T0 + 2, step: 0 },
      { key: "loss", value: 0.5, timestamp: T0 + 1, step: 1 },
    ]);
    expect(run.outputs).toEqual({ model_outputs: [{ model_id: modelId, step: 0 }] });
  });

  it("outside a run: POST logged-models, GET, PUTs, PATCH", async () => {
    const model = asObject((await call("createLoggedModel", { experiment_id: experimentId, name: "standalone" })).model);
    const id = String(asObject(model.info).model_id);
    expect(asObject(model.info).source_run_id).toBeUndefined();
    expect(asObject((await call("getLoggedModel", { model_id: id })).model)).toEqual(model);
    for (const file of MODEL_FILES) await putArtifact(`${experimentId}/models/${id}/artifacts/${file}`, file);
    const ready = asObject((await call("finalizeLoggedModel", { model_id: id, status: "LOGGED_MODEL_READY" })).model);
    expect(asObject(ready.info).status).toBe("LOGGED_MODEL_READY");
  });

  it("step 10: list_artifacts(run_id, 'notes') searches logged models by name and gets 200 with no models", async () => {
    await putArtifact(`${experimentId}/${runId}/artifacts/notes/readme.txt`, "hello");
    await call("getRun", { run_id: runId, run_uuid: runId });
    const listed = await listArtifacts(`${experimentId}/${runId}/artifacts/notes`);
    expect(listed).toEqual({ files: [{ path: "readme.txt", is_dir: false, file_size: 5 }] });
    await call("getRun", { run_id: runId, run_uuid: runId });
    expect(await call("searchLoggedModels", { experiment_ids: [experimentId], filter: "name = 'notes'" })).toEqual({});
    // As the reference records it, without experiment ids: no model either, and no error.
    expect(await call("searchLoggedModels", { filter: "name = 'notes'" })).toEqual({});
  });

  it("register_model's lookup (step 7): search by name finds the model, matched on source_run_id", async () => {
    const found = asArray((await call("searchLoggedModels", { experiment_ids: [experimentId], filter: "name = 'model'" })).models);
    expect(found.map((model) => asObject(asObject(model).info).model_id)).toEqual([modelId]);
    expect(asObject(asObject(found[0]).info).source_run_id).toBe(runId);
    expect(
      await call("setLoggedModelTags", { model_id: modelId, tags: [{ key: "mlflow.modelVersions", value: '[{"name": "m", "version": 1}]' }] }, { pathOnly: true }),
    ).toEqual({});
    const tags = asArray(asObject(asObject((await call("getLoggedModel", { model_id: modelId })).model).info).tags);
    expect(tags).toContainEqual({ key: "mlflow.modelVersions", value: '[{"name": "m", "version": 1}]' });
    expect(await call("deleteLoggedModelTag", { model_id: modelId, tag_key: "mlflow.modelVersions" }, { pathOnly: true })).toEqual({});
  });
});

describe("MLflow 3.6 client: search_logged_models (step 11)", () => {
  let experimentId = "";
  const ids: string[] = [];

  beforeAll(async () => {
    experimentId = String((await call("createExperiment", { name: "mlflow3-search" })).experiment_id);
    const runId = String(asObject(asObject((await call("createRun", { experiment_id: experimentId, start_time: T0 })).run).info).run_id);
    const scores: [string, number, number][] = [
      ["knn", 0.81, 0.7],
      ["forest", 0.93, 0.88],
      ["linear", 0.77, 0.91],
    ];
    for (const [name, test, train] of scores) {
      // Distinct creation times, so that the default order (newest first) is fixed.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const model = asObject((await call("createLoggedModel", { experiment_id: experimentId, name, model_type: "Classifier", params: [{ key: "kind", value: name }] })).model);
      const id = String(asObject(model.info).model_id);
      ids.push(id);
      await call("logBatch", {
        run_id: runId,
        metrics: [
          { key: "accuracy", value: test, timestamp: T0, step: 0, model_id: id, dataset_name: "test", dataset_digest: "t1" },
          { key: "accuracy", value: train, timestamp: T0 + 1, step: 0, model_id: id, dataset_name: "train", dataset_digest: "r1" },
        ],
      });
    }
    await call("finalizeLoggedModel", { model_id: ids[1] ?? "", status: "LOGGED_MODEL_READY" });
  });

  const names = (body: JsonObject): string[] => asArray(body.models).map((model) => String(asObject(asObject(model).info).name));

  it("filters on metrics, attributes and params, with and without datasets", async () => {
    expect(names(await call("searchLoggedModels", { experiment_ids: [experimentId], filter: "metrics.accuracy > 0.9" }))).toEqual(["linear", "forest"]);
    expect(
      names(await call("searchLoggedModels", { experiment_ids: [experimentId], filter: "metrics.accuracy > 0.9", datasets: [{ dataset_name: "test", dataset_digest: "t1" }] })),
    ).toEqual(["forest"]);
    expect(names(await call("searchLoggedModels", { experiment_ids: [experimentId], filter: "status = 'LOGGED_MODEL_READY'" }))).toEqual(["forest"]);
    expect(names(await call("searchLoggedModels", { experiment_ids: [experimentId], filter: "params.kind LIKE 'l%' AND model_type = 'Classifier'" }))).toEqual(["linear"]);
    expect(names(await call("searchLoggedModels", { experiment_ids: [experimentId], filter: `creation_timestamp >= 0 AND name != 'knn'` }))).toEqual(["linear", "forest"]);
  });

  it("orders by a metric on a dataset (name and digest) and by attributes", async () => {
    const byTest = await call("searchLoggedModels", {
      experiment_ids: [experimentId],
      order_by: [{ field_name: "metrics.accuracy", ascending: false, dataset_name: "test", dataset_digest: "t1" }],
    });
    expect(names(byTest)).toEqual(["forest", "knn", "linear"]);
    const byTrain = await call("searchLoggedModels", { experiment_ids: [experimentId], order_by: [{ field_name: "metrics.accuracy", ascending: true, dataset_name: "train" }] });
    expect(names(byTrain)).toEqual(["knn", "forest", "linear"]);
    expect(names(await call("searchLoggedModels", { experiment_ids: [experimentId], order_by: [{ field_name: "name", ascending: true }] }))).toEqual([
      "forest",
      "knn",
      "linear",
    ]);
  });

  it("pages with max_results and page_token until no token is answered", async () => {
    const seen: string[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 5; page += 1) {
      const body = await call("searchLoggedModels", {
        experiment_ids: [experimentId],
        max_results: 2,
        order_by: [{ field_name: "creation_time", ascending: true }],
        ...(pageToken ? { page_token: pageToken } : {}),
      });
      seen.push(...names(body));
      pageToken = body.next_page_token === undefined ? undefined : String(body.next_page_token);
      if (pageToken === undefined) break;
    }
    expect(seen).toEqual(["knn", "forest", "linear"]);
  });
});
