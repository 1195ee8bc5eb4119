import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIXED_NOW, startRegistryApp, type RegistryTestApp } from "./test-support/registry-app.js";

let t: RegistryTestApp;
beforeEach(async () => {
  t = await startRegistryApp();
});
afterEach(async () => {
  await t.close();
});

const createModel = async (name: string, extra: Record<string, unknown> = {}) => {
  const response = await t.call("POST", "registered-models/create", { name, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.registered_model;
};

describe("registered-models/create, get", () => {
  it("creates a model with tags and description and returns it as MLflow does", async () => {
    const response = await t.call("POST", "registered-models/create", {
      name: "churn",
      description: "predicts churn",
      tags: [{ key: "team", value: "growth" }],
    });
    expect(response).toEqual({
      status: 200,
      body: {
        registered_model: {
          name: "churn",
          creation_timestamp: FIXED_NOW,
          last_updated_timestamp: FIXED_NOW,
          description: "predicts churn",
          latest_versions: [],
          tags: [{ key: "team", value: "growth" }],
          aliases: [],
        },
      },
    });
    expect((await t.call("GET", "registered-models/get", { name: "churn" })).body).toEqual(response.body);
    expect(t.audits.map((entry) => [entry.action, entry.entityType, entry.entityId])).toEqual([
      ["registry.registered_model.create", "registered_model", "churn"],
    ]);
  });

  it("answers under /ajax-api too, and records the declared user as the actor", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/ajax-api/2.0/mlflow/registered-models/create",
      payload: { name: "ajax" },
      headers: { "x-cairn-user": "grace" },
    });
    expect(response.statusCode).toBe(200);
    expect(t.audits[0]?.context.actor).toEqual({ name: "grace", verified: false });
  });

  it("refuses a duplicate name, a missing name and bad tags", async () => {
    await createModel("churn");
    const duplicate = await t.call("POST", "registered-models/create", { name: "churn" });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(duplicate.body.message).toContain("Registered Model (name=churn) already exists");
    expect(await t.call("POST", "registered-models/create", {})).toEqual({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        message: "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
      },
    });
    const longValue = await t.call("POST", "registered-models/create", { name: "m", tags: [{ key: "k", value: "v".repeat(5001) }] });
    expect(longValue.body).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "'value' exceeds the maximum length of 5000 characters" });
    const tagsNotList = await t.call("POST", "registered-models/create", { name: "m", tags: { k: "v" } });
    expect(tagsNotList.status).toBe(400);
    expect(t.audits).toHaveLength(1);
  });

  it("get of a missing model is RESOURCE_DOES_NOT_EXIST (404) with MLflow's message", async () => {
    expect(await t.call("GET", "registered-models/get", { name: "nope" })).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Registered Model with name=nope not found" },
    });
  });
});

