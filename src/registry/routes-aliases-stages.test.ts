import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRegistryApp, type RegistryTestApp } from "./test-support/registry-app.js";

let t: RegistryTestApp;
beforeEach(async () => {
  t = await startRegistryApp();
  const runId = (await t.call("POST", "runs/create", { experiment_id: "0" })).body.run.info.run_id;
  await t.call("POST", "registered-models/create", { name: "churn" });
  for (let index = 0; index < 3; index += 1) {
    expect((await t.call("POST", "model-versions/create", { name: "churn", source: `runs:/${runId}/model` })).status).toBe(200);
  }
  t.audits.length = 0;
  t.events.length = 0;
});
afterEach(async () => {
  await t.close();
});

const ADA = { "x-cairn-user": "ada" };

describe("registered-models/alias: POST sets, GET resolves, DELETE removes", () => {
  it("moves an alias and audits each move with before/after versions, so that alias history can be derived", async () => {
    expect(await t.call("POST", "registered-models/alias", { name: "churn", alias: "champion", version: "1" }, ADA)).toEqual({ status: 200, body: {} });
    expect(await t.call("POST", "registered-models/alias", { name: "churn", alias: "champion", version: "2" }, ADA)).toEqual({ status: 200, body: {} });
    const resolved = await t.call("GET", "registered-models/alias", { name: "churn", alias: "champion" });
    expect(resolved.body.model_version).toMatchObject({ name: "churn", version: "2", aliases: ["champion"] });
    expect((await t.call("GET", "registered-models/get", { name: "churn" })).body.registered_model.aliases).toEqual([{ alias: "champion", version: "2" }]);
    expect(await t.call("DELETE", "registered-models/alias", { name: "churn", alias: "champion" })).toEqual({ status: 200, body: {} });
    // Deleting an alias that is not there is not an error, and changes nothing.
    expect(await t.call("DELETE", "registered-models/alias", { name: "churn", alias: "champion" })).toEqual({ status: 200, body: {} });
    expect(t.audits.map((entry) => [entry.action, entry.entityType, entry.entityId, entry.before, entry.after, entry.context.actor.name])).toEqual([
      ["registry.alias.set", "registered_model", "churn", null, { alias: "champion", version: "1" }, "ada"],
      ["registry.alias.set", "registered_model", "churn", { alias: "champion", version: "1" }, { alias: "champion", version: "2" }, "ada"],
      ["registry.alias.delete", "registered_model", "churn", { alias: "champion", version: "2" }, null, "anonymous"],
    ]);
    expect(t.events.map((event) => [event.type, event.payload])).toEqual([
      ["alias.set", { name: "churn", alias: "champion", version: "1", previous_version: null }],
      ["alias.set", { name: "churn", alias: "champion", version: "2", previous_version: "1" }],
      ["alias.deleted", { name: "churn", alias: "champion", previous_version: "2", reason: "alias_deleted" }],
    ]);
    expect(t.events[0]?.actor).toEqual({ name: "ada", verified: false });
  });

  it("refuses reserved and malformed aliases and missing versions with MLflow's messages", async () => {
    const set = (alias: string, version = "1") => t.call("POST", "registered-models/alias", { name: "churn", alias, version });
    expect((await set("latest")).body).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "'latest' alias name (case insensitive) is reserved." });
    expect((await set("v2")).body).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "Version alias name 'v2' is reserved." });
    expect((await set("a b")).body.message).toBe("Invalid alias name: 'a b'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
    expect((await set("x".repeat(256))).body.message).toBe("'Registered model alias name' exceeds the maximum length of 255 characters");
    expect(await set("champion", "9")).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Model Version (name=churn, version=9) not found" },
    });
    expect((await t.call("POST", "registered-models/alias", { name: "nope", alias: "champion", version: "1" })).status).toBe(404);
    expect(await t.call("GET", "registered-models/alias", { name: "churn", alias: "champion" })).toEqual({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: "Registered model alias champion not found." },
    });
    expect((await t.call("GET", "registered-models/alias", { name: "nope", alias: "champion" })).status).toBe(404);
    expect(t.audits).toEqual([]);
  });

  it("deleting a version ends the aliases that pointed to it, in the audit trail and as events", async () => {
    await t.call("POST", "registered-models/alias", { name: "churn", alias: "champion", version: "3" });
    await t.call("DELETE", "model-versions/delete", { name: "churn", version: "3" });
    expect((await t.call("GET", "registered-models/get", { name: "churn" })).body.registered_model.aliases).toEqual([]);
    expect(t.audits.slice(1).map((entry) => [entry.action, entry.before, entry.after ?? null])).toEqual([
      ["registry.model_version.delete", { source: expect.any(String), run_id: expect.any(String), stage: "None", aliases: ["champion"] }, null],
      ["registry.alias.delete", { alias: "champion", version: "3" }, null],
    ]);
    expect(t.events.at(-1)).toMatchObject({ type: "alias.deleted", payload: { alias: "champion", previous_version: "3", reason: "model_version_deleted" } });
  });
});

