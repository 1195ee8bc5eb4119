import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemContext } from "../core/actor.js";
import { startRegistryApp, type RegistryTestApp } from "./test-support/registry-app.js";

/** MLflow 3 registration by logged model: model_id and models:/<model_id> sources on model-versions/create. */
let t: RegistryTestApp;
let runId = "";
let modelId = "";
const ctx = systemContext("test");

const newLoggedModel = async (experimentId: string, sourceRunId?: string): Promise<string> =>
  (await t.loggedModels.create({ experimentId, name: "model", ...(sourceRunId ? { sourceRunId } : {}), params: [], tags: [] }, ctx)).info.model_id;

beforeEach(async () => {
  t = await startRegistryApp();
  runId = (await t.call("POST", "runs/create", { experiment_id: "0" })).body.run.info.run_id;
  modelId = await newLoggedModel("0", runId);
  expect((await t.call("POST", "registered-models/create", { name: "churn" })).status).toBe(200);
});
afterEach(async () => {
  await t.close();
});

const create = (body: Record<string, unknown>) => t.call("POST", "model-versions/create", { name: "churn", ...body });
const created = async (body: Record<string, unknown>) => {
  const response = await create(body);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.model_version;
};
const downloadUri = async (version: string) => (await t.call("GET", "model-versions/get-download-uri", { name: "churn", version })).body;
const versionCount = async (): Promise<number> =>
  ((await t.call("GET", "model-versions/search", { filter: "name = 'churn'" })).body.model_versions ?? []).length;

describe("model-versions/create with a logged model", () => {
  it("models:/<model_id> with model_id and run_id (the 3.x client's call): files are the logged model's artifact_uri", async () => {
    const version = await created({ source: `models:/${modelId}`, run_id: runId, model_id: modelId });
    expect(version).toMatchObject({ version: "1", source: `models:/${modelId}`, run_id: runId, model_id: modelId });
    expect(await downloadUri("1")).toEqual({ artifact_uri: `mlflow-artifacts:/0/models/${modelId}/artifacts` });
    expect((await t.call("GET", "model-versions/get", { name: "churn", version: "1" })).body.model_version.model_id).toBe(modelId);
    expect(t.audits.at(-1)).toMatchObject({
      action: "registry.model_version.create",
      entityId: "churn/1",
      after: { name: "churn", version: "1", source: `models:/${modelId}`, run_id: runId, model_id: modelId },
    });
  });

  it("models:/<model_id> alone: the version records the model id and takes the logged model's source run (as MLflow's store)", async () => {
    expect(await created({ source: `models:/${modelId}` })).toMatchObject({ run_id: runId, model_id: modelId });
    const runless = await newLoggedModel("0");
    const version = await created({ source: `models:/${runless}` });
    expect(version.model_id).toBe(runless);
    expect("run_id" in version).toBe(false);
  });

  it("model_id with another source (MLflow's server): the files come from the source, model_id is recorded", async () => {
    expect(await created({ source: `runs:/${runId}/model`, model_id: modelId })).toMatchObject({ run_id: runId, model_id: modelId });
    expect(await downloadUri("1")).toEqual({ artifact_uri: `mlflow-artifacts:/0/${runId}/artifacts/model` });
    // Without run_id, the logged model's source run is recorded.
    expect(await created({ source: `mlflow-artifacts:/0/${runId}/artifacts/model`, model_id: modelId })).toMatchObject({ run_id: runId, model_id: modelId });
  });

  it("a version copied from a model-id version (models:/<name>/<version>) downloads the logged model's files", async () => {
    await created({ source: `models:/${modelId}`, model_id: modelId });
    expect((await t.call("POST", "registered-models/create", { name: "copy" })).status).toBe(200);
    expect((await t.call("POST", "model-versions/create", { name: "copy", source: "models:/churn/1" })).status).toBe(200);
    expect((await t.call("GET", "model-versions/get-download-uri", { name: "copy", version: "1" })).body).toEqual({
      artifact_uri: `mlflow-artifacts:/0/models/${modelId}/artifacts`,
    });
  });

  it("refuses malformed ids, mismatches, missing models and models stored outside the artifact store, storing nothing", async () => {
    const other = await newLoggedModel("0", runId);
    const outsideExperiment = (await t.call("POST", "experiments/create", { name: "s3", artifact_location: "s3://bucket/exp" })).body.experiment_id;
    const outside = await newLoggedModel(outsideExperiment);
    const missing = "m-ffffffffffffffffffffffffffffffff";
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [{ source: `models:/${modelId}`, model_id: "m-XYZ" }, 400, "INVALID_PARAMETER_VALUE", "Invalid value 'm-XYZ' for parameter 'model_id' supplied: a logged model id is 'm-' followed by 32 lowercase hex characters."],
      [{ source: `models:/${modelId}`, model_id: `${modelId}/../x` }, 400, "INVALID_PARAMETER_VALUE", `Invalid value '${modelId}/../x' for parameter 'model_id' supplied: a logged model id is 'm-' followed by 32 lowercase hex characters.`],
      [{ source: `models:/${modelId}`, model_id: other }, 400, "INVALID_PARAMETER_VALUE", `Invalid model version source: 'models:/${modelId}'. The source names logged model '${modelId}' but model_id is '${other}'.`],
      [{ source: `models:/${missing}` }, 404, "RESOURCE_DOES_NOT_EXIST", `Model version source 'models:/${missing}' refers to logged model '${missing}', which does not exist.`],
      [{ source: `runs:/${runId}/model`, model_id: missing }, 404, "RESOURCE_DOES_NOT_EXIST", `Logged model '${missing}' named by model_id does not exist.`],
      [{ source: `models:/${modelId}`, run_id: "0".repeat(32) }, 404, "RESOURCE_DOES_NOT_EXIST", `Run with id=${"0".repeat(32)} not found`],
      [{ source: `models:/${outside}` }, 400, "INVALID_PARAMETER_VALUE", `Invalid model version source: 'models:/${outside}'. The logged model '${outside}' keeps its files at 's3://bucket/exp/models/${outside}/artifacts', which is not inside this server's artifact store (mlflow-artifacts:).`],
      [{ source: `models:/${modelId}/../../etc` }, 400, "INVALID_PARAMETER_VALUE", `Invalid model version source: 'models:/${modelId}/../../etc'. A models: source must name a registered model version as models:/<name>/<version> or a logged model as models:/<model_id> (m- followed by 32 lowercase hex characters); aliases, stages and 'latest' would make the version's files change when the alias moves.`],
      [{ source: `models:/${modelId}`, model_id: 7 }, 400, "INVALID_PARAMETER_VALUE", "Invalid value 7 for parameter 'model_id' supplied: expected a string, got number."],
    ];
    for (const [body, status, code, message] of cases) {
      const response = await create(body);
      expect(response, JSON.stringify(body)).toEqual({ status, body: { error_code: code, message } });
    }
    expect(await versionCount()).toBe(0);
  });

  it("a logged model deleted after registration: the version's files are reported missing", async () => {
    await created({ source: `models:/${modelId}`, model_id: modelId });
    await t.loggedModels.delete(modelId, ctx);
    expect(await t.call("GET", "model-versions/get-download-uri", { name: "churn", version: "1" })).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Model version source 'models:/${modelId}' refers to logged model '${modelId}', which does not exist.` },
    });
  });
});