describe("registered-models/rename, update, delete", () => {
  it("rename moves the model; the old name is gone; a taken name is refused", async () => {
    await createModel("churn");
    await createModel("other");
    const renamed = await t.call("POST", "registered-models/rename", { name: "churn", new_name: "churn-v2" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.registered_model.name).toBe("churn-v2");
    expect((await t.call("GET", "registered-models/get", { name: "churn" })).status).toBe(404);
    const taken = await t.call("POST", "registered-models/rename", { name: "churn-v2", new_name: "other" });
    expect(taken.status).toBe(400);
    expect(taken.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    const missingNewName = await t.call("POST", "registered-models/rename", { name: "churn-v2" });
    expect(missingNewName.body.message).toMatch(/^Missing value for required parameter 'new_name'/);
    expect(t.audits.at(-1)).toMatchObject({
      action: "registry.registered_model.rename",
      entityId: "churn",
      before: { name: "churn" },
      after: { name: "churn-v2" },
    });
  });

  it("update (PATCH) sets the description; POST is not the update method", async () => {
    await createModel("churn", { description: "old" });
    const updated = await t.call("PATCH", "registered-models/update", { name: "churn", description: "new" });
    expect(updated.status).toBe(200);
    expect(updated.body.registered_model.description).toBe("new");
    expect(t.audits.at(-1)).toMatchObject({ action: "registry.registered_model.update", before: { description: "old" }, after: { description: "new" } });
    expect((await t.call("POST", "registered-models/update", { name: "churn", description: "x" })).status).toBe(404);
    expect((await t.call("PATCH", "registered-models/update", { name: "nope", description: "x" })).status).toBe(404);
  });

  it("delete (DELETE, fields in the body or the query) removes the model with its versions", async () => {
    await createModel("churn");
    await createModel("other");
    expect(await t.call("DELETE", "registered-models/delete", { name: "churn" })).toEqual({ status: 200, body: {} });
    expect((await t.call("GET", "registered-models/get", { name: "churn" })).status).toBe(404);
    const byQuery = await t.app.inject({ method: "DELETE", url: "/api/2.0/mlflow/registered-models/delete?name=other" });
    expect(byQuery.statusCode).toBe(200);
    expect((await t.call("DELETE", "registered-models/delete", { name: "churn" })).status).toBe(404);
  });
});

describe("registered-models/set-tag, delete-tag", () => {
  it("sets, overwrites and deletes tags, auditing before and after", async () => {
    await createModel("churn");
    expect(await t.call("POST", "registered-models/set-tag", { name: "churn", key: "owner", value: "ada" })).toEqual({ status: 200, body: {} });
    await t.call("POST", "registered-models/set-tag", { name: "churn", key: "owner", value: "grace" });
    expect((await t.call("GET", "registered-models/get", { name: "churn" })).body.registered_model.tags).toEqual([{ key: "owner", value: "grace" }]);
    expect(await t.call("DELETE", "registered-models/delete-tag", { name: "churn", key: "owner" })).toEqual({ status: 200, body: {} });
    expect((await t.call("GET", "registered-models/get", { name: "churn" })).body.registered_model.tags).toEqual([]);
    expect(t.audits.slice(1).map((entry) => [entry.action, entry.before, entry.after])).toEqual([
      ["registry.registered_model_tag.set", null, { key: "owner", value: "ada" }],
      ["registry.registered_model_tag.set", { key: "owner", value: "ada" }, { key: "owner", value: "grace" }],
      ["registry.registered_model_tag.delete", { key: "owner", value: "grace" }, null],
    ]);
  });

  it("refuses a missing model, a missing key and an over-long key", async () => {
    expect((await t.call("POST", "registered-models/set-tag", { name: "nope", key: "k", value: "v" })).status).toBe(404);
    await createModel("churn");
    expect((await t.call("POST", "registered-models/set-tag", { name: "churn", value: "v" })).body.message).toMatch(
      /^Missing value for required parameter 'key'/,
    );
    expect((await t.call("POST", "registered-models/set-tag", { name: "churn", key: "k".repeat(251), value: "v" })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "'key' exceeds the maximum length of 250 characters",
    });
  });
});

describe("registered-models/search", () => {
  it("filters, orders and pages; next_page_token only when more remain", async () => {
    for (const name of ["alpha", "beta", "gamma", "alphabet"]) await createModel(name);
    const first = await t.call("GET", "registered-models/search", { filter: "name LIKE 'alpha%'", max_results: "1" });
    expect(first.status).toBe(200);
    expect(first.body.registered_models.map((model: { name: string }) => model.name)).toEqual(["alpha"]);
    expect(typeof first.body.next_page_token).toBe("string");
    const second = await t.call("GET", "registered-models/search", {
      filter: "name LIKE 'alpha%'",
      max_results: "1",
      page_token: first.body.next_page_token,
    });
    expect(second.body.registered_models.map((model: { name: string }) => model.name)).toEqual(["alphabet"]);
    expect(second.body.next_page_token).toBeUndefined();
    const ordered = await t.call("GET", "registered-models/search", { order_by: ["name DESC"] });
    expect(ordered.body.registered_models.map((model: { name: string }) => model.name)).toEqual(["gamma", "beta", "alphabet", "alpha"]);
  });

  it("max_results above 1000 and malformed filters are INVALID_PARAMETER_VALUE", async () => {
    expect(await t.call("GET", "registered-models/search", { max_results: "1001" })).toEqual({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        message: "Invalid value for request parameter max_results. It must be at most 1000, but got value 1001",
      },
    });
    const bad = await t.call("GET", "registered-models/search", { filter: "name ~ 'x'" });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });
});
