import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";

/**
 * The audit trail of a real server (every domain wired as `cairn server` wires it): tracking and registry writes
 * land in one verifiable chain, and an alias history is derived from the registry's alias events.
 */
let server: TempServer;
beforeAll(async () => {
  server = await startTempServer("cairn-audit-e2e-");
});
afterAll(async () => server.close());

const send = async (method: string, path: string, body: unknown, user?: string) => {
  const response = await fetch(`${server.url}/api/2.0/${path}`, {
    method,
    headers: { "content-type": "application/json", ...(user ? { "x-cairn-user": user } : {}), "x-request-id": `${method}.${path.replaceAll("/", ".")}.${user ?? "anon"}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return text === "" ? undefined : JSON.parse(text);
};
const get = async (path: string, query: Record<string, string> = {}): Promise<any> => {
  const response = await fetch(`${server.url}/api/2.0/cairn/${path}?${new URLSearchParams(query).toString()}`);
  expect(response.status).toBe(200);
  return response.json();
};

describe("audit trail of a running server", () => {
  it("chains tracking and registry writes and answers who moved champion from which version to which", async () => {
    const runId = (await send("POST", "mlflow/runs/create", { experiment_id: "0", user_id: "dan" })).run.info.run_id as string;
    await send("POST", "mlflow/runs/log-metric", { run_id: runId, key: "accuracy", value: 0.93, timestamp: 1 });
    await send("POST", "mlflow/registered-models/create", { name: "churn" }, "ada");
    for (let i = 0; i < 3; i++) {
      await send("POST", "mlflow/model-versions/create", { name: "churn", source: `runs:/${runId}/model`, run_id: runId }, "ada");
    }
    await send("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "1" }, "ada");
    await send("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "3" }, "bob");
    await send("POST", "mlflow/registered-models/alias", { name: "churn", alias: "challenger", version: "2" }, "bob");
    await send("DELETE", "mlflow/registered-models/alias", { name: "churn", alias: "champion" }, "cy");

    const history = await get("registered-models/alias-history", { name: "churn", alias: "champion" });
    expect(history.changes.map(({ time, ...rest }: { time: number }) => (expect(time).toBeGreaterThan(0), rest))).toEqual([
      { alias: "champion", from_version: null, to_version: "1", actor: { name: "ada", verified: false }, request_id: "POST.mlflow.registered-models.alias.ada" },
      { alias: "champion", from_version: "1", to_version: "3", actor: { name: "bob", verified: false }, request_id: "POST.mlflow.registered-models.alias.bob" },
      { alias: "champion", from_version: "3", to_version: null, actor: { name: "cy", verified: false }, request_id: "DELETE.mlflow.registered-models.alias.cy" },
    ]);
    expect((await get("registered-models/alias-history", { name: "churn" })).changes).toHaveLength(4);

    const all = await get("audit/events", { max_results: "1000" });
    const actions = all.events.map((e: { action: string; actor: { name: string } }) => `${e.action} by ${e.actor.name}`);
    // The metric is in the run's pending data digest (appended every N writes, T seconds, at the run's end), not an event.
    expect(actions.slice(0, 2)).toEqual(["tracking.run.create by dan", "registry.registered_model.create by ada"]);
    expect(actions.filter((a: string) => a.startsWith("registry.model_version.create"))).toEqual(Array(3).fill("registry.model_version.create by ada"));
    expect(actions.slice(-4)).toEqual([
      "registry.alias.set by ada",
      "registry.alias.set by bob",
      "registry.alias.set by bob",
      "registry.alias.delete by cy",
    ]);
    expect(await get("audit/verify")).toEqual({ ok: true, checked: all.events.length });
  });
});

describe("artifact writes in the audit trail", () => {
  it("records an upload with its size and a delete, with the declared actor, and nothing for a refused path", async () => {
    const base = `${server.url}/api/2.0/mlflow-artifacts/artifacts/0/run-x/artifacts/model.bin`;
    const upload = await fetch(base, { method: "PUT", headers: { "x-cairn-user": "eve", "x-request-id": "up-1" }, body: "12345" });
    expect(upload.status).toBe(200);
    const removed = await fetch(base, { method: "DELETE", headers: { "x-cairn-user": "eve", "x-request-id": "del-1" } });
    expect(removed.status).toBe(200);
    const refused = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/bad%00name.txt`, { method: "PUT", body: "x" });
    expect(refused.status).toBe(400);

    const events = (await get("audit/events", { action: "artifacts.*" })).events;
    expect(events.map((event: any) => [event.action, event.entity_type, event.entity_id, event.actor, event.after, event.request_id])).toEqual([
      ["artifacts.file.upload", "artifact", "0/run-x/artifacts/model.bin", { name: "eve", verified: false }, { bytes: 5, sha256: createHash("sha256").update("12345").digest("hex") }, "up-1"],
      ["artifacts.file.delete", "artifact", "0/run-x/artifacts/model.bin", { name: "eve", verified: false }, null, "del-1"],
    ]);
    expect((await get("audit/verify")).ok).toBe(true);
  });
});
