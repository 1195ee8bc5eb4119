import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { startStandaloneServer } from "../src/serving/standalone.js";
import { loadSchemaFiles, type JsonObject } from "./support/proto-schema.js";

/**
 * MLflow's prompt registry as the 3.x client drives it over REST (mlflow.genai.register_prompt, load_prompt by
 * version and by alias, set_prompt_alias, search_prompts): a prompt is a registered model tagged
 * mlflow.prompt.is_prompt=true, each prompt version a model version with the same tag, the template in
 * mlflow.prompt.text, its type in _mlflow_prompt_type and the placeholder source "dummy-source". Responses are
 * checked against model_registry.proto. A prompt version has no files: downloading, serving or deploying it is a 4xx.
 */
const schema = loadSchemaFiles("mlflow-wire-schema.json", "registry3-wire-schema.json");

let server: TempServer;
let scratch: string;
beforeAll(async () => {
  server = await startTempServer("cairn-mlflow3-prompts-");
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-mlflow3-prompts-cache-"));
});
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

const call = async (method: string, route: string, payload: Record<string, unknown>, message?: string, status = 200): Promise<any> => {
  const url = `${server.url}${route.startsWith("/") ? route : `/api/2.0/mlflow/${route}`}`;
  const response =
    method === "GET"
      ? await fetch(`${url}?${new URLSearchParams(payload as Record<string, string>)}`)
      : await fetch(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
  const text = await response.text();
  expect(response.status, `${method} ${route}: ${text}`).toBe(status);
  const json = text === "" ? {} : (JSON.parse(text) as JsonObject);
  if (message !== undefined && status === 200) expect(schema.validate(message, json), `${route} -> ${message}`).toEqual([]);
  return json;
};

const IS_PROMPT = "mlflow.prompt.is_prompt";

/** mlflow.genai.register_prompt(name, template, commit_message): get (404 the first time) or create, then a version. */
const registerPrompt = async (name: string, template: string, commitMessage: string): Promise<any> => {
  const existing = await fetch(`${server.url}/api/2.0/mlflow/registered-models/get?name=${encodeURIComponent(name)}`);
  if (existing.status === 404) {
    await call("POST", "registered-models/create", { name, tags: [{ key: IS_PROMPT, value: "true" }] }, "mlflow.CreateRegisteredModel.Response");
  } else {
    expect(existing.status).toBe(200);
  }
  const created = await call(
    "POST",
    "model-versions/create",
    {
      name,
      source: "dummy-source",
      description: commitMessage,
      tags: [
        { key: IS_PROMPT, value: "true" },
        { key: "mlflow.prompt.text", value: template },
        { key: "_mlflow_prompt_type", value: "text" },
      ],
    },
    "mlflow.CreateModelVersion.Response",
  );
  await call("GET", "registered-models/get", { name }, "mlflow.GetRegisteredModel.Response");
  return created.model_version;
};

const templateOf = (version: any): string | undefined => version.tags.find((tag: any) => tag.key === "mlflow.prompt.text")?.value;

describe("MLflow 3 prompts: register, load by version and alias, search", () => {
  it("runs the 3.x client's prompt calls and keeps prompt versions away from files", async () => {
    const first = await registerPrompt("greeting", "Hello {{name}}!", "first draft");
    expect(first).toMatchObject({ name: "greeting", version: "1", source: "dummy-source", description: "first draft", status: "READY" });
    expect("model_id" in first).toBe(false);
    const second = await registerPrompt("greeting", "Hello {{name}}, welcome back!", "friendlier");
    expect(second.version).toBe("2");

    // load_prompt("prompts:/greeting/1")
    await call("GET", "registered-models/get", { name: "greeting" }, "mlflow.GetRegisteredModel.Response");
    const v1 = await call("GET", "model-versions/get", { name: "greeting", version: "1" }, "mlflow.GetModelVersion.Response");
    expect(templateOf(v1.model_version)).toBe("Hello {{name}}!");

    // set_prompt_alias("greeting", alias="production", version=2), then load_prompt("prompts:/greeting@production")
    await call("POST", "registered-models/alias", { name: "greeting", alias: "production", version: "2" }, "mlflow.SetRegisteredModelAlias.Response");
    const aliased = await call("GET", "registered-models/alias", { name: "greeting", alias: "production" }, "mlflow.GetModelVersionByAlias.Response");
    expect(aliased.model_version).toMatchObject({ version: "2", aliases: ["production"] });
    expect(templateOf(aliased.model_version)).toBe("Hello {{name}}, welcome back!");

    // An ordinary model beside it: search_prompts finds prompts only, search_registered_models models only.
    await call("POST", "registered-models/create", { name: "churn" });
    const prompts = await call(
      "GET",
      "registered-models/search",
      { filter: `tags.\`${IS_PROMPT}\` = 'true'`, max_results: "100" },
      "mlflow.SearchRegisteredModels.Response",
    );
    expect(prompts.registered_models.map((model: any) => model.name)).toEqual(["greeting"]);
    const models = await call("GET", "registered-models/search", { max_results: "100" }, "mlflow.SearchRegisteredModels.Response");
    expect(models.registered_models.map((model: any) => model.name)).toEqual(["churn"]);
    const named = await call(
      "GET",
      "registered-models/search",
      { filter: `name LIKE 'gree%' AND tags.\`${IS_PROMPT}\` = 'true'` },
      "mlflow.SearchRegisteredModels.Response",
    );
    expect(named.registered_models.map((model: any) => model.name)).toEqual(["greeting"]);

    // A prompt version has no files: no download URI, no deployment, no cairn serve.
    const promptRefusal = (version: string): JsonObject => ({
      error_code: "INVALID_PARAMETER_VALUE",
      message:
        `Model version greeting/${version} is a prompt version (tag ${IS_PROMPT}=true): a prompt has no model files to ` +
        "download, serve or deploy. Load it with mlflow.genai.load_prompt.",
    });
    expect(await call("GET", "model-versions/get-download-uri", { name: "greeting", version: "1" }, undefined, 400)).toEqual(promptRefusal("1"));
    // A deployment reports it as a version it could not load, with the registry's reason.
    expect(
      await call("POST", "/api/2.0/cairn/deployments/create", { name: "greeting", model_uri: "models:/greeting@production" }, undefined, 400),
    ).toEqual({
      error_code: "INVALID_STATE",
      message: `Version 2 of model 'greeting' could not be loaded for deployment 'greeting' (create); the previous routing keeps serving: ${promptRefusal("2").message as string}`,
    });
    expect((await call("GET", "/api/2.0/cairn/deployments/list", {})).deployments ?? []).toEqual([]);
    await expect(
      startStandaloneServer({ model: "models:/greeting@production", port: 0, trackingUri: server.url, cacheDir: scratch }),
    ).rejects.toThrow(promptRefusal("2").message as string);
    // Nor through another version's models:/ source.
    await call("POST", "registered-models/create", { name: "copy" });
    expect(await call("POST", "model-versions/create", { name: "copy", source: "models:/greeting/1" }, undefined, 400)).toEqual(promptRefusal("1"));

    // The placeholder is a prompt's only: on an ordinary model, even with the prompt tag on the version, it is refused;
    // a prompt version with any other source goes through the ordinary rules.
    const placeholder = {
      error_code: "INVALID_PARAMETER_VALUE",
      message:
        "Invalid model version source: 'dummy-source'. This placeholder is accepted only for a prompt version: one tagged " +
        `${IS_PROMPT}=true, of a registered model tagged ${IS_PROMPT}=true (as mlflow.genai.register_prompt creates them).`,
    };
    const promptTags = [{ key: IS_PROMPT, value: "true" }, { key: "mlflow.prompt.text", value: "hi" }];
    expect(await call("POST", "model-versions/create", { name: "churn", source: "dummy-source", tags: promptTags }, undefined, 400)).toEqual(placeholder);
    expect(await call("POST", "model-versions/create", { name: "churn", source: "dummy-source" }, undefined, 400)).toEqual(placeholder);
    // A prompt model's version without the prompt tag is no prompt version either.
    expect(await call("POST", "model-versions/create", { name: "greeting", source: "dummy-source" }, undefined, 400)).toEqual(placeholder);
    expect(await call("POST", "model-versions/create", { name: "greeting", source: "/etc/passwd", tags: promptTags }, undefined, 400)).toMatchObject({
      error_code: "INVALID_PARAMETER_VALUE",
      message: expect.stringMatching(/^Invalid model version source: '\/etc\/passwd'\. A local path is not allowed/),
    });
    expect(
      await call(
        "POST",
        "model-versions/create",
        { name: "greeting", source: "dummy-source", tags: promptTags, model_id: "m-0123456789abcdef0123456789abcdef" },
        undefined,
        400,
      ),
    ).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Invalid value 'm-0123456789abcdef0123456789abcdef' for parameter 'model_id': a prompt version has no model files to register.",
    });
    // Version search leaves prompt versions out unless the filter asks for them (as MLflow's store does).
    expect((await call("GET", "model-versions/search", { filter: "name = 'greeting'" })).model_versions ?? []).toEqual([]);
    const versions = await call(
      "GET",
      "model-versions/search",
      { filter: `name = 'greeting' AND tags.\`${IS_PROMPT}\` = 'true'` },
      "mlflow.SearchModelVersions.Response",
    );
    expect(versions.model_versions.map((version: any) => version.version).sort()).toEqual(["1", "2"]);
    expect((await call("GET", "model-versions/search", { filter: "name = 'churn'" })).model_versions ?? []).toEqual([]);
  });
});
