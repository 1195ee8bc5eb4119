import { afterEach, describe, expect, it } from "vitest";
import { CairnClient } from "./client.js";
import { CairnApiError } from "./errors.js";
import { collect } from "./paging.js";
import { RecordingServer, type Answer, type RecordedRequest } from "./test-support/recording-server.js";

/**
 * The exact requests each SDK method sends (method, path, query or body), against a recording server on loopback.
 * The real server's answers are checked in test/registry-sdk-cli.test.ts.
 */
let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const clientFor = async (answer: (request: RecordedRequest) => Answer = () => ({ status: 200, body: {} }), user?: string) => {
  server = new RecordingServer(answer);
  return new CairnClient({ trackingUri: await server.start(), retry: { retries: 1, minDelayMs: 5, maxDelayMs: 10 }, user });
};

const sent = (): string[] =>
  (server?.requests ?? []).map((r) => `${r.method} ${decodeURIComponent(r.url)}${r.body === "" ? "" : ` ${r.body}`}`);

const version = { name: "churn", version: "3", creation_timestamp: 1, last_updated_timestamp: 2, current_stage: "None", source: "runs:/r1/model", status: "READY" };

describe("RegistryApi requests", () => {
  it("sends every registered-model call with MLflow's method, path and field names", async () => {
    const client = await clientFor((request) =>
      request.url.includes("search")
        ? { status: 200, body: {} }
        : request.url.includes("get-latest-versions")
          ? { status: 200, body: { model_versions: [version] } }
          : { status: 200, body: { registered_model: { name: "churn", creation_timestamp: 1, last_updated_timestamp: 1 } } },
    );
    const created = await client.registry.createModel({ name: "churn", tags: { team: "risk" }, description: "d" });
    expect(created).toEqual({ name: "churn", creation_timestamp: 1, last_updated_timestamp: 1, tags: [], aliases: [], latest_versions: [] });
    await client.registry.getModel("churn");
    await client.registry.renameModel("churn", "churn2");
    await client.registry.updateModel("churn2", "new");
    await client.registry.deleteModel("churn2");
    expect(await client.registry.searchModels({ filter: "name LIKE 'c%'", maxResults: 5, orderBy: ["name ASC", "last_updated_timestamp DESC"] })).toEqual({
      items: [],
      nextPageToken: undefined,
    });
    const latest = await client.registry.getLatestVersions("churn", ["Production"]);
    expect(latest).toEqual([{ ...version, tags: [], aliases: [] }]);
    await client.registry.setModelTag("churn", "k", "v");
    await client.registry.deleteModelTag("churn", "k");
    expect(sent()).toEqual([
      `POST /api/2.0/mlflow/registered-models/create {"name":"churn","tags":[{"key":"team","value":"risk"}],"description":"d"}`,
      "GET /api/2.0/mlflow/registered-models/get?name=churn",
      `POST /api/2.0/mlflow/registered-models/rename {"name":"churn","new_name":"churn2"}`,
      `PATCH /api/2.0/mlflow/registered-models/update {"name":"churn2","description":"new"}`,
      `DELETE /api/2.0/mlflow/registered-models/delete {"name":"churn2"}`,
      "GET /api/2.0/mlflow/registered-models/search?filter=name+LIKE+'c%'&max_results=5&order_by=name+ASC&order_by=last_updated_timestamp+DESC",
      `POST /api/2.0/mlflow/registered-models/get-latest-versions {"name":"churn","stages":["Production"]}`,
      `POST /api/2.0/mlflow/registered-models/set-tag {"name":"churn","key":"k","value":"v"}`,
      `DELETE /api/2.0/mlflow/registered-models/delete-tag {"name":"churn","key":"k"}`,
    ]);
  });

  it("sends every model-version and alias call, with versions as strings", async () => {
    const client = await clientFor((request) =>
      request.url.includes("get-download-uri") ? { status: 200, body: { artifact_uri: "mlflow-artifacts:/0/r1/artifacts/model" } } : { status: 200, body: { model_version: version } },
    );
    const created = await client.registry.createVersion({ name: "churn", source: "runs:/r1/model", runId: "r1", tags: [{ key: "a", value: "b" }], description: "d" });
    expect(created).toEqual({ ...version, tags: [], aliases: [] });
    await client.registry.getVersion("churn", 3);
    await client.registry.updateVersion("churn", "3", "text");
    await client.registry.transitionStage("churn", 3, "Production", true);
    await client.registry.deleteVersion("churn", 3);
    expect(await client.registry.getDownloadUri("churn", 3)).toBe("mlflow-artifacts:/0/r1/artifacts/model");
    await client.registry.setVersionTag("churn", 3, "validation_status", "passed");
    await client.registry.deleteVersionTag("churn", 3, "validation_status");
    await client.registry.setAlias("churn", "champion", 3);
    await client.registry.deleteAlias("churn", "champion");
    await client.registry.getVersionByAlias("churn", "champion");
    expect(sent()).toEqual([
      `POST /api/2.0/mlflow/model-versions/create {"name":"churn","source":"runs:/r1/model","run_id":"r1","tags":[{"key":"a","value":"b"}],"description":"d"}`,
      "GET /api/2.0/mlflow/model-versions/get?name=churn&version=3",
      `PATCH /api/2.0/mlflow/model-versions/update {"name":"churn","version":"3","description":"text"}`,
      `POST /api/2.0/mlflow/model-versions/transition-stage {"name":"churn","version":"3","stage":"Production","archive_existing_versions":true}`,
      `DELETE /api/2.0/mlflow/model-versions/delete {"name":"churn","version":"3"}`,
      "GET /api/2.0/mlflow/model-versions/get-download-uri?name=churn&version=3",
      `POST /api/2.0/mlflow/model-versions/set-tag {"name":"churn","version":"3","key":"validation_status","value":"passed"}`,
      `DELETE /api/2.0/mlflow/model-versions/delete-tag {"name":"churn","version":"3","key":"validation_status"}`,
      `POST /api/2.0/mlflow/registered-models/alias {"name":"churn","alias":"champion","version":"3"}`,
      `DELETE /api/2.0/mlflow/registered-models/alias {"name":"churn","alias":"champion"}`,
      "GET /api/2.0/mlflow/registered-models/alias?name=churn&alias=champion",
    ]);
  });

  it("walks every page of a version search", async () => {
    const client = await clientFor((request) =>
      request.url.includes("page_token=p2")
        ? { status: 200, body: { model_versions: [{ ...version, version: "2" }] } }
        : { status: 200, body: { model_versions: [{ ...version, version: "1" }], next_page_token: "p2" } },
    );
    const all = await collect(client.registry.searchVersionsAll({ filter: "name = 'churn'", maxResults: 1 }));
    expect(all.map((v) => v.version)).toEqual(["1", "2"]);
    expect(sent()).toEqual([
      "GET /api/2.0/mlflow/model-versions/search?filter=name+=+'churn'&max_results=1",
      "GET /api/2.0/mlflow/model-versions/search?filter=name+=+'churn'&max_results=1&page_token=p2",
    ]);
  });

  it("sends the declared user as x-cairn-user on every call, and turns error answers into CairnApiError", async () => {
    const headers: (string | undefined)[] = [];
    server = new RecordingServer(() => ({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: "Promotion refused: 1 rule unmet" } }));
    const url = await server.start();
    const { createServer } = await import("node:http");
    const probe = createServer((request, response) => {
      headers.push(request.headers["x-cairn-user"] as string | undefined);
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const address = probe.address() as { port: number };
    try {
      await new CairnClient({ trackingUri: `http://127.0.0.1:${address.port}`, user: " ada " }).registry.setAlias("m", "a", 1);
      await new CairnClient({ trackingUri: `http://127.0.0.1:${address.port}` }).registry.setAlias("m", "a", 1);
    } finally {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    }
    expect(headers).toEqual(["ada", undefined]);
    const error = await new CairnClient({ trackingUri: url }).registry.setAlias("m", "champion", 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnApiError);
    expect(error).toMatchObject({ status: 400, errorCode: "INVALID_PARAMETER_VALUE", message: "Promotion refused: 1 rule unmet" });
  });
});
