import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { loadMlflowSchema, toQueryString, type Json, type JsonObject } from "./support/proto-schema.js";

/**
 * The MLflow Python client's everyday traffic, checked against MLflow's own protocol messages
 * (test/fixtures/mlflow-protos). PyPI is out of reach here, so each request is built exactly as the 2.x client
 * builds it (message_to_json, then rest_utils.call_endpoint: JSON body for POST, query string for GET, path and
 * method from the RPC's first endpoint in the proto), sent to a real Cairn server over loopback, and the response
 * is validated field by field against `<Request>.Response`: unknown fields, wrong JSON types, nulls and missing
 * fields the client reads are all failures.
 */

const schema = loadMlflowSchema();
const TRACKING = "mlflow.MlflowService";
const ARTIFACTS = "mlflow.artifacts.MlflowArtifactsService";
const called = new Set<string>();

let server: TempServer;

beforeAll(async () => {
  server = await startTempServer("cairn-proto-");
});
afterAll(async () => {
  await server?.close();
});

interface CallOptions {
  int64?: "number" | "string";
  /** Which of the RPC's endpoints to use; the Python client uses the first. */
  endpoint?: number;
}

/** One RPC as the Python client makes it; returns the validated response body. */
const call = async (rpcName: string, message: Record<string, unknown>, options: CallOptions = {}): Promise<JsonObject> => {
  const rpc = schema.rpc(`${TRACKING}.${rpcName}`);
  const endpoint = rpc.endpoints[options.endpoint ?? 0];
  if (!endpoint) throw new Error(`${rpcName} has no endpoint ${options.endpoint}`);
  const json = schema.toClientJson(rpc.request, message, { int64: options.int64 ?? "number" });
  // Sanity check of the test itself: what we send is a valid request message.
  expect(schema.validate(rpc.request, json), `request of ${rpcName}`).toEqual([]);
  expect(schema.missingRequired(rpc.request, json), `request of ${rpcName}`).toEqual([]);

  const url = `${server.url}/api/2.0${endpoint.path}`;
  const response =
    endpoint.method === "GET"
      ? await fetch(`${url}?${toQueryString(json)}`)
      : await fetch(url, { method: endpoint.method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(json) });
  const text = await response.text();
  expect(response.status, `${endpoint.method} ${endpoint.path} answered ${text}`).toBe(200);
  const body = JSON.parse(text) as JsonObject;
  expect(schema.validate(rpc.response, body), `${endpoint.method} ${endpoint.path} -> ${rpc.response}`).toEqual([]);
  called.add(`${TRACKING}.${rpcName}`);
  return body;
};

/** Fields the Python client reads (entities' from_proto); each dotted path must be present in the body. */
const expectPresent = (body: Json, paths: string[], label: string): void => {
  const missing = paths.filter((dotted) => {
    let node: Json | undefined = body;
    for (const part of dotted.split(".")) {
      node = node !== null && typeof node === "object" && !Array.isArray(node) ? node[part] : undefined;
    }
    return node === undefined;
  });
  expect(missing, `${label}: fields the Python client reads`).toEqual([]);
};

const EXPERIMENT_FIELDS = ["experiment_id", "name", "artifact_location", "lifecycle_stage", "creation_time", "last_update_time"];
const RUN_INFO_FIELDS = ["run_id", "run_uuid", "run_name", "experiment_id", "status", "start_time", "artifact_uri", "lifecycle_stage"];
const runFields = (prefix: string): string[] => [...RUN_INFO_FIELDS.map((field) => `${prefix}.info.${field}`), `${prefix}.data`];

const asObject = (value: Json | undefined): JsonObject => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  return value;
};
const asArray = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);
const keyValues = (items: Json | undefined): Record<string, Json> =>
  Object.fromEntries(asArray(items).map((item) => [String(asObject(item).key), asObject(item).value ?? null]));

const T0 = 1_700_000_000_000;
const USER = "ada";
const SOURCE_TAGS = [
  { key: "mlflow.user", value: USER },
  { key: "mlflow.source.name", value: "train.py" },
  { key: "mlflow.source.type", value: "LOCAL" },
];

