import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoggedModel } from "../src/protocol/mlflow/logged-model-entities.js";
import { CairnClient } from "../src/sdk/client.js";
import { collect } from "../src/sdk/paging.js";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { apiErrorOf } from "../src/sdk/test-support/api-error.js";

/** client.loggedModels against a real server (SQLite file, local artifact folder): every method, exact answers. */
let server: TempServer;
let client: CairnClient;
let experimentId: string;
let runId: string;

beforeAll(async () => {
  server = await startTempServer("cairn-lm-sdk-");
  client = new CairnClient({ trackingUri: server.url, retry: { retries: 0 } });
  experimentId = await client.experiments.create({ name: "lm-sdk" });
  runId = (await client.runs.create({ experimentId })).info.run_id;
});
afterAll(async () => {
  await server?.close();
});

const upload = async (model: LoggedModel, file: string, body: string): Promise<void> => {
  const root = model.info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
  const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/${file}`, { method: "PUT", body });
  expect(put.status).toBe(200);
};

describe("client.loggedModels against a real server", () => {
  it("creates, lists artifacts, finalizes, tags, logs params, and reads the model back with its metrics", async () => {
    const created = await client.loggedModels.create({
      experimentId,
      name: "classifier",
      modelType: "Classifier",
      sourceRunId: runId,
      params: { lr: "0.1" },
      tags: { team: "risk" },
    });
    const id = created.info.model_id;
    expect(id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(created).toEqual({
      info: {
        model_id: id,
        experiment_id: experimentId,
        name: "classifier",
        creation_timestamp_ms: created.info.creation_timestamp_ms,
        last_updated_timestamp_ms: created.info.creation_timestamp_ms,
        artifact_uri: `mlflow-artifacts:/${experimentId}/models/${id}/artifacts`,
        status: "LOGGED_MODEL_PENDING",
        model_type: "Classifier",
        source_run_id: runId,
        tags: [{ key: "team", value: "risk" }],
        registrations: [],
      },
      data: { params: [{ key: "lr", value: "0.1" }], metrics: [] },
    });

    await upload(created, "MLmodel", "flavors: {}\n");
    await upload(created, "data/model.onnx", "onnx!");
    expect(await client.loggedModels.listArtifacts(id)).toEqual({
      rootUri: created.info.artifact_uri,
      files: [
        { path: "MLmodel", is_dir: false, file_size: 12 },
        { path: "data", is_dir: true },
      ],
    });
    expect(await client.loggedModels.listArtifacts(id, "data")).toEqual({
      rootUri: created.info.artifact_uri,
      files: [{ path: "data/model.onnx", is_dir: false, file_size: 5 }],
    });

    const ready = await client.loggedModels.finalize(id);
    expect(ready.info.status).toBe("LOGGED_MODEL_READY");
    await client.runs.logBatch(runId, {
      metrics: [
        { key: "accuracy", value: 0.91, timestamp: 1000, step: 0, model_id: id, dataset_name: "test", dataset_digest: "d1" },
        { key: "loss", value: Number.NaN, timestamp: 1000, step: 0, model_id: id },
      ],
    });
    await client.loggedModels.setTags(id, { stage: "candidate", owner: "ada" });
    await client.loggedModels.deleteTag(id, "team");
    await client.loggedModels.logParams(id, { depth: "3" });

    const model = await client.loggedModels.get(id);
    expect(model.info.status).toBe("LOGGED_MODEL_READY");
    expect(model.info.tags).toEqual([
      { key: "owner", value: "ada" },
      { key: "stage", value: "candidate" },
    ]);
    expect(model.data.params).toEqual([
      { key: "depth", value: "3" },
      { key: "lr", value: "0.1" },
    ]);
    expect(model.data.metrics).toEqual([
      { key: "accuracy", value: 0.91, timestamp: 1000, step: 0, run_id: runId, model_id: id, dataset_name: "test", dataset_digest: "d1" },
      { key: "loss", value: Number.NaN, timestamp: 1000, step: 0, run_id: runId, model_id: id },
    ]);
  });

  it("searches with a metric filter, order strings and objects, and walks pages of one", async () => {
    const exp = await client.experiments.create({ name: "lm-sdk-search" });
    const run = (await client.runs.create({ experimentId: exp })).info.run_id;
    const ids: string[] = [];
    for (const [index, accuracy] of [0.5, 0.9, 0.7].entries()) {
      const { info } = await client.loggedModels.create({ experimentId: exp, name: `m${index}` });
      ids.push(info.model_id);
      await client.runs.logBatch(run, { metrics: [{ key: "acc", value: accuracy, timestamp: 1, step: 0, model_id: info.model_id, dataset_name: "d" }] });
    }
    const names = (models: LoggedModel[]): string[] => models.map((m) => m.info.name);
    const page = await client.loggedModels.search({ experimentIds: [exp], filter: "metrics.acc > 0.6", orderBy: ["metrics.acc DESC"] });
    expect({ names: names(page.items), next: page.nextPageToken }).toEqual({ names: ["m1", "m2"], next: undefined });
    const byName = await collect(client.loggedModels.searchAll({ experimentIds: [exp], orderBy: [{ fieldName: "name", ascending: false }], maxResults: 1 }));
    expect(names(byName)).toEqual(["m2", "m1", "m0"]);
    const onDataset = await client.loggedModels.search({
      experimentIds: [exp],
      filter: "metrics.acc < 0.8",
      datasets: [{ datasetName: "d" }],
      orderBy: [{ fieldName: "metrics.acc", datasetName: "d" }],
    });
    expect(names(onDataset.items)).toEqual(["m0", "m2"]);
    expect(names((await client.loggedModels.search({ experimentIds: [exp], filter: "name = 'none'" })).items)).toEqual([]);
    expect(await apiErrorOf(client.loggedModels.search({ experimentIds: [exp], filter: "colour = 'red'" }))).toMatchObject({
      status: 400,
      errorCode: "INVALID_PARAMETER_VALUE",
    });
  });

  it("deletes, and reports MLflow's errors for a malformed id, a missing model, and a second param value", async () => {
    const { info } = await client.loggedModels.create({ experimentId, params: { a: "1" } });
    expect(await apiErrorOf(client.loggedModels.logParams(info.model_id, { a: "2" }))).toMatchObject({ status: 400, errorCode: "INVALID_PARAMETER_VALUE" });
    await client.loggedModels.delete(info.model_id);
    expect(await apiErrorOf(client.loggedModels.get(info.model_id))).toEqual({
      status: 404,
      errorCode: "RESOURCE_DOES_NOT_EXIST",
      message: `Logged model with ID '${info.model_id}' not found.`,
    });
    expect(await apiErrorOf(client.loggedModels.get("m-123"))).toEqual({
      status: 400,
      errorCode: "INVALID_PARAMETER_VALUE",
      message: "Invalid value 'm-123' for parameter 'model_id' supplied: a logged model id is 'm-' followed by 32 lowercase hex characters.",
    });
    expect(await apiErrorOf(client.loggedModels.finalize(`m-${"a".repeat(32)}`, "LOGGED_MODEL_UPLOAD_FAILED"))).toEqual({
      status: 404,
      errorCode: "RESOURCE_DOES_NOT_EXIST",
      message: `Logged model with ID 'm-${"a".repeat(32)}' not found.`,
    });
  });
});
