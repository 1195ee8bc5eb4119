import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";

/**
 * The Python client's traffic for
 *   with mlflow.start_run():
 *       mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
 *   mlflow.pyfunc.load_model("models:/churn/1")
 * replayed call by call against a real server on loopback (PyPI is out of reach here, so the calls are made as
 * MLflow 2.x makes them: mlflow/models/model.py Model.log, mlflow/tracking/_model_registry/fluent.py _register_model,
 * mlflow/store/artifact/http_artifact_repo.py, mlflow/store/artifact/models_artifact_repo.py), then the downloaded
 * files are compared byte for byte with what was uploaded.
 */

let server: TempServer;
beforeAll(async () => {
  server = await startTempServer("cairn-registry-");
});
afterAll(async () => {
  await server?.close();
});

const api = (path: string): string => `${server.url}/api/2.0/mlflow/${path}`;

/** rest_utils.call_endpoint: JSON body for POST/PATCH/DELETE, query string for GET. */
const callEndpoint = async (method: string, path: string, body: Record<string, unknown>): Promise<{ status: number; json: any }> => {
  const response =
    method === "GET"
      ? await fetch(`${api(path)}?${new URLSearchParams(body as Record<string, string>)}`)
      : await fetch(api(path), { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
};

const ok = async (method: string, path: string, body: Record<string, unknown>): Promise<any> => {
  const { status, json } = await callEndpoint(method, path, body);
  expect(status, `${method} ${path}: ${JSON.stringify(json)}`).toBe(200);
  return json;
};

/** HttpArtifactRepository maps mlflow-artifacts:/<path> to <tracking server>/api/2.0/mlflow-artifacts/artifacts/<path>. */
const proxyPath = (artifactUri: string): string => {
  expect(artifactUri.startsWith("mlflow-artifacts:/")).toBe(true);
  return artifactUri.slice("mlflow-artifacts:".length).replace(/^\/+/, "");
};

/** A sklearn model directory as mlflow.sklearn.save_model writes it (model.pkl is binary, not UTF-8). */
const MODEL_FILES: Record<string, Buffer> = {
  MLmodel: Buffer.from(
    "artifact_path: model\nflavors:\n  python_function:\n    env:\n      conda: conda.yaml\n      virtualenv: python_env.yaml\n" +
      "    loader_module: mlflow.sklearn\n    model_path: model.pkl\n    predict_fn: predict\n    python_version: 3.11.4\n" +
      "  sklearn:\n    code: null\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n    sklearn_version: 1.3.0\n" +
      "mlflow_version: 2.12.1\nmodel_uuid: 4f1c2a7e9b8d4e6fa0c3b5d7e9f1a2b4\nutc_time_created: '2024-05-01 10:00:00.000000'\n",
  ),
  "model.pkl": Buffer.concat([Buffer.from([0x80, 0x05, 0x95, 0xff, 0x00, 0xfe]), randomBytes(4096)]),
  "conda.yaml": Buffer.from("channels:\n- conda-forge\ndependencies:\n- python=3.11.4\n- pip:\n  - mlflow==2.12.1\n  - scikit-learn==1.3.0\nname: mlflow-env\n"),
  "python_env.yaml": Buffer.from("python: 3.11.4\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n"),
  "requirements.txt": Buffer.from("mlflow==2.12.1\nscikit-learn==1.3.0\n"),
};
const MIME: Record<string, string> = { "requirements.txt": "text/plain", "conda.yaml": "application/x-yaml", "python_env.yaml": "application/x-yaml" };

/** ModelsArtifactRepository.download_artifacts("") through HttpArtifactRepository: list recursively, GET each file. */
const downloadDirectory = async (artifactUri: string): Promise<Record<string, Buffer>> => {
  const root = proxyPath(artifactUri);
  const files: Record<string, Buffer> = {};
  const walk = async (relative: string): Promise<void> => {
    const listing = await fetch(
      `${server.url}/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path: relative ? `${root}/${relative}` : root })}`,
    );
    expect(listing.status).toBe(200);
    const body = (await listing.json()) as { files?: { path: string; is_dir: boolean; file_size?: number }[] };
    for (const entry of body.files ?? []) {
      const name = entry.path.slice(entry.path.lastIndexOf("/") + 1);
      const child = relative ? `${relative}/${name}` : name;
      if (entry.is_dir) {
        await walk(child);
        continue;
      }
      const file = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/${child}`);
      expect(file.status, child).toBe(200);
      files[child] = Buffer.from(await file.arrayBuffer());
      expect(files[child]?.length).toBe(entry.file_size);
    }
  };
  await walk("");
  return files;
};

describe("mlflow.sklearn.log_model(..., registered_model_name='churn') then mlflow.pyfunc.load_model('models:/churn/1')", () => {
  let runId = "";
  let artifactUri = "";

  it("trains: runs/create, then log_model uploads the model through the proxy and records it (runs/log-model)", async () => {
    const created = await ok("POST", "runs/create", {
      experiment_id: "0",
      start_time: Date.now(),
      tags: [
        { key: "mlflow.user", value: "ada" },
        { key: "mlflow.source.name", value: "train.py" },
        { key: "mlflow.source.type", value: "LOCAL" },
      ],
    });
    runId = created.run.info.run_id;
    // TrackingServiceClient._get_artifact_repo(run_id) reads the run's artifact root with runs/get.
    artifactUri = (await ok("GET", "runs/get", { run_id: runId })).run.info.artifact_uri;
    expect(artifactUri).toBe(`mlflow-artifacts:/0/${runId}/artifacts`);
    for (const [name, bytes] of Object.entries(MODEL_FILES)) {
      const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${proxyPath(artifactUri)}/model/${name}`, {
        method: "PUT",
        headers: { "Content-Type": MIME[name] ?? "application/octet-stream" },
        body: bytes,
      });
      expect(put.status, `PUT ${name}: ${await put.clone().text()}`).toBe(200);
    }
    const modelJson = JSON.stringify({
      run_id: runId,
      artifact_path: "model",
      utc_time_created: "2024-05-01 10:00:00.000000",
      flavors: { sklearn: { pickled_model: "model.pkl" }, python_function: { loader_module: "mlflow.sklearn" } },
      model_uuid: "4f1c2a7e9b8d4e6fa0c3b5d7e9f1a2b4",
      mlflow_version: "2.12.1",
    });
    expect(await ok("POST", "runs/log-model", { run_id: runId, model_json: modelJson })).toEqual({});
  });

  it("registers: registered-models/create, runs/get for the runs:/ URI's root, model-versions/create with the resolved source", async () => {
    const model = await ok("POST", "registered-models/create", { name: "churn" });
    expect(model.registered_model.name).toBe("churn");
    // RunsArtifactRepository.get_underlying_uri("runs:/<run>/model") = the run's artifact_uri + "/model".
    const root = (await ok("GET", "runs/get", { run_id: runId })).run.info.artifact_uri as string;
    const created = await ok("POST", "model-versions/create", { name: "churn", source: `${root}/model`, run_id: runId });
    expect(created.model_version).toMatchObject({
      name: "churn",
      version: "1",
      source: `mlflow-artifacts:/0/${runId}/artifacts/model`,
      run_id: runId,
      status: "READY",
      current_stage: "None",
    });
    // The await loop of create_model_version polls model-versions/get only while PENDING_REGISTRATION; Cairn
    // registers synchronously, and get says so.
    expect((await ok("GET", "model-versions/get", { name: "churn", version: "1" })).model_version.status).toBe("READY");
    await ok("POST", "runs/update", { run_id: runId, status: "FINISHED", end_time: Date.now() });
  });

  it("registering again: RESOURCE_ALREADY_EXISTS from registered-models/create (which the client ignores), then version 2", async () => {
    const again = await callEndpoint("POST", "registered-models/create", { name: "churn" });
    expect(again.status).toBe(400);
    expect(again.json.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    const second = await ok("POST", "model-versions/create", { name: "churn", source: `runs:/${runId}/model`, run_id: runId });
    expect(second.model_version.version).toBe("2");
  });

  it("loads models:/churn/1: get-download-uri, then the proxy's listing and files, byte for byte", async () => {
    const { artifact_uri } = await ok("GET", "model-versions/get-download-uri", { name: "churn", version: "1" });
    expect(artifact_uri).toBe(`mlflow-artifacts:/0/${runId}/artifacts/model`);
    const downloaded = await downloadDirectory(artifact_uri);
    expect(Object.keys(downloaded).sort()).toEqual(Object.keys(MODEL_FILES).sort());
    for (const [name, bytes] of Object.entries(MODEL_FILES)) expect(downloaded[name]?.equals(bytes), name).toBe(true);
  });

  it("loads models:/churn@champion and models:/churn/latest the way the client resolves them", async () => {
    await ok("POST", "registered-models/alias", { name: "churn", alias: "champion", version: "2" });
    // get_model_name_and_version: an alias is resolved with registered-models/alias (GET)...
    const byAlias = await ok("GET", "registered-models/alias", { name: "churn", alias: "champion" });
    expect(byAlias.model_version.version).toBe("2");
    // ...and 'latest' with get-latest-versions (POST, the RPC's first endpoint), taking the highest version.
    const latest = await ok("POST", "registered-models/get-latest-versions", { name: "churn" });
    expect(Math.max(...latest.model_versions.map((version: { version: string }) => Number(version.version)))).toBe(2);
    const { artifact_uri } = await ok("GET", "model-versions/get-download-uri", { name: "churn", version: "2" });
    const downloaded = await downloadDirectory(artifact_uri);
    expect(downloaded["model.pkl"]?.equals(MODEL_FILES["model.pkl"] as Buffer)).toBe(true);
  });

  it("a version whose source points outside the artifact store cannot be registered, so nothing can be read through it", async () => {
    const refused = await callEndpoint("POST", "model-versions/create", { name: "churn", source: "file:///etc/passwd", run_id: runId });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(/^Invalid model version source: 'file:\/\/\/etc\/passwd'\./);
    const traversal = await callEndpoint("POST", "model-versions/create", {
      name: "churn",
      source: `mlflow-artifacts:/0/${runId}/artifacts/../../../../../etc`,
    });
    expect(traversal.status).toBe(400);
    expect((await ok("GET", "model-versions/search", { filter: "name='churn'" })).model_versions).toHaveLength(2);
  });
});
