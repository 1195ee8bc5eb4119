import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRegistryApp, type RegistryTestApp } from "./test-support/registry-app.js";

let t: RegistryTestApp;
let runId = "";
beforeEach(async () => {
  t = await startRegistryApp();
  runId = (await t.call("POST", "runs/create", { experiment_id: "0" })).body.run.info.run_id;
  expect((await t.call("POST", "registered-models/create", { name: "churn" })).status).toBe(200);
});
afterEach(async () => {
  await t.close();
});

const createVersion = async (body: Record<string, unknown>) => {
  const response = await t.call("POST", "model-versions/create", { name: "churn", ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.model_version;
};

const downloadUri = async (version: string) => (await t.call("GET", "model-versions/get-download-uri", { name: "churn", version })).body;

describe("model-versions/create from sources inside the artifact store", () => {
  it("runs:/<run>/<path>: numbered 1, 2...; run_id recorded; download URI is the run's artifact root + path", async () => {
    const version = await createVersion({ source: `runs:/${runId}/model`, description: "first", tags: [{ key: "k", value: "v" }] });
    expect(version).toMatchObject({
      name: "churn",
      version: "1",
      source: `runs:/${runId}/model`,
      run_id: runId,
      current_stage: "None",
      status: "READY",
      description: "first",
      tags: [{ key: "k", value: "v" }],
      aliases: [],
    });
    expect(await downloadUri("1")).toEqual({ artifact_uri: `mlflow-artifacts:/0/${runId}/artifacts/model` });
    expect((await createVersion({ source: `runs:/${runId}/model` })).version).toBe("2");
    expect(t.events.map((event) => [event.type, event.payload.version])).toEqual([
      ["registered_model.created", undefined],
      ["model_version.created", "1"],
      ["model_version.created", "2"],
    ]);
  });

  it("mlflow-artifacts: sources (the Python client's resolved runs:/ URI); an authority is dropped from the download URI", async () => {
    await createVersion({ source: `mlflow-artifacts:/0/${runId}/artifacts/model`, run_id: runId });
    await createVersion({ source: `mlflow-artifacts://elsewhere:5000/0/${runId}/artifacts/model` });
    expect(await downloadUri("1")).toEqual({ artifact_uri: `mlflow-artifacts:/0/${runId}/artifacts/model` });
    expect(await downloadUri("2")).toEqual({ artifact_uri: `mlflow-artifacts:/0/${runId}/artifacts/model` });
  });

  it("models:/<name>/<version> sources download the referenced version's files", async () => {
    await createVersion({ source: `runs:/${runId}/model` });
    expect((await t.call("POST", "registered-models/create", { name: "copy" })).status).toBe(200);
    const copy = await t.call("POST", "model-versions/create", { name: "copy", source: "models:/churn/1" });
    expect(copy.status).toBe(200);
    expect((await t.call("GET", "model-versions/get-download-uri", { name: "copy", version: "1" })).body).toEqual({
      artifact_uri: `mlflow-artifacts:/0/${runId}/artifacts/model`,
    });
    const missing = await t.call("POST", "model-versions/create", { name: "copy", source: "models:/churn/9" });
    expect(missing).toEqual({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        message: "Model version source 'models:/churn/9' refers to model version churn/9, which does not exist.",
      },
    });
  });

  it("a run that does not exist, a run_id that contradicts the source, a missing model", async () => {
    expect(await t.call("POST", "model-versions/create", { name: "churn", source: "runs:/deadbeef/model" })).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Model version source 'runs:/deadbeef/model' refers to run 'deadbeef', which does not exist." },
    });
    expect((await t.call("POST", "model-versions/create", { name: "churn", source: `runs:/${runId}/model`, run_id: "other" })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: `Invalid model version source: 'runs:/${runId}/model'. The source names run '${runId}' but run_id is 'other'.`,
    });
    expect((await t.call("POST", "model-versions/create", { name: "churn", source: "mlflow-artifacts:/0/x/artifacts/m", run_id: "nosuchrun" })).body).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      message: "Run with id=nosuchrun not found",
    });
    const noModel = await t.call("POST", "model-versions/create", { name: "nope", source: `runs:/${runId}/model` });
    expect(noModel.status).toBe(404);
    expect(noModel.body.message).toBe("Registered Model with name=nope not found");
  });

  it("a run whose artifact root is not proxied by this server cannot be a source", async () => {
    const experiment = await t.call("POST", "experiments/create", { name: "local", artifact_location: "file:///srv/mlruns/7" });
    const localRun = (await t.call("POST", "runs/create", { experiment_id: experiment.body.experiment_id })).body.run.info.run_id;
    expect((await t.call("POST", "model-versions/create", { name: "churn", source: `runs:/${localRun}/model` })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: `Invalid model version source: 'runs:/${localRun}/model'. The run's artifact_uri 'file:///srv/mlruns/7/${localRun}/artifacts' is not inside this server's artifact store (mlflow-artifacts:).`,
    });
  });
});

