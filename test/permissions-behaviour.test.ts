import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, basic, call, startAuthServer } from "../src/auth/test-support/auth-server.js";
import type { RunningServer } from "../src/server/start.js";

/**
 * What MLflow's basic-auth app promises, on a real `--auth` server with the default permission (READ): the permission
 * endpoints' shapes and errors, creators manage what they create, renames carry grants, searches show only what a
 * user may read, an unknown resource is the route's own 404 (never a pass), and the issue's artifact wipe is refused.
 */
const MLFLOW = "/api/2.0/mlflow";
const CAIRN = "/api/2.0/cairn";
const root = { authorization: basic(ADMIN.username, ADMIN.password) };
const as = (user: string) => ({ authorization: basic(user, `${user}-password-0001`) });

let server: RunningServer & { dir: string };
let scratch: string;
const api = (method: string, pathName: string, headers: Record<string, string>, body?: unknown) =>
  call(server.url, method, pathName, { headers, ...(body === undefined ? {} : { body }) });

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-permissions-"));
  server = await startAuthServer();
  for (const user of ["ada", "bob"]) {
    expect((await api("POST", `${MLFLOW}/users/create`, root, { username: user, password: `${user}-password-0001` })).status).toBe(200);
  }
}, 60_000);
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("permissions with the default READ", () => {
  it("gives the creator of an experiment MANAGE; others read it but cannot change it", async () => {
    const created = await api("POST", `${MLFLOW}/experiments/create`, as("ada"), { name: "ada-exp" });
    expect(created.status).toBe(200);
    const id = created.body.experiment_id as string;
    expect((await api("GET", `${MLFLOW}/experiments/permissions/get?experiment_id=${id}&username=ada`, as("ada"))).body).toEqual({
      experiment_permission: { experiment_id: id, user_id: 2, permission: "MANAGE" },
    });
    expect((await api("GET", `${MLFLOW}/experiments/get?experiment_id=${id}`, as("bob"))).status).toBe(200);
    const denied = await api("POST", `${MLFLOW}/experiments/set-experiment-tag`, as("bob"), { experiment_id: id, key: "k", value: "v" });
    expect(denied).toMatchObject({
      status: 403,
      body: { error_code: "PERMISSION_DENIED", message: `Permission denied: POST /api/2.0/mlflow/experiments/set-experiment-tag needs EDIT on experiment '${id}'` },
    });
    // ada, who manages it, lets bob edit it; MLflow's shapes throughout.
    const grant = await api("POST", `${MLFLOW}/experiments/permissions/create`, as("ada"), { experiment_id: id, username: "BOB", permission: "EDIT" });
    expect(grant.body).toEqual({ experiment_permission: { experiment_id: id, user_id: 3, permission: "EDIT" } });
    expect((await api("POST", `${MLFLOW}/experiments/set-experiment-tag`, as("bob"), { experiment_id: id, key: "k", value: "v" })).status).toBe(200);
    // EDIT is not MANAGE: bob can neither delete the experiment nor manage its permissions.
    expect((await api("POST", `${MLFLOW}/experiments/delete`, as("bob"), { experiment_id: id })).status).toBe(403);
    expect((await api("PATCH", `${MLFLOW}/experiments/permissions/update`, as("bob"), { experiment_id: id, username: "bob", permission: "MANAGE" })).status).toBe(403);
    expect((await api("PATCH", `${MLFLOW}/experiments/permissions/update`, as("ada"), { experiment_id: id, username: "bob", permission: "NO_PERMISSIONS" })).body).toEqual({});
    expect((await api("GET", `${MLFLOW}/experiments/get?experiment_id=${id}`, as("bob"))).status).toBe(403);
    expect((await api("DELETE", `${MLFLOW}/experiments/permissions/delete`, as("ada"), { experiment_id: id, username: "bob" })).body).toEqual({});
    // Back to the default: bob reads again.
    expect((await api("GET", `${MLFLOW}/experiments/get?experiment_id=${id}`, as("bob"))).status).toBe(200);
  });

  it("answers MLflow's errors on the permission endpoints", async () => {
    const id = (await api("POST", `${MLFLOW}/experiments/create`, as("ada"), { name: "errors-exp" })).body.experiment_id as string;
    expect((await api("POST", `${MLFLOW}/experiments/permissions/create`, as("ada"), { experiment_id: id, username: "ada", permission: "READ" })).body).toEqual({
      error_code: "RESOURCE_ALREADY_EXISTS",
      message: `Experiment permission (experiment_id=${id}, username=ada) already exists`,
    });
    expect((await api("GET", `${MLFLOW}/experiments/permissions/get?experiment_id=${id}&username=bob`, as("ada"))).body).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      message: `Experiment permission with experiment_id=${id} and username=bob not found`,
    });
    expect((await api("POST", `${MLFLOW}/experiments/permissions/create`, as("ada"), { experiment_id: id, username: "zed", permission: "READ" })).body).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      message: "User with username=zed not found",
    });
    expect((await api("POST", `${MLFLOW}/experiments/permissions/create`, as("ada"), { experiment_id: id, username: "bob", permission: "OWNER" })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Invalid permission 'OWNER'. Valid permissions are: ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')",
    });
    const missing = await api("POST", `${MLFLOW}/registered-models/permissions/create`, root, { name: "no-such-model", username: "bob", permission: "READ" });
    expect(missing).toMatchObject({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST" } });
  });

  it("carries a registered model's grants through a rename, gives its creator MANAGE and lists grants in users/get", async () => {
    expect((await api("POST", `${MLFLOW}/registered-models/create`, as("ada"), { name: "iris" })).status).toBe(200);
    await api("POST", `${MLFLOW}/registered-models/permissions/create`, as("ada"), { name: "iris", username: "bob", permission: "NO_PERMISSIONS" });
    expect((await api("GET", `${MLFLOW}/registered-models/get?name=iris`, as("bob"))).status).toBe(403);
    expect((await api("POST", `${MLFLOW}/registered-models/rename`, as("ada"), { name: "iris", new_name: "iris-v2" })).status).toBe(200);
    expect((await api("GET", `${MLFLOW}/registered-models/get?name=iris-v2`, as("bob"))).status).toBe(403);
    expect((await api("GET", `${MLFLOW}/registered-models/permissions/get?name=iris-v2&username=ada`, as("ada"))).body).toEqual({
      registered_model_permission: { name: "iris-v2", user_id: 2, permission: "MANAGE" },
    });
    expect((await api("GET", `${MLFLOW}/registered-models/permissions/get?name=iris&username=ada`, root)).status).toBe(404);
    const user = await api("GET", `${MLFLOW}/users/get?username=bob`, as("bob"));
    expect((user.body.user as { registered_model_permissions: unknown }).registered_model_permissions).toEqual([
      { name: "iris-v2", user_id: 3, permission: "NO_PERMISSIONS" },
    ]);
    // Searches show bob only what he may read.
    const models = await api("GET", `${MLFLOW}/registered-models/search`, as("bob"));
    expect((models.body.registered_models as Array<{ name: string }> | undefined)?.map((m) => m.name) ?? []).not.toContain("iris-v2");
    expect(((await api("GET", `${MLFLOW}/registered-models/search`, as("ada"))).body.registered_models as Array<{ name: string }>).map((m) => m.name)).toContain("iris-v2");
  });

  it("shows in experiment searches only the experiments a user may read", async () => {
    const hidden = (await api("POST", `${MLFLOW}/experiments/create`, as("ada"), { name: "hidden-exp" })).body.experiment_id as string;
    await api("POST", `${MLFLOW}/experiments/permissions/create`, as("ada"), { experiment_id: hidden, username: "bob", permission: "NO_PERMISSIONS" });
    const names = async (user: string): Promise<string[]> =>
      ((await api("POST", `${MLFLOW}/experiments/search`, as(user), { max_results: 1000 })).body.experiments as Array<{ name: string }>).map((e) => e.name);
    expect(await names("bob")).not.toContain("hidden-exp");
    expect(await names("ada")).toContain("hidden-exp");
    // A search naming the hidden experiment is refused rather than silently emptied.
    expect((await api("POST", `${MLFLOW}/runs/search`, as("bob"), { experiment_ids: [hidden] })).status).toBe(403);
  });

  it("lets a version be registered only from files its author may read", async () => {
    const secret = (await api("POST", `${MLFLOW}/experiments/create`, as("ada"), { name: "secret-exp" })).body.experiment_id as string;
    await api("POST", `${MLFLOW}/experiments/permissions/create`, as("ada"), { experiment_id: secret, username: "bob", permission: "NO_PERMISSIONS" });
    const run = ((await api("POST", `${MLFLOW}/runs/create`, as("ada"), { experiment_id: secret })).body.run as { info: { run_id: string } }).info.run_id;
    expect((await api("POST", `${MLFLOW}/registered-models/create`, as("bob"), { name: "bobs" })).status).toBe(200);
    for (const [source, need] of [
      [`runs:/${run}/model`, `READ on experiment '${secret}'`],
      [`mlflow-artifacts:/${secret}/${run}/artifacts/model`, `READ on experiment '${secret}'`],
    ] as const) {
      const refused = await api("POST", `${MLFLOW}/model-versions/create`, as("bob"), { name: "bobs", source });
      expect(refused.body).toEqual({ error_code: "PERMISSION_DENIED", message: `Permission denied: POST /api/2.0/mlflow/model-versions/create needs ${need}` });
    }
    const outside = await api("POST", `${MLFLOW}/model-versions/create`, as("bob"), { name: "bobs", source: "mlflow-artifacts:/models/m" });
    expect(outside.body).toMatchObject({ error_code: "PERMISSION_DENIED", message: "Permission denied: registering files outside every experiment's folder needs an administrator (POST /api/2.0/mlflow/model-versions/create)" });
    expect((await api("GET", `${MLFLOW}/registered-models/get?name=bobs`, as("bob"))).body.registered_model).toMatchObject({ latest_versions: [] });
  });

  it("never passes an unknown or malformed resource: the route's own 404 or 400", async () => {
    const unknown = await api("GET", `${MLFLOW}/runs/get?run_id=${"a".repeat(32)}`, as("bob"));
    expect(unknown).toMatchObject({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Run with id=${"a".repeat(32)} not found` } });
    expect((await api("POST", `${MLFLOW}/runs/log-metric`, as("bob"), { run_id: "../../x", key: "m", value: 1, timestamp: 1 })).status).toBe(400);
    expect((await api("POST", `${MLFLOW}/runs/log-metric`, as("bob"), { key: "m", value: 1, timestamp: 1 })).body).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE" });
    // An unknown route is MLflow's ENDPOINT_NOT_FOUND for everyone (clients fall back from v3 to v2 on it), not a 403.
    expect((await api("POST", "/api/3.0/mlflow/runs/search", as("bob"), { experiment_ids: ["0"] })).body).toMatchObject({ error_code: "ENDPOINT_NOT_FOUND" });
    // A label for a request no deployment logged cannot be tied to a model: administrators only.
    expect((await api("POST", `${CAIRN}/serving/labels`, as("ada"), { request_id: "never-logged", label: 1 })).status).toBe(403);
    // The whole prediction log (no deployment named) and the audit trail are administrators'.
    expect((await api("GET", `${CAIRN}/serving/predictions`, as("ada"))).status).toBe(403);
    expect((await api("GET", `${CAIRN}/audit/verify`, as("ada"))).status).toBe(403);
    expect((await api("GET", `${CAIRN}/audit/verify`, root)).status).toBe(200);
  });

  it("refuses the issue's artifact wipe: anonymous 401, a reader 403, and the file stays", async () => {
    const exp = (await api("POST", `${MLFLOW}/experiments/create`, as("ada"), { name: "artifacts-exp" })).body.experiment_id as string;
    const file = `${server.url}/api/2.0/mlflow-artifacts/artifacts/${exp}/keep.txt`;
    expect((await fetch(file, { method: "PUT", headers: as("ada"), body: "keep" })).status).toBe(200);
    expect((await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${exp}`, { method: "DELETE" })).status).toBe(401);
    expect((await fetch(file, { method: "DELETE", headers: as("bob") })).status).toBe(403);
    expect((await fetch(file, { method: "PUT", headers: as("bob"), body: "overwritten" })).status).toBe(403);
    const kept = await fetch(file, { headers: as("bob") });
    expect([kept.status, await kept.text()]).toEqual([200, "keep"]);
    // Outside every experiment's folder only administrators read or write.
    expect((await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/models/x.bin`, { method: "PUT", headers: as("ada"), body: "x" })).status).toBe(403);
    expect((await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts`, { headers: as("ada") })).status).toBe(403);
  });

  it("forgets a deleted user's grants, and audits grants with the authenticated actor", async () => {
    await api("POST", `${MLFLOW}/users/create`, root, { username: "carol", password: "carol-password-0001" });
    const id = (await api("POST", `${MLFLOW}/experiments/create`, as("ada"), { name: "carol-exp" })).body.experiment_id as string;
    await api("POST", `${MLFLOW}/experiments/permissions/create`, as("ada"), { experiment_id: id, username: "carol", permission: "MANAGE" });
    expect((await api("DELETE", `${MLFLOW}/users/delete`, root, { username: "carol" })).status).toBe(200);
    await api("POST", `${MLFLOW}/users/create`, root, { username: "carol", password: "carol-password-0001" });
    expect((await api("GET", `${MLFLOW}/experiments/permissions/get?experiment_id=${id}&username=carol`, root)).status).toBe(404);
    const events = await api("GET", `${CAIRN}/audit/events?action=auth.experiment_permission.create&entity_id=${id}`, root);
    expect((events.body.events as Array<{ actor: unknown; after: unknown }>).map((event) => [event.actor, event.after])).toEqual([
      [{ name: "ada", verified: true }, { username: "ada", permission: "MANAGE" }],
      [{ name: "ada", verified: true }, { username: "carol", permission: "MANAGE" }],
    ]);
  });
});