describe("the schema transcribed from MLflow's protos", () => {
  it("is self-consistent: every referenced type defined, field ids unique", () => {
    expect(schema.selfCheck()).toEqual([]);
    expect(schema.origin.repository).toBe("mlflow/mlflow");
  });

  it("the validator rejects what the protobuf JSON mapping rejects (so a green run means something)", () => {
    const bad = {
      run: {
        info: { run_id: 5, status: 1, start_time: "12", end_time: "soon", bogus: 1 },
        data: { metrics: [{ value: "1.5", step: 1.5 }], tags: {}, params: [null] },
      },
    };
    expect(schema.validate("mlflow.GetRun.Response", bad)).toEqual([
      "$.run.info.run_id: expected a JSON string for string, got number 5",
      "$.run.info.status: expected a mlflow.RunStatus name (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED...), got number 1",
      "$.run.info.end_time: expected an integer (JSON number or decimal string) for int64, got string \"soon\"",
      "$.run.info.bogus: unknown field (not in mlflow.RunInfo, which has: run_id, run_uuid, run_name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)",
      '$.run.data.metrics[0].value: expected a JSON number or "NaN"/"Infinity"/"-Infinity" for double, got string "1.5"',
      "$.run.data.metrics[0].step: expected an integer (JSON number or decimal string) for int64, got number 1.5",
      "$.run.data.tags: repeated mlflow.RunTag must be a JSON array, got object {}",
      "$.run.data.params[0]: null (mlflow.Param); MLflow omits unset fields instead",
    ]);
    expect(schema.validate("mlflow.DeleteRun.Response", [])).toEqual(["$: expected a JSON object for mlflow.DeleteRun.Response, got array []"]);
  });

  it("requests are encoded as message_to_json does: int64 numbers (2.x) or strings, NaN spelled out, GET as repeated keys", () => {
    const batch = { run_id: "r", metrics: [{ key: "m", value: Number.NaN, timestamp: 5, step: 0 }] };
    expect(schema.toClientJson("mlflow.LogBatch", batch, { int64: "number" })).toEqual({
      run_id: "r",
      metrics: [{ key: "m", value: "NaN", timestamp: 5, step: 0 }],
    });
    expect(schema.toClientJson("mlflow.LogBatch", batch, { int64: "string" })).toEqual({
      run_id: "r",
      metrics: [{ key: "m", value: "NaN", timestamp: "5", step: "0" }],
    });
    const query = schema.toClientJson("mlflow.GetMetricHistoryBulkInterval", { run_ids: ["a", "b"], metric_key: "m", max_results: 3 }, { int64: "number" });
    expect(toQueryString(query)).toBe("run_ids=a&run_ids=b&metric_key=m&max_results=3");
    expect(() => schema.toClientJson("mlflow.GetRun", { runid: "x" }, { int64: "number" })).toThrow(/no field runid/);
  });

  it("endpoints come from the proto's rpc options, first endpoint first", () => {
    expect(schema.rpc(`${TRACKING}.logParam`).endpoints).toEqual([{ method: "POST", path: "/mlflow/runs/log-parameter", since: "2.0" }]);
    expect(schema.rpc(`${TRACKING}.searchExperiments`).endpoints.map((endpoint) => endpoint.method)).toEqual(["POST", "GET"]);
    expect(schema.rpc(`${TRACKING}.getMetricHistoryBulkInterval`).endpoints[0]?.since).toBe("2.11");
  });
});

