import { describe, expect, it } from "vitest";
import { parseLoggedModelOrderBy } from "./logged-models-api.js";
import { collect } from "./paging.js";
import { useRecordingClient } from "./test-support/recording-client.js";

/**
 * The exact requests each logged-model method sends (method, path, body), against a recording server on loopback.
 * The real server's answers are checked in test/logged-models-sdk.test.ts.
 */
const { clientFor, sent } = useRecordingClient({ decodeUrls: false });

const ID = "m-0123456789abcdef0123456789abcdef";
const wireModel = {
  info: {
    model_id: ID,
    experiment_id: "1",
    name: "model",
    creation_timestamp_ms: 10,
    last_updated_timestamp_ms: 20,
    artifact_uri: `mlflow-artifacts:/1/models/${ID}/artifacts`,
    status: "LOGGED_MODEL_PENDING",
  },
  data: { metrics: [{ key: "loss", value: "NaN", timestamp: 5, step: 0, model_id: ID }] },
};

describe("LoggedModelsApi requests", () => {
  it("sends create, get, finalize, delete, tags and params with MLflow's method, path and field names", async () => {
    const client = await clientFor(() => ({ status: 200, body: { model: wireModel } }));
    const created = await client.loggedModels.create({
      experimentId: "1",
      name: "model",
      modelType: "Classifier",
      sourceRunId: "r1",
      params: { lr: "0.1" },
      tags: [{ key: "mlflow.user", value: "ada" }],
    });
    // Absent repeated fields become [], the "NaN" text of a non-finite double becomes NaN.
    expect(created).toEqual({
      info: { ...wireModel.info, tags: [], registrations: [] },
      data: { params: [], metrics: [{ key: "loss", value: Number.NaN, timestamp: 5, step: 0, model_id: ID }] },
    });
    await client.loggedModels.get(ID);
    await client.loggedModels.finalize(ID);
    await client.loggedModels.finalize(ID, "LOGGED_MODEL_UPLOAD_FAILED");
    await client.loggedModels.delete(ID);
    await client.loggedModels.setTags(ID, { "mlflow.modelVersions": "[]" });
    await client.loggedModels.deleteTag(ID, "a/b c");
    await client.loggedModels.logParams(ID, [{ key: "depth", value: "3" }]);
    expect(sent()).toEqual([
      `POST /api/2.0/mlflow/logged-models {"experiment_id":"1","name":"model","model_type":"Classifier","source_run_id":"r1","params":[{"key":"lr","value":"0.1"}],"tags":[{"key":"mlflow.user","value":"ada"}]}`,
      `GET /api/2.0/mlflow/logged-models/${ID}`,
      `PATCH /api/2.0/mlflow/logged-models/${ID} {"model_id":"${ID}","status":"LOGGED_MODEL_READY"}`,
      `PATCH /api/2.0/mlflow/logged-models/${ID} {"model_id":"${ID}","status":"LOGGED_MODEL_UPLOAD_FAILED"}`,
      `DELETE /api/2.0/mlflow/logged-models/${ID} {"model_id":"${ID}"}`,
      `PATCH /api/2.0/mlflow/logged-models/${ID}/tags {"tags":[{"key":"mlflow.modelVersions","value":"[]"}]}`,
      `DELETE /api/2.0/mlflow/logged-models/${ID}/tags/a%2Fb%20c {}`,
      `POST /api/2.0/mlflow/logged-models/${ID}/params {"model_id":"${ID}","params":[{"key":"depth","value":"3"}]}`,
    ]);
  });

  it("searches with order objects or strings and walks every page", async () => {
    const client = await clientFor((request) => {
      const body = JSON.parse(request.body) as { page_token?: string };
      return body.page_token === undefined
        ? { status: 200, body: { models: [wireModel], next_page_token: "p2" } }
        : { status: 200, body: { models: [{ ...wireModel, info: { ...wireModel.info, model_id: "m-2" } }] } };
    });
    const all = await collect(
      client.loggedModels.searchAll({
        experimentIds: ["1", "2"],
        filter: "metrics.accuracy > 0.9",
        datasets: [{ datasetName: "test", datasetDigest: "abc" }],
        orderBy: ["metrics.accuracy DESC", { fieldName: "creation_timestamp", datasetName: undefined }],
        maxResults: 1,
      }),
    );
    expect(all.map((m) => m.info.model_id)).toEqual([ID, "m-2"]);
    const order = `"order_by":[{"field_name":"metrics.accuracy","ascending":false},{"field_name":"creation_timestamp","ascending":true}]`;
    const common = `"experiment_ids":["1","2"],"filter":"metrics.accuracy > 0.9","datasets":[{"dataset_name":"test","dataset_digest":"abc"}],${order},"max_results":1`;
    expect(sent()).toEqual([
      `POST /api/2.0/mlflow/logged-models/search {${common}}`,
      `POST /api/2.0/mlflow/logged-models/search {${common},"page_token":"p2"}`,
    ]);
  });

  it("lists artifacts over every page, with the folder as artifact_directory_path", async () => {
    const client = await clientFor((request) =>
      request.url.includes("page_token")
        ? { status: 200, body: { root_uri: "mlflow-artifacts:/1/models/x/artifacts", files: [{ path: "b.txt", is_dir: false, file_size: 2 }] } }
        : { status: 200, body: { root_uri: "mlflow-artifacts:/1/models/x/artifacts", files: [{ path: "sub", is_dir: true }], next_page_token: "t" } },
    );
    expect(await client.loggedModels.listArtifacts(ID, "dir one")).toEqual({
      rootUri: "mlflow-artifacts:/1/models/x/artifacts",
      files: [
        { path: "sub", is_dir: true },
        { path: "b.txt", is_dir: false, file_size: 2 },
      ],
    });
    expect(sent()).toEqual([
      `GET /api/2.0/mlflow/logged-models/${ID}/artifacts/directories?artifact_directory_path=dir+one`,
      `GET /api/2.0/mlflow/logged-models/${ID}/artifacts/directories?artifact_directory_path=dir+one&page_token=t`,
    ]);
  });

  it("refuses ids that would climb out of the path before sending anything", async () => {
    const client = await clientFor(() => ({ status: 200, body: { model: wireModel } }));
    await expect(client.loggedModels.get("..")).rejects.toThrow(`modelId must be a non-empty string other than '.' and '..', got ".."`);
    await expect(client.loggedModels.deleteTag(ID, ".")).rejects.toThrow(`key must be a non-empty string other than '.' and '..', got "."`);
    await expect(client.loggedModels.finalize("")).rejects.toThrow(`modelId must be a non-empty string other than '.' and '..', got ""`);
    // A slash stays inside the one path segment.
    await client.loggedModels.get("../logged-models/search");
    expect(sent()).toEqual(["GET /api/2.0/mlflow/logged-models/..%2Flogged-models%2Fsearch"]);
  });

  it("parses order-by strings: ASC/DESC in any case, ascending by default, field names with spaces kept", () => {
    expect(parseLoggedModelOrderBy("metrics.accuracy desc")).toEqual({ fieldName: "metrics.accuracy", ascending: false });
    expect(parseLoggedModelOrderBy(" name ASC ")).toEqual({ fieldName: "name", ascending: true });
    expect(parseLoggedModelOrderBy("creation_timestamp")).toEqual({ fieldName: "creation_timestamp", ascending: true });
    expect(parseLoggedModelOrderBy("metrics.`my metric` DESC")).toEqual({ fieldName: "metrics.`my metric`", ascending: false });
    expect(() => parseLoggedModelOrderBy("  ")).toThrow("order-by clause '  ' names no field");
  });
});