describe("model-versions/create refuses sources outside the artifact store (CVE-2024-1558 class)", () => {
  const refusals: [string, string, RegExp][] = [
    ["a local absolute path", "/etc/passwd", /A local path is not allowed/],
    ["a relative local path", "mlruns/0/abc/artifacts/model", /A local path is not allowed/],
    ["a file: URI", "file:///etc/passwd", /A file: URI names a path on the server's disk/],
    ["an http URL", "http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/0", /The scheme 'http:' names storage outside/],
    ["an https URL", "https://example.com/model.pkl", /The scheme 'https:' names storage outside/],
    ["another scheme", "s3://bucket/model", /The scheme 's3:' names storage outside/],
    ["a '..' traversal", "mlflow-artifacts:/0/../../../etc", /'\.\.' segments are not allowed/],
    ["a traversal in a runs: URI", "runs:/RUN/../../../etc", /'\.\.' segments are not allowed/],
    ["a percent-encoded traversal", "mlflow-artifacts:/0/%2e%2e/%2e%2e/etc", /Percent-encoded characters are not allowed/],
    ["a double-encoded traversal", "mlflow-artifacts:/0/%252e%252e/etc", /Percent-encoded characters are not allowed/],
    ["a fragment trick", "mlflow-artifacts:/0/x#/../../etc", /A query \('\?'\) or a fragment \('#'\) is not allowed/],
    ["a NUL byte", "mlflow-artifacts:/0/model\u0000", /Control characters are not allowed/],
  ];
  for (const [what, template, reason] of refusals) {
    it(`refuses ${what}, naming the source, and creates nothing`, async () => {
      const source = template.replace("RUN", runId);
      const response = await t.call("POST", "model-versions/create", { name: "churn", source, run_id: runId });
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe("INVALID_PARAMETER_VALUE");
      expect(response.body.message.startsWith(`Invalid model version source: '${source}'.`)).toBe(true);
      expect(response.body.message).toMatch(reason);
      expect((await t.call("GET", "model-versions/search", { filter: "name='churn'" })).body.model_versions).toEqual([]);
      expect(t.audits.filter((entry) => entry.action === "registry.model_version.create")).toEqual([]);
    });
  }
  it("a missing source is refused as a missing required field", async () => {
    expect((await t.call("POST", "model-versions/create", { name: "churn" })).body.message).toMatch(
      /^Missing value for required parameter 'source'/,
    );
  });
});

describe("model-versions/get, update, delete, set-tag, delete-tag", () => {
  it("get: a non-integer version is INVALID_PARAMETER_VALUE, an unknown one 404", async () => {
    await createVersion({ source: `runs:/${runId}/model` });
    expect((await t.call("GET", "model-versions/get", { name: "churn", version: "1" })).body.model_version.version).toBe("1");
    expect(await t.call("GET", "model-versions/get", { name: "churn", version: "one" })).toEqual({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: "Parameter 'version' must be an integer, got 'one'." },
    });
    expect(await t.call("GET", "model-versions/get", { name: "churn", version: "7" })).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Model Version (name=churn, version=7) not found" },
    });
  });

  it("update (PATCH) changes the description; delete (DELETE) removes the version and numbers are never reused", async () => {
    await createVersion({ source: `runs:/${runId}/model` });
    await createVersion({ source: `runs:/${runId}/model` });
    const updated = await t.call("PATCH", "model-versions/update", { name: "churn", version: "2", description: "better" });
    expect(updated.body.model_version.description).toBe("better");
    expect(await t.call("DELETE", "model-versions/delete", { name: "churn", version: "2" })).toEqual({ status: 200, body: {} });
    expect((await t.call("GET", "model-versions/get", { name: "churn", version: "2" })).status).toBe(404);
    expect((await createVersion({ source: `runs:/${runId}/model` })).version).toBe("3");
    expect(t.audits.filter((entry) => entry.entityType === "model_version").map((entry) => [entry.action, entry.entityId])).toEqual([
      ["registry.model_version.create", "churn/1"],
      ["registry.model_version.create", "churn/2"],
      ["registry.model_version.update", "churn/2"],
      ["registry.model_version.delete", "churn/2"],
      ["registry.model_version.create", "churn/3"],
    ]);
  });

  it("version tags: set, overwrite, delete; limits as MLflow", async () => {
    await createVersion({ source: `runs:/${runId}/model` });
    expect(await t.call("POST", "model-versions/set-tag", { name: "churn", version: "1", key: "validation_status", value: "passed" })).toEqual({
      status: 200,
      body: {},
    });
    expect((await t.call("GET", "model-versions/get", { name: "churn", version: "1" })).body.model_version.tags).toEqual([
      { key: "validation_status", value: "passed" },
    ]);
    expect(await t.call("DELETE", "model-versions/delete-tag", { name: "churn", version: "1", key: "validation_status" })).toEqual({
      status: 200,
      body: {},
    });
    expect((await t.call("GET", "model-versions/get", { name: "churn", version: "1" })).body.model_version.tags).toEqual([]);
    expect((await t.call("POST", "model-versions/set-tag", { name: "churn", version: "1", key: "k", value: "v".repeat(5001) })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "'value' exceeds the maximum length of 5000 characters",
    });
    expect((await t.call("POST", "model-versions/set-tag", { name: "churn", version: "9", key: "k", value: "v" })).status).toBe(404);
  });
});