describe("model-versions/transition-stage", () => {
  it("moves a version; archive_existing_versions archives the others in that stage, audited per version", async () => {
    await t.call("POST", "model-versions/transition-stage", { name: "churn", version: "1", stage: "Production", archive_existing_versions: false });
    const second = await t.call("POST", "model-versions/transition-stage", {
      name: "churn",
      version: "2",
      stage: "production",
      archive_existing_versions: true,
    });
    expect(second.status).toBe(200);
    expect(second.body.model_version).toMatchObject({ version: "2", current_stage: "Production" });
    expect((await t.call("GET", "model-versions/get", { name: "churn", version: "1" })).body.model_version.current_stage).toBe("Archived");
    expect(t.audits.map((entry) => [entry.action, entry.entityId, entry.before, entry.after])).toEqual([
      ["registry.stage.transition", "churn/1", { stage: "None" }, { stage: "Production", archived_versions: [] }],
      ["registry.stage.transition", "churn/2", { stage: "None" }, { stage: "Production", archived_versions: ["1"] }],
      ["registry.stage.transition", "churn/1", { stage: "Production" }, { stage: "Archived", archived_by: "2" }],
    ]);
    expect(t.events.map((event) => [event.type, event.payload])).toEqual([
      ["stage.changed", { name: "churn", version: "1", stage: "Production", previous_stage: "None", archived_versions: [] }],
      ["stage.changed", { name: "churn", version: "2", stage: "Production", previous_stage: "None", archived_versions: ["1"] }],
    ]);
  });

  it("refuses unknown stages, archiving into an inactive stage, missing fields", async () => {
    const transition = (body: Record<string, unknown>) => t.call("POST", "model-versions/transition-stage", { name: "churn", version: "1", ...body });
    expect((await transition({ stage: "Prod" })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Invalid Model Version stage: Prod. Value must be one of None, Staging, Production, Archived.",
    });
    expect((await transition({ stage: "Archived", archive_existing_versions: true })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message:
        "Model version transition cannot archive existing model versions because 'Archived' is not an Active stage. Valid stages are ['Staging', 'Production']",
    });
    expect((await transition({})).body.message).toMatch(/^Missing value for required parameter 'stage'/);
    expect((await transition({ stage: "Staging", archive_existing_versions: "maybe" })).status).toBe(400);
    expect((await t.call("POST", "model-versions/transition-stage", { name: "churn", version: "8", stage: "Staging" })).status).toBe(404);
  });
});

