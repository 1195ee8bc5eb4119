import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIXED_NOW, startTrackingApp, type TrackingTestApp } from "./test-support/tracking-app.js";

let t: TrackingTestApp;
beforeEach(async () => {
  t = await startTrackingApp();
});
afterEach(async () => t.close());

describe("experiments endpoints", () => {
  it("has the Default experiment 0 from the start", async () => {
    const { status, body } = await t.call("GET", "experiments/get", { experiment_id: "0" });
    expect(status).toBe(200);
    expect(body.experiment).toMatchObject({
      experiment_id: "0",
      name: "Default",
      artifact_location: "mlflow-artifacts:/0",
      lifecycle_stage: "active",
    });
  });

  it("creates an experiment with tags and proxied artifact location, answers its id as a string", async () => {
    const created = await t.call("POST", "experiments/create", { name: "exp-a", tags: [{ key: "team", value: "ml" }] });
    expect(created).toEqual({ status: 200, body: { experiment_id: "1" } });
    const { body } = await t.call("GET", "experiments/get", { experiment_id: "1" });
    expect(body.experiment).toEqual({
      experiment_id: "1",
      name: "exp-a",
      artifact_location: "mlflow-artifacts:/1",
      lifecycle_stage: "active",
      creation_time: body.experiment.creation_time,
      last_update_time: body.experiment.last_update_time,
      tags: [{ key: "team", value: "ml" }],
    });
    expect(body.experiment.creation_time).toBeGreaterThanOrEqual(FIXED_NOW);
    const byName = await t.call("GET", "experiments/get-by-name", { experiment_name: "exp-a" });
    expect(byName.body.experiment.experiment_id).toBe("1");
  });

  it("keeps an explicit artifact_location and refuses a runs:/ one", async () => {
    await t.call("POST", "experiments/create", { name: "s3", artifact_location: "s3://bucket/x" });
    const { body } = await t.call("GET", "experiments/get-by-name", { experiment_name: "s3" });
    expect(body.experiment.artifact_location).toBe("s3://bucket/x");
    const bad = await t.call("POST", "experiments/create", { name: "r", artifact_location: "runs:/abc/model" });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("Artifact location cannot be a runs:/ URI. Given: 'runs:/abc/model'");
  });

  it("refuses duplicate, empty and over-long names", async () => {
    await t.call("POST", "experiments/create", { name: "dup" });
    const dup = await t.call("POST", "experiments/create", { name: "dup" });
    expect(dup.status).toBe(400);
    expect(dup.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    const empty = await t.call("POST", "experiments/create", { name: "" });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toContain("Missing value for required parameter 'name'");
    const long = await t.call("POST", "experiments/create", { name: "x".repeat(501) });
    expect(long.body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Experiment name exceeds the maximum length of 500 characters",
    });
    expect((await t.call("POST", "experiments/create", { name: "y".repeat(500) })).status).toBe(200);
  });

  it("answers 404 with MLflow's messages for missing experiments", async () => {
    const missing = await t.call("GET", "experiments/get", { experiment_id: "42" });
    expect(missing).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "No Experiment with id=42 exists" },
    });
    const byName = await t.call("GET", "experiments/get-by-name", { experiment_name: "nope" });
    expect(byName.status).toBe(404);
    expect(byName.body.message).toBe("Could not find experiment with name 'nope'");
    const weird = await t.call("GET", "experiments/get", { experiment_id: "1; DROP TABLE x" });
    expect(weird.status).toBe(400);
    expect(weird.body.message).toBe("Invalid experiment ID: '1; DROP TABLE x'");
  });

  it("renames, deletes and restores with lifecycle checks", async () => {
    await t.call("POST", "experiments/create", { name: "old" });
    expect(await t.call("POST", "experiments/update", { experiment_id: "1", new_name: "new" })).toEqual({ status: 200, body: {} });
    expect((await t.call("GET", "experiments/get", { experiment_id: "1" })).body.experiment.name).toBe("new");
    expect(await t.call("POST", "experiments/delete", { experiment_id: "1" })).toEqual({ status: 200, body: {} });
    expect((await t.call("GET", "experiments/get", { experiment_id: "1" })).body.experiment.lifecycle_stage).toBe("deleted");
    const again = await t.call("POST", "experiments/delete", { experiment_id: "1" });
    expect(again.status).toBe(404);
    const rename = await t.call("POST", "experiments/update", { experiment_id: "1", new_name: "x" });
    expect(rename.body.message).toBe("Cannot rename a non-active experiment.");
    const tag = await t.call("POST", "experiments/set-experiment-tag", { experiment_id: "1", key: "k", value: "v" });
    expect(tag.body.message).toBe("The experiment 1 must be in the 'active' state. Current state is deleted.");
    expect(await t.call("POST", "experiments/restore", { experiment_id: "1" })).toEqual({ status: 200, body: {} });
    const restoreActive = await t.call("POST", "experiments/restore", { experiment_id: "1" });
    expect(restoreActive.body.message).toBe("The experiment 1 must be in the 'deleted' state. Current state is active.");
  });

  it("sets and deletes experiment tags with limits", async () => {
    await t.call("POST", "experiments/create", { name: "tagged" });
    expect(await t.call("POST", "experiments/set-experiment-tag", { experiment_id: "1", key: "a", value: "1" })).toEqual({ status: 200, body: {} });
    expect((await t.call("GET", "experiments/get", { experiment_id: "1" })).body.experiment.tags).toEqual([{ key: "a", value: "1" }]);
    expect(await t.call("POST", "experiments/delete-experiment-tag", { experiment_id: "1", key: "a" })).toEqual({ status: 200, body: {} });
    expect((await t.call("GET", "experiments/get", { experiment_id: "1" })).body.experiment.tags).toEqual([]);
    const long = await t.call("POST", "experiments/set-experiment-tag", { experiment_id: "1", key: "a", value: "v".repeat(5001) });
    expect(long.status).toBe(400);
    expect(long.body.message).toContain("which exceeded length limit of 5000");
    const badKey = await t.call("POST", "experiments/set-experiment-tag", { experiment_id: "1", key: "../etc", value: "v" });
    expect(badKey.body.message).toContain("Invalid tag name: '../etc'");
  });

  it("searches with filter, order, paging and view types, on GET and POST", async () => {
    for (const name of ["a1", "a2", "b1"]) await t.call("POST", "experiments/create", { name });
    const post = await t.call("POST", "experiments/search", { filter: "name LIKE 'a%'", order_by: ["name DESC"] });
    expect(post.body.experiments.map((e: { name: string }) => e.name)).toEqual(["a2", "a1"]);
    expect(post.body.next_page_token).toBeUndefined();
    const first = await t.call("GET", "experiments/search", "max_results=2&order_by=name+ASC");
    expect(first.body.experiments.map((e: { name: string }) => e.name)).toEqual(["Default", "a1"]);
    expect(typeof first.body.next_page_token).toBe("string");
    const second = await t.call("GET", "experiments/search", `max_results=2&order_by=name+ASC&page_token=${encodeURIComponent(first.body.next_page_token)}`);
    expect(second.body.experiments.map((e: { name: string }) => e.name)).toEqual(["a2", "b1"]);
    await t.call("POST", "experiments/delete", { experiment_id: "3" });
    const deleted = await t.call("POST", "experiments/search", { view_type: "DELETED_ONLY" });
    expect(deleted.body.experiments.map((e: { name: string }) => e.name)).toEqual(["b1"]);
    const numeric = await t.call("POST", "experiments/search", { view_type: 2 });
    expect(numeric.body.experiments.map((e: { name: string }) => e.name)).toEqual(["b1"]);
    const tooMany = await t.call("POST", "experiments/search", { max_results: 50001 });
    expect(tooMany.body.message).toBe("Invalid value for max_results. It must be at most 50000, but got 50001");
    const zero = await t.call("POST", "experiments/search", { max_results: "0" });
    expect(zero.body.message).toBe("Invalid value for max_results. It must be a positive integer, but got 0");
  });

  it("answers the removed experiments/list for old clients", async () => {
    await t.call("POST", "experiments/create", { name: "listed" });
    const { status, body } = await t.call("GET", "experiments/list", "view_type=ALL");
    expect(status).toBe(200);
    expect(body.experiments.map((e: { name: string }) => e.name).sort()).toEqual(["Default", "listed"]);
    expect(body.next_page_token).toBeUndefined();
  });

  it("serves the same routes under /ajax-api", async () => {
    const response = await t.app.inject({ method: "GET", url: "/ajax-api/2.0/mlflow/experiments/get?experiment_id=0" });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).experiment.name).toBe("Default");
  });
});