describe("model-versions/search and registered-models/get-latest-versions", () => {
  it("search filters by run_id and name, and limits max_results to 200000", async () => {
    await createVersion({ source: `runs:/${runId}/model` });
    const found = await t.call("GET", "model-versions/search", { filter: `run_id = '${runId}'` });
    expect(found.body.model_versions.map((version: { version: string }) => version.version)).toEqual(["1"]);
    expect((await t.call("GET", "model-versions/search", { filter: "name = 'other'" })).body).toEqual({ model_versions: [] });
    expect((await t.call("GET", "model-versions/search", { max_results: "200001" })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Invalid value for request parameter max_results. It must be at most 200000, but got value 200001",
    });
  });

  it("get-latest-versions answers GET and POST, stages case-insensitively; an unknown stage is refused", async () => {
    await createVersion({ source: `runs:/${runId}/model` });
    await createVersion({ source: `runs:/${runId}/model` });
    await t.call("POST", "model-versions/transition-stage", { name: "churn", version: "1", stage: "Production", archive_existing_versions: false });
    const posted = await t.call("POST", "registered-models/get-latest-versions", { name: "churn", stages: ["production"] });
    expect(posted.body.model_versions.map((version: { version: string }) => version.version)).toEqual(["1"]);
    const all = await t.call("GET", "registered-models/get-latest-versions", { name: "churn" });
    expect(all.body.model_versions.map((version: { version: string; current_stage: string }) => [version.version, version.current_stage]).sort()).toEqual([
      ["1", "Production"],
      ["2", "None"],
    ]);
    expect((await t.call("GET", "registered-models/get-latest-versions", { name: "churn", stages: ["Shadow"] })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Invalid Model Version stage: Shadow. Value must be one of None, Staging, Production, Archived.",
    });
    expect((await t.call("GET", "registered-models/get-latest-versions", { name: "nope" })).status).toBe(404);
  });
});