describe("promotion rules are asked before an alias moves or a stage changes", () => {
  it("a refusal names each unmet rule, is audited and announced, and changes nothing", async () => {
    await t.call("POST", "registered-models/alias", { name: "churn", alias: "champion", version: "1" });
    t.gate.unmetByTarget.set("churn alias:champion", ["metrics.accuracy >= 0.9 not met (run value 0.85)"]);
    t.audits.length = 0;
    t.events.length = 0;
    const refused = await t.call("POST", "registered-models/alias", { name: "churn", alias: "champion", version: "2" }, ADA);
    expect(refused).toEqual({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        message: "Promotion of model 'churn' version 2 to alias:champion refused: metrics.accuracy >= 0.9 not met (run value 0.85).",
      },
    });
    expect((await t.call("GET", "registered-models/alias", { name: "churn", alias: "champion" })).body.model_version.version).toBe("1");
    expect(t.audits.map((entry) => [entry.action, entry.entityType, entry.entityId, entry.after, entry.context.actor.name])).toEqual([
      ["registry.promotion.refuse", "model_version", "churn/2", { target: "alias:champion", unmet: ["metrics.accuracy >= 0.9 not met (run value 0.85)"] }, "ada"],
    ]);
    expect(t.events.map((event) => [event.type, event.payload])).toEqual([
      [
        "promotion.refused",
        {
          name: "churn",
          version: "2",
          target: "alias:champion",
          alias: "champion",
          current_version: "1",
          unmet: ["metrics.accuracy >= 0.9 not met (run value 0.85)"],
        },
      ],
    ]);
  });

  it("several unmet rules are all named; stage transitions are gated the same way", async () => {
    t.gate.unmetByTarget.set("churn stage:Production", ["required tag validation_status = passed is missing", "1 approvals needed, 0 given"]);
    const refused = await t.call("POST", "model-versions/transition-stage", { name: "churn", version: "3", stage: "Production", archive_existing_versions: true });
    expect(refused.body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message:
        "Promotion of model 'churn' version 3 to stage:Production refused: required tag validation_status = passed is missing; 1 approvals needed, 0 given.",
    });
    expect((await t.call("GET", "model-versions/get", { name: "churn", version: "3" })).body.model_version.current_stage).toBe("None");
    expect(t.events.map((event) => [event.type, event.payload.stage, event.payload.current_stage])).toEqual([["promotion.refused", "Production", "None"]]);
    // Staging has no rule here: allowed, and the gate was asked with the canonical stage.
    expect((await t.call("POST", "model-versions/transition-stage", { name: "churn", version: "3", stage: "staging" })).status).toBe(200);
    expect(t.gate.checks).toEqual(["churn stage:Production v3", "churn stage:Staging v3"]);
  });
});

describe("models:/ URIs resolve through the service (what serving and the CLI use)", () => {
  it("version, alias, stage and latest", async () => {
    await t.call("POST", "registered-models/alias", { name: "churn", alias: "champion", version: "2" });
    await t.call("POST", "model-versions/transition-stage", { name: "churn", version: "1", stage: "Staging" });
    expect((await t.service.resolveModelUri("models:/churn/3")).version).toBe("3");
    expect((await t.service.resolveModelUri("models:/churn@champion")).version).toBe("2");
    expect((await t.service.resolveModelUri("models:/churn/staging")).version).toBe("1");
    expect((await t.service.resolveModelUri("models:/churn/latest")).version).toBe("3");
    await expect(t.service.resolveModelUri("models:/churn/Production")).rejects.toThrow(
      "No versions of model with name 'churn' and stage 'Production' found",
    );
    await expect(t.service.resolveModelUri("models:/churn@shadow")).rejects.toThrow("Registered model alias shadow not found.");
    await expect(t.service.resolveModelUri("models:/nope/1")).rejects.toThrow("Model Version (name=nope, version=1) not found");
  });
});

describe("renames and deletes are passed on to the domains that follow the registry (governance rows)", () => {
  it("rename, version delete, model delete, each once and after the change", async () => {
    await t.call("POST", "registered-models/rename", { name: "churn", new_name: "churn2" });
    await t.call("DELETE", "model-versions/delete", { name: "churn2", version: "1" });
    await t.call("DELETE", "registered-models/delete", { name: "churn2" });
    expect((await t.call("DELETE", "registered-models/delete", { name: "churn2" })).status).toBe(404);
    expect(t.followed).toEqual(["rename churn -> churn2", "delete churn2/1", "delete churn2"]);
  });
});
