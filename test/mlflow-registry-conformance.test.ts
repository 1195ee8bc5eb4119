import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { ProtoSchema, toQueryString, type Json, type JsonObject } from "./support/proto-schema.js";

/**
 * The registry part of the MLflow Python client's traffic, checked against MLflow's model_registry.proto
 * (test/fixtures/mlflow-protos/registry-wire-schema.json). As in mlflow-proto-conformance.test.ts, each request is
 * built as the 2.x client builds it (message_to_json; rest_utils.call_endpoint: query string for GET, JSON body
 * otherwise, method and path from the RPC's first endpoint), sent to a real server over loopback, and the response
 * is validated field by field against `<Request>.Response`. Every RPC of the registry service is called at least once.
 */

const fixture = (name: string): any =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/mlflow-protos/${name}`, import.meta.url)), "utf8"));
const registryFile = fixture("registry-wire-schema.json");
// Error bodies name codes of databricks.proto's ErrorCode, transcribed once in the tracking schema.
const schema = new ProtoSchema({ ...registryFile, enums: { ...fixture("mlflow-wire-schema.json").enums, ...registryFile.enums } });
const REGISTRY = "mlflow.ModelRegistryService";
const called = new Set<string>();

let server: TempServer;
let runId = "";
beforeAll(async () => {
  server = await startTempServer("cairn-registry-");
  const response = await fetch(`${server.url}/api/2.0/mlflow/runs/create`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ experiment_id: "0" }),
  });
  runId = ((await response.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
});
afterAll(async () => {
  await server?.close();
});

interface CallOptions {
  endpoint?: number;
  /** The HTTP status expected; errors are checked for MLflow's error shape instead of the response message. */
  status?: number;
}

const send = async (rpcName: string, message: Record<string, unknown>, options: CallOptions): Promise<{ status: number; body: JsonObject }> => {
  const rpc = schema.rpc(`${REGISTRY}.${rpcName}`);
  const endpoint = rpc.endpoints[options.endpoint ?? 0];
  if (!endpoint) throw new Error(`${rpcName} has no endpoint ${options.endpoint}`);
  const json = schema.toClientJson(rpc.request, message, { int64: "number" });
  expect(schema.validate(rpc.request, json), `request of ${rpcName}`).toEqual([]);
  expect(schema.missingRequired(rpc.request, json), `request of ${rpcName}`).toEqual([]);
  const url = `${server.url}/api/2.0${endpoint.path}`;
  const response =
    endpoint.method === "GET"
      ? await fetch(`${url}?${toQueryString(json)}`)
      : await fetch(url, { method: endpoint.method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(json) });
  const text = await response.text();
  expect(response.status, `${endpoint.method} ${endpoint.path} answered ${text}`).toBe(options.status ?? 200);
  return { status: response.status, body: JSON.parse(text) as JsonObject };
};

/** One RPC as the Python client makes it; returns the response validated against the proto. */
const call = async (rpcName: string, message: Record<string, unknown>, options: CallOptions = {}): Promise<JsonObject> => {
  const { body } = await send(rpcName, message, options);
  const rpc = schema.rpc(`${REGISTRY}.${rpcName}`);
  expect(schema.validate(rpc.response, body), `${rpcName} -> ${rpc.response}`).toEqual([]);
  called.add(rpcName);
  return body;
};

/** A failing RPC: MLflow's error shape, with a code of databricks.proto. */
const callFailing = async (rpcName: string, message: Record<string, unknown>, status: number, code: string): Promise<string> => {
  const { body } = await send(rpcName, message, { status });
  expect(Object.keys(body).sort()).toEqual(["error_code", "message"]);
  expect(schema.enums.get("mlflow.ErrorCode")?.has(String(body.error_code))).toBe(true);
  expect(body.error_code).toBe(code);
  return String(body.message);
};

const get = (value: Json | undefined, path: string): Json | undefined => {
  let node = value;
  for (const part of path.split(".")) {
    node = node !== null && typeof node === "object" && !Array.isArray(node) ? node[part] : undefined;
  }
  return node;
};

/** Fields the Python client's entities read (RegisteredModel/ModelVersion.from_proto) and Cairn always sets. */
const MODEL_FIELDS = ["name", "creation_timestamp", "last_updated_timestamp"];
const VERSION_FIELDS = ["name", "version", "creation_timestamp", "last_updated_timestamp", "current_stage", "source", "status"];
const expectFields = (message: Json | undefined, fields: string[], label: string): void => {
  expect(fields.filter((field) => get(message, field) === undefined), label).toEqual([]);
};

describe("the registry schema transcribed from model_registry.proto", () => {
  it("is self-consistent and names its origin", () => {
    expect(schema.selfCheck()).toEqual([]);
    expect(schema.origin.files["mlflow/protos/model_registry.proto"]).toMatch(/^[0-9a-f]{40}$/);
    expect(schema.rpc(`${REGISTRY}.updateRegisteredModel`).endpoints).toEqual([
      { method: "PATCH", path: "/mlflow/registered-models/update", since: "2.0" },
    ]);
    expect(schema.rpc(`${REGISTRY}.getLatestVersions`).endpoints.map((endpoint) => endpoint.method)).toEqual(["POST", "GET"]);
  });

  it("the validator catches a wrongly typed version and an unknown status", () => {
    expect(schema.validate("mlflow.GetModelVersion.Response", { model_version: { version: 1, status: "DONE", aliases: "a" } })).toEqual([
      "$.model_version.version: expected a JSON string for string, got number 1",
      "$.model_version.status: expected a mlflow.ModelVersionStatus name (PENDING_REGISTRATION, FAILED_REGISTRATION, READY...), got string \"DONE\"",
      "$.model_version.aliases: repeated string must be a JSON array, got string \"a\"",
    ]);
  });
});

describe("the Python client's registry traffic, validated against model_registry.proto", () => {
  it("registered-models/create, get, search (everyday calls of mlflow.register_model and search_registered_models)", async () => {
    const created = await call("createRegisteredModel", { name: "churn", tags: [{ key: "team", value: "growth" }], description: "churn model" });
    expectFields(created.registered_model, MODEL_FIELDS, "create");
    await callFailing("createRegisteredModel", { name: "churn" }, 400, "RESOURCE_ALREADY_EXISTS");
    const fetched = await call("getRegisteredModel", { name: "churn" });
    expect(get(fetched, "registered_model.tags")).toEqual([{ key: "team", value: "growth" }]);
    const found = await call("searchRegisteredModels", { filter: "name LIKE 'ch%'", max_results: 100, order_by: ["name ASC"] });
    expect((found.registered_models as Json[]).map((model) => get(model, "name"))).toEqual(["churn"]);
    await callFailing("getRegisteredModel", { name: "missing" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("model-versions/create, get, search, get-download-uri (register_model, search_model_versions, load_model)", async () => {
    const created = await call("createModelVersion", {
      name: "churn",
      source: `mlflow-artifacts:/0/${runId}/artifacts/model`,
      run_id: runId,
      tags: [{ key: "validation_status", value: "passed" }],
      description: "v1",
    });
    expectFields(created.model_version, VERSION_FIELDS, "create version");
    expect(get(created, "model_version.status")).toBe("READY");
    await call("createModelVersion", { name: "churn", source: `runs:/${runId}/model`, run_id: runId });
    expectFields((await call("getModelVersion", { name: "churn", version: "1" })).model_version, VERSION_FIELDS, "get version");
    const found = await call("searchModelVersions", { filter: "name='churn'", max_results: 1000 });
    expect((found.model_versions as Json[]).map((version) => get(version, "version")).sort()).toEqual(["1", "2"]);
    const uri = await call("getModelVersionDownloadUri", { name: "churn", version: "2" });
    expect(uri).toEqual({ artifact_uri: `mlflow-artifacts:/0/${runId}/artifacts/model` });
    await callFailing("createModelVersion", { name: "churn", source: "/etc/passwd" }, 400, "INVALID_PARAMETER_VALUE");
  });

  it("transition-stage and get-latest-versions (POST as the client calls it, and GET)", async () => {
    const moved = await call("transitionModelVersionStage", { name: "churn", version: "1", stage: "Production", archive_existing_versions: false });
    expect(get(moved, "model_version.current_stage")).toBe("Production");
    const latest = await call("getLatestVersions", { name: "churn", stages: ["Production"] });
    expect((latest.model_versions as Json[]).map((version) => get(version, "version"))).toEqual(["1"]);
    const latestByGet = await call("getLatestVersions", { name: "churn" }, { endpoint: 1 });
    expect((latestByGet.model_versions as Json[]).length).toBe(2);
  });

  it("aliases: POST sets, GET resolves (load_model('models:/churn@champion')), DELETE removes", async () => {
    expect(await call("setRegisteredModelAlias", { name: "churn", alias: "champion", version: "2" })).toEqual({});
    const byAlias = await call("getModelVersionByAlias", { name: "churn", alias: "champion" });
    expect(get(byAlias, "model_version.aliases")).toEqual(["champion"]);
    expect(get(await call("getRegisteredModel", { name: "churn" }), "registered_model.aliases")).toEqual([{ alias: "champion", version: "2" }]);
    expect(await call("deleteRegisteredModelAlias", { name: "churn", alias: "champion" })).toEqual({});
    await callFailing("setRegisteredModelAlias", { name: "churn", alias: "latest", version: "1" }, 400, "INVALID_PARAMETER_VALUE");
  });

  it("the other registry RPCs: tags, updates, rename, deletes", async () => {
    expect(await call("setRegisteredModelTag", { name: "churn", key: "owner", value: "ada" })).toEqual({});
    expect(await call("deleteRegisteredModelTag", { name: "churn", key: "owner" })).toEqual({});
    expect(await call("setModelVersionTag", { name: "churn", version: "2", key: "stage_note", value: "canary" })).toEqual({});
    expect(await call("deleteModelVersionTag", { name: "churn", version: "2", key: "stage_note" })).toEqual({});
    expect(get(await call("updateRegisteredModel", { name: "churn", description: "new" }), "registered_model.description")).toBe("new");
    expect(get(await call("updateModelVersion", { name: "churn", version: "2", description: "v2" }), "model_version.description")).toBe("v2");
    expect(get(await call("renameRegisteredModel", { name: "churn", new_name: "churn-2" }), "registered_model.name")).toBe("churn-2");
    expect(await call("deleteModelVersion", { name: "churn-2", version: "1" })).toEqual({});
    expect(await call("deleteRegisteredModel", { name: "churn-2" })).toEqual({});
    await callFailing("getModelVersion", { name: "churn-2", version: "2" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("every RPC of ModelRegistryService in the schema was exercised", () => {
    const all = [...schema.rpcs.values()].filter((rpc) => rpc.service === REGISTRY).map((rpc) => rpc.name);
    expect(all).toHaveLength(21);
    expect(all.filter((name) => !called.has(name))).toEqual([]);
  });
});
