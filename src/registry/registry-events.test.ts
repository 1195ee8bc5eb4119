import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRegistryApp, type RegistryTestApp } from "./test-support/registry-app.js";

/**
 * The choice between MLflow's model and prompt events in the cases the webhook delivery test does not reach: tags of a
 * plain model (no event), the tag that makes a model a prompt, a prompt's version without its own prompt tag, and the
 * aliases that end with a deleted prompt or prompt version.
 */
let t: RegistryTestApp;
let runId: string;
const IS_PROMPT = { key: "mlflow.prompt.is_prompt", value: "true" };

beforeEach(async () => {
  t = await startRegistryApp();
  runId = (await t.call("POST", "runs/create", { experiment_id: "0" })).body.run.info.run_id;
});
afterEach(async () => {
  await t.close();
});

const eventsOf = (write: () => Promise<unknown>) => async (): Promise<[string, Record<string, unknown>][]> => {
  t.events.length = 0;
  await write();
  return t.events.map((event) => [event.type, event.payload]);
};

describe("registry events: model or prompt", () => {
  it("a plain model's tags announce nothing; the tag that makes it a prompt announces prompt_tag.set, and its later tags too", async () => {
    await t.call("POST", "registered-models/create", { name: "churn" });
    expect(await eventsOf(() => t.call("POST", "registered-models/set-tag", { name: "churn", key: "team", value: "risk" }))()).toEqual([]);
    expect(await eventsOf(() => t.call("DELETE", "registered-models/delete-tag", { name: "churn", key: "team" }))()).toEqual([]);
    expect(await eventsOf(() => t.call("POST", "registered-models/set-tag", { name: "churn", ...IS_PROMPT }))()).toEqual([
      ["prompt_tag.set", { name: "churn", key: IS_PROMPT.key, value: "true" }],
    ]);
    expect(await eventsOf(() => t.call("DELETE", "registered-models/delete-tag", { name: "churn", key: "owner" }))()).toEqual([
      ["prompt_tag.deleted", { name: "churn", key: "owner" }],
    ]);
  });

  it("a version of a prompt is a prompt version even without its own tag, and the aliases that end with it are prompt aliases", async () => {
    await t.call("POST", "registered-models/create", { name: "greeting", tags: [IS_PROMPT] });
    for (let index = 0; index < 2; index += 1) {
      expect((await t.call("POST", "model-versions/create", { name: "greeting", source: `runs:/${runId}/prompt` })).status).toBe(200);
    }
    expect(await eventsOf(() => t.call("POST", "model-versions/set-tag", { name: "greeting", version: "1", key: "k", value: "v" }))()).toEqual([
      ["prompt_version_tag.set", { name: "greeting", version: "1", key: "k", value: "v" }],
    ]);
    await t.call("POST", "registered-models/alias", { name: "greeting", alias: "production", version: "1" });
    await t.call("POST", "registered-models/alias", { name: "greeting", alias: "staging", version: "2" });
    expect(await eventsOf(() => t.call("DELETE", "model-versions/delete", { name: "greeting", version: "1" }))()).toEqual([
      ["prompt_alias.deleted", { name: "greeting", alias: "production", previous_version: "1", reason: "model_version_deleted" }],
    ]);
    expect(await eventsOf(() => t.call("DELETE", "registered-models/delete", { name: "greeting" }))()).toEqual([
      ["prompt_alias.deleted", { name: "greeting", alias: "staging", previous_version: "2", reason: "registered_model_deleted" }],
    ]);
  });

  it("a plain model's deleted version and model end their aliases as alias.deleted", async () => {
    await t.call("POST", "registered-models/create", { name: "churn" });
    for (let index = 0; index < 2; index += 1) {
      expect((await t.call("POST", "model-versions/create", { name: "churn", source: `runs:/${runId}/model` })).status).toBe(200);
    }
    await t.call("POST", "registered-models/alias", { name: "churn", alias: "champion", version: "2" });
    await t.call("POST", "registered-models/alias", { name: "churn", alias: "challenger", version: "2" });
    expect(await eventsOf(() => t.call("DELETE", "registered-models/delete", { name: "churn" }))()).toEqual([
      ["alias.deleted", { name: "churn", alias: "challenger", previous_version: "2", reason: "registered_model_deleted" }],
      ["alias.deleted", { name: "churn", alias: "champion", previous_version: "2", reason: "registered_model_deleted" }],
    ]);
  });
});