describe("the Python client's tracking traffic, validated against service.proto", () => {
  let experimentId = "";
  let runId = "";
  const experimentName = "proto-conformance";

  it("experiments/get-by-name for a missing experiment answers RESOURCE_DOES_NOT_EXIST in MLflow's error shape", async () => {
    // mlflow.set_experiment() starts with this call and creates the experiment on this error.
    const response = await fetch(`${server.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experimentName}`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as JsonObject;
    expect(Object.keys(body).sort()).toEqual(["error_code", "message"]);
    expect(schema.enums.get("mlflow.ErrorCode")?.has(String(body.error_code))).toBe(true);
    expect(body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(typeof body.message).toBe("string");
  });

  it("experiments/create", async () => {
    const body = await call("createExperiment", { name: experimentName, tags: [{ key: "team", value: "core" }] });
    expect(typeof body.experiment_id).toBe("string");
    experimentId = String(body.experiment_id);
  });

  it("experiments/get-by-name", async () => {
    const body = await call("getExperimentByName", { experiment_name: experimentName });
    expectPresent(body, EXPERIMENT_FIELDS.map((field) => `experiment.${field}`), "GetExperimentByName.Response");
    const experiment = asObject(body.experiment);
    expect(experiment.experiment_id).toBe(experimentId);
    expect(experiment.name).toBe(experimentName);
    expect(experiment.artifact_location).toBe(`mlflow-artifacts:/${experimentId}`);
    expect(experiment.lifecycle_stage).toBe("active");
    expect(keyValues(experiment.tags)).toEqual({ team: "core" });
  });

  it("experiments/get", async () => {
    const body = await call("getExperiment", { experiment_id: experimentId });
    expectPresent(body, EXPERIMENT_FIELDS.map((field) => `experiment.${field}`), "GetExperiment.Response");
    expect(asObject(body.experiment).name).toBe(experimentName);
  });

  it("experiments/set-experiment-tag and experiments/delete-experiment-tag", async () => {
    expect(await call("setExperimentTag", { experiment_id: experimentId, key: "stage", value: "dev" })).toEqual({});
    expect(await call("setExperimentTag", { experiment_id: experimentId, key: "gone", value: "soon" })).toEqual({});
    expect(await call("deleteExperimentTag", { experiment_id: experimentId, key: "gone" })).toEqual({});
    const body = await call("getExperiment", { experiment_id: experimentId });
    expect(keyValues(asObject(body.experiment).tags)).toEqual({ team: "core", stage: "dev" });
  });

  it("experiments/search (POST, as the client sends it, and the GET endpoint of the proto)", async () => {
    const request = {
      max_results: 1000,
      filter: `name = '${experimentName}'`,
      order_by: ["name ASC"],
      view_type: "ACTIVE_ONLY",
    };
    const posted = await call("searchExperiments", request);
    expect(asArray(posted.experiments).map((item) => asObject(item).experiment_id)).toEqual([experimentId]);
    asArray(posted.experiments).forEach((item, index) =>
      expectPresent(item, EXPERIMENT_FIELDS, `SearchExperiments.Response.experiments[${index}]`),
    );
    const viaGet = await call("searchExperiments", { ...request, view_type: "ALL" }, { endpoint: 1 });
    expect(asArray(viaGet.experiments).map((item) => asObject(item).name)).toEqual([experimentName]);
  });

  it("runs/create", async () => {
    const body = await call("createRun", {
      experiment_id: experimentId,
      user_id: USER,
      start_time: T0,
      tags: SOURCE_TAGS,
      run_name: "brave-owl-1",
    });
    expectPresent(body, runFields("run"), "CreateRun.Response");
    const info = asObject(asObject(body.run).info);
    runId = String(info.run_id);
    expect(info.run_uuid).toBe(runId);
    expect(info.experiment_id).toBe(experimentId);
    expect(info.run_name).toBe("brave-owl-1");
    expect(info.status).toBe("RUNNING");
    expect(Number(info.start_time)).toBe(T0);
    expect(info.lifecycle_stage).toBe("active");
    expect(info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    const tags = keyValues(asObject(asObject(body.run).data).tags);
    expect(tags).toMatchObject({ "mlflow.user": USER, "mlflow.source.name": "train.py", "mlflow.runName": "brave-owl-1" });
  });

  it("runs/log-parameter", async () => {
    expect(await call("logParam", { run_id: runId, run_uuid: runId, key: "lr", value: "0.01" })).toEqual({});
  });

  it("runs/log-metric, including NaN and Infinity as MessageToJson spells them", async () => {
    for (const [value, step] of [[0.5, 0], [0.25, 1], [Number.NaN, 2], [Number.POSITIVE_INFINITY, 3]] as const) {
      const body = await call("logMetric", { run_id: runId, run_uuid: runId, key: "loss", value, timestamp: T0 + step, step });
      expect(body).toEqual({});
    }
  });

  it("runs/set-tag and runs/delete-tag", async () => {
    expect(await call("setTag", { run_id: runId, run_uuid: runId, key: "note", value: "first" })).toEqual({});
    expect(await call("setTag", { run_id: runId, run_uuid: runId, key: "tmp", value: "x" })).toEqual({});
    expect(await call("deleteTag", { run_id: runId, key: "tmp" })).toEqual({});
  });

  it("runs/log-batch", async () => {
    const body = await call("logBatch", {
      run_id: runId,
      metrics: [
        { key: "acc", value: 0.9, timestamp: T0 + 10, step: 0 },
        { key: "acc", value: 0.95, timestamp: T0 + 11, step: 1 },
      ],
      params: [{ key: "epochs", value: "2" }],
      tags: [{ key: "note", value: "second" }],
    });
    expect(body).toEqual({});
  });

  it("runs/log-model", async () => {
    const model = {
      artifact_path: "model",
      run_id: runId,
      utc_time_created: "2024-01-01 00:00:00.000000",
      flavors: { python_function: { loader_module: "mlflow.sklearn", python_version: "3.11.7" } },
      model_uuid: "6b2e1ac1b2f94f0a9d1f0c1e4a6b7c8d",
      mlflow_version: "2.12.1",
    };
    expect(await call("logModel", { run_id: runId, model_json: JSON.stringify(model) })).toEqual({});
  });

  it("runs/log-inputs", async () => {
    const body = await call("logInputs", {
      run_id: runId,
      datasets: [
        {
          tags: [{ key: "mlflow.data.context", value: "training" }],
          dataset: {
            name: "iris",
            digest: "abc123",
            source_type: "local",
            source: '{"uri": "/data/iris.csv"}',
            schema: '{"mlflow_colspec": []}',
            profile: '{"num_rows": 150}',
          },
        },
      ],
    });
    expect(body).toEqual({});
  });

  it("runs/get returns everything logged, in proto shape", async () => {
    const body = await call("getRun", { run_id: runId, run_uuid: runId });
    expectPresent(body, runFields("run"), "GetRun.Response");
    const run = asObject(body.run);
    const data = asObject(run.data);
    expect(keyValues(data.params)).toEqual({ lr: "0.01", epochs: "2" });
    // Latest value per key: the highest step wins.
    expect(keyValues(data.metrics)).toEqual({ loss: "Infinity", acc: 0.95 });
    const tags = keyValues(data.tags);
    expect(tags.note).toBe("second");
    expect(tags.tmp).toBeUndefined();
    expect(typeof tags["mlflow.log-model.history"]).toBe("string");
    const datasetInputs = asArray(asObject(run.inputs).dataset_inputs);
    expect(datasetInputs).toHaveLength(1);
    expect(asObject(asObject(datasetInputs[0]).dataset)).toMatchObject({ name: "iris", digest: "abc123", source_type: "local" });
  });

  it("metrics/get-history (whole history, then paged)", async () => {
    const body = await call("getMetricHistory", { run_id: runId, run_uuid: runId, metric_key: "loss" });
    const metrics = asArray(body.metrics).map(asObject);
    expect(metrics.map((metric) => metric.value)).toEqual([0.5, 0.25, "NaN", "Infinity"]);
    expect(metrics.map((metric) => Number(metric.step))).toEqual([0, 1, 2, 3]);
    expect(metrics.map((metric) => Number(metric.timestamp))).toEqual([T0, T0 + 1, T0 + 2, T0 + 3]);
    metrics.forEach((metric, index) => expectPresent(metric, ["key", "value", "timestamp", "step"], `metrics[${index}]`));

    const first = await call("getMetricHistory", { run_id: runId, run_uuid: runId, metric_key: "loss", max_results: 3 });
    expect(asArray(first.metrics)).toHaveLength(3);
    expect(typeof first.next_page_token).toBe("string");
    const second = await call("getMetricHistory", {
      run_id: runId,
      run_uuid: runId,
      metric_key: "loss",
      max_results: 3,
      page_token: first.next_page_token,
    });
    expect(asArray(second.metrics).map((metric) => asObject(metric).value)).toEqual(["Infinity"]);
    expect(second.next_page_token ?? "").toBe("");
  });

  it("metrics/get-history-bulk-interval", async () => {
    const body = await call("getMetricHistoryBulkInterval", { run_ids: [runId], metric_key: "acc", max_results: 10 });
    const metrics = asArray(body.metrics).map(asObject);
    expect(metrics.map((metric) => [metric.run_id, metric.value, Number(metric.step)])).toEqual([
      [runId, 0.9, 0],
      [runId, 0.95, 1],
    ]);
  });

  it("runs/search", async () => {
    const body = await call("searchRuns", {
      experiment_ids: [experimentId],
      filter: "params.lr = '0.01' and metrics.acc > 0.9",
      run_view_type: "ACTIVE_ONLY",
      max_results: 1000,
      order_by: ["attributes.start_time DESC"],
    });
    const runs = asArray(body.runs);
    expect(runs).toHaveLength(1);
    expectPresent(runs[0] ?? null, runFields("").map((field) => field.slice(1)), "SearchRuns.Response.runs[0]");
    const run = asObject(runs[0]);
    expect(asObject(run.info).run_id).toBe(runId);
    expect(keyValues(asObject(run.data).params)).toEqual({ lr: "0.01", epochs: "2" });
  });

  it("runs/update", async () => {
    const body = await call("updateRun", { run_id: runId, run_uuid: runId, status: "FINISHED", end_time: T0 + 60_000 });
    expectPresent(body, RUN_INFO_FIELDS.map((field) => `run_info.${field}`), "UpdateRun.Response");
    const info = asObject(body.run_info);
    expect(info.status).toBe("FINISHED");
    expect(Number(info.end_time)).toBe(T0 + 60_000);
    expect(info.run_id).toBe(runId);
  });

  describe("artifacts through the server (mlflow_artifacts.proto), then artifacts/list of service.proto", () => {
    const content = Buffer.from("artifact_path: model\nflavors: {}\n");
    const runRoot = (): string => `${experimentId}/${runId}/artifacts`;
    const artifactUrl = (rpcName: string, artifactPath?: string): { method: string; url: string } => {
      const rpc = schema.rpc(`${ARTIFACTS}.${rpcName}`);
      const endpoint = rpc.endpoints[0];
      if (!endpoint) throw new Error(`${rpcName} has no endpoint`);
      called.add(`${ARTIFACTS}.${rpcName}`);
      const route = artifactPath === undefined ? endpoint.path : endpoint.path.replace("<path:artifact_path>", artifactPath);
      return { method: endpoint.method, url: `${server.url}/api/2.0${route}` };
    };

    it("PUT file (uploadArtifact) answers an empty UploadArtifact.Response", async () => {
      const { method, url } = artifactUrl("uploadArtifact", `${runRoot()}/model/MLmodel`);
      // mlflow/store/artifact/mlflow_artifacts_repo.py: the raw file as the body, type guessed from the name.
      const response = await fetch(url, { method, headers: { "Content-Type": "application/octet-stream" }, body: content });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      expect(schema.validate("mlflow.artifacts.UploadArtifact.Response", JSON.parse(text))).toEqual([]);
    });

    it("GET list (listArtifacts) answers ListArtifacts.Response with base names", async () => {
      const list = async (dirPath: string): Promise<JsonObject[]> => {
        const { method, url } = artifactUrl("listArtifacts");
        const query = toQueryString(schema.toClientJson("mlflow.artifacts.ListArtifacts", { path: dirPath }, { int64: "number" }));
        const response = await fetch(`${url}?${query}`, { method });
        const body = (await response.json()) as JsonObject;
        expect(response.status, JSON.stringify(body)).toBe(200);
        expect(schema.validate("mlflow.artifacts.ListArtifacts.Response", body)).toEqual([]);
        return asArray(body.files).map(asObject);
      };
      expect(await list(runRoot())).toEqual([{ path: "model", is_dir: true }]);
      const files = await list(`${runRoot()}/model`);
      expect(files.map((file) => [file.path, file.is_dir, Number(file.file_size)])).toEqual([["MLmodel", false, content.length]]);
    });

    it("GET file (downloadArtifact) returns the bytes", async () => {
      const { method, url } = artifactUrl("downloadArtifact", `${runRoot()}/model/MLmodel`);
      const response = await fetch(url, { method });
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(content)).toBe(true);
    });

    it("artifacts/list of the tracking API (run_id + path)", async () => {
      const root = await call("listArtifacts", { run_id: runId, run_uuid: runId });
      expect(root.root_uri).toBe(`mlflow-artifacts:/${runRoot()}`);
      expect(asArray(root.files)).toEqual([{ path: "model", is_dir: true }]);
      const nested = await call("listArtifacts", { run_id: runId, path: "model" });
      const files = asArray(nested.files).map(asObject);
      expect(files.map((file) => [file.path, file.is_dir, Number(file.file_size)])).toEqual([["model/MLmodel", false, content.length]]);
    });

    it("DELETE file (deleteArtifact) answers an empty DeleteArtifact.Response", async () => {
      const upload = artifactUrl("uploadArtifact", `${runRoot()}/scratch.txt`);
      expect((await fetch(upload.url, { method: upload.method, body: "x" })).status).toBe(200);
      const { method, url } = artifactUrl("deleteArtifact", `${runRoot()}/scratch.txt`);
      const response = await fetch(url, { method });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      expect(schema.validate("mlflow.artifacts.DeleteArtifact.Response", JSON.parse(text))).toEqual([]);
    });
  });

  it("runs/delete and runs/restore", async () => {
    expect(await call("deleteRun", { run_id: runId })).toEqual({});
    const deleted = await call("getRun", { run_id: runId, run_uuid: runId });
    expect(asObject(asObject(deleted.run).info).lifecycle_stage).toBe("deleted");
    const search = await call("searchRuns", { experiment_ids: [experimentId], run_view_type: "DELETED_ONLY", max_results: 1000 });
    expect(asArray(search.runs).map((run) => asObject(asObject(run).info).run_id)).toEqual([runId]);
    expect(await call("restoreRun", { run_id: runId })).toEqual({});
    const restored = await call("getRun", { run_id: runId, run_uuid: runId });
    expect(asObject(asObject(restored.run).info).lifecycle_stage).toBe("active");
  });

  it("experiments/update, experiments/delete and experiments/restore", async () => {
    expect(await call("updateExperiment", { experiment_id: experimentId, new_name: `${experimentName}-renamed` })).toEqual({});
    expect(await call("deleteExperiment", { experiment_id: experimentId })).toEqual({});
    const deleted = await call("getExperiment", { experiment_id: experimentId });
    expect(asObject(deleted.experiment)).toMatchObject({ name: `${experimentName}-renamed`, lifecycle_stage: "deleted" });
    expect(await call("restoreExperiment", { experiment_id: experimentId })).toEqual({});
    const restored = await call("getExperimentByName", { experiment_name: `${experimentName}-renamed` });
    expect(asObject(restored.experiment).lifecycle_stage).toBe("active");
  });
});

describe("int64 fields as JSON strings (protobuf's plain MessageToJson: older Python clients, the Java client)", () => {
  it("are accepted on writes and come back with the same values", async () => {
    const created = await call("createExperiment", { name: "int64-as-strings" }, { int64: "string" });
    const experimentId = String(created.experiment_id);
    const run = await call("createRun", { experiment_id: experimentId, start_time: T0, tags: SOURCE_TAGS }, { int64: "string" });
    const runId = String(asObject(asObject(run.run).info).run_id);
    await call("logMetric", { run_id: runId, run_uuid: runId, key: "m", value: 1.5, timestamp: T0 + 5, step: 7 }, { int64: "string" });
    await call(
      "logBatch",
      { run_id: runId, metrics: [{ key: "m", value: 2.5, timestamp: T0 + 6, step: 8 }] },
      { int64: "string" },
    );
    const updated = await call("updateRun", { run_id: runId, status: "KILLED", end_time: T0 + 9 }, { int64: "string" });
    expect(Number(asObject(updated.run_info).end_time)).toBe(T0 + 9);
    const history = await call("getMetricHistory", { run_id: runId, metric_key: "m", max_results: 10 }, { int64: "string" });
    expect(asArray(history.metrics).map((metric) => [asObject(metric).value, Number(asObject(metric).timestamp), Number(asObject(metric).step)])).toEqual([
      [1.5, T0 + 5, 7],
      [2.5, T0 + 6, 8],
    ]);
    const searched = await call("searchExperiments", { max_results: 5, filter: "name = 'int64-as-strings'" }, { int64: "string" });
    expect(asArray(searched.experiments)).toHaveLength(1);
  });
});

describe("coverage", () => {
  it("every tracking and artifact RPC of the schema was exercised above", () => {
    expect([...schema.rpcs.keys()].filter((name) => !called.has(name))).toEqual([]);
  });
});
