import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AUDIT_NOW, startAuditApp, type AuditTestApp } from "../src/audit/test-support/audit-app.js";
import { metricRowText, paramRowText, sumOfRows, tagRowText } from "../src/audit/run-data-digest.js";

/**
 * Every tracking write through the HTTP API appends exactly one audit event, with the actor the client declared
 * (x-cairn-user, else basic auth, else the run's user for run writes, else anonymous; never verified) and the
 * request id; failed writes append nothing. Except a run's metric, param and tag writes (issue 14 part 6): those
 * are summed into digest events (every N writes, every T seconds, at the run's end).
 */
let t: AuditTestApp;
beforeEach(async () => {
  t = await startAuditApp();
});
afterEach(async () => t.close());

const ANON = { name: "anonymous", verified: false };
const who = (name: string) => ({ name, verified: false });
const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:secret`).toString("base64")}` });

const mlflow = async (path: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const response = await t.call("POST", `mlflow/${path}`, payload, headers);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};

/** Every event, oldest first, without the hashes (checked by verify), request ids kept. */
const events = async () => {
  const { status, body } = await t.call("GET", "cairn/audit/events", { max_results: "1000" });
  expect(status).toBe(200);
  for (const event of body.events) {
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(event.prev_hash).toMatch(/^[0-9a-f]{64}$/);
  }
  return (body.events as Array<Record<string, unknown>>).map(({ hash: _h, prev_hash: _p, ...rest }) => rest);
};

const lastEvent = async () => (await events()).at(-1);

describe("auditing tracking writes", () => {
  it("records experiment writes with before/after snapshots, actor and request id", async () => {
    await mlflow("experiments/create", { name: "churn", tags: [{ key: "team", value: "ml" }] }, { "x-cairn-user": "ada", "x-request-id": "req-1" });
    await mlflow("experiments/update", { experiment_id: "1", new_name: "churn-v2" }, { ...basic("carol"), "x-request-id": "req-2" });
    await mlflow("experiments/set-experiment-tag", { experiment_id: "1", key: "team", value: "ai" }, { "x-request-id": "req-3" });
    await mlflow("experiments/set-experiment-tag", { experiment_id: "1", key: "new", value: "x" }, { "x-request-id": "req-4" });
    await mlflow("experiments/delete-experiment-tag", { experiment_id: "1", key: "new" }, { "x-request-id": "req-5" });
    await mlflow("experiments/delete", { experiment_id: "1" }, { "x-cairn-user": "ada", "x-request-id": "req-6" });
    await mlflow("experiments/restore", { experiment_id: "1" }, { "x-cairn-user": "ada", "x-request-id": "req-7" });
    const entity = { entity_type: "experiment", entity_id: "1" };
    expect(await events()).toEqual([
      { seq: 1, time: AUDIT_NOW, actor: who("ada"), action: "tracking.experiment.create", ...entity, before: null,
        after: { name: "churn", artifact_location: "mlflow-artifacts:/1", tags: { team: "ml" } }, request_id: "req-1" },
      { seq: 2, time: AUDIT_NOW + 1, actor: who("carol"), action: "tracking.experiment.rename", ...entity,
        before: { name: "churn" }, after: { name: "churn-v2" }, request_id: "req-2" },
      { seq: 3, time: AUDIT_NOW + 2, actor: ANON, action: "tracking.experiment_tag.set", ...entity,
        before: { key: "team", value: "ml" }, after: { key: "team", value: "ai" }, request_id: "req-3" },
      { seq: 4, time: AUDIT_NOW + 3, actor: ANON, action: "tracking.experiment_tag.set", ...entity,
        before: null, after: { key: "new", value: "x" }, request_id: "req-4" },
      { seq: 5, time: AUDIT_NOW + 4, actor: ANON, action: "tracking.experiment_tag.delete", ...entity,
        before: { key: "new", value: "x" }, after: null, request_id: "req-5" },
      { seq: 6, time: AUDIT_NOW + 5, actor: who("ada"), action: "tracking.experiment.delete", ...entity,
        before: { lifecycle_stage: "active" }, after: { lifecycle_stage: "deleted" }, request_id: "req-6" },
      { seq: 7, time: AUDIT_NOW + 6, actor: who("ada"), action: "tracking.experiment.restore", ...entity,
        before: { lifecycle_stage: "deleted" }, after: { lifecycle_stage: "active" }, request_id: "req-7" },
    ]);
    expect((await t.call("GET", "cairn/audit/verify")).body).toEqual({ ok: true, checked: 7 });
  });

  it("records run writes; without a declared user the run's user_id is the (unverified) actor", async () => {
    const run = (await mlflow("runs/create", { experiment_id: "0", user_id: "dan", run_name: "r", start_time: 5 }, { "x-request-id": "c" })).run;
    const runId = run.info.run_id as string;
    const entity = { entity_type: "run", entity_id: runId };
    expect(await events()).toEqual([
      { seq: 1, time: AUDIT_NOW, actor: who("dan"), action: "tracking.run.create", ...entity, before: null, request_id: "c",
        after: { experiment_id: "0", run_name: "r", user_id: "dan", status: "RUNNING", start_time: 5, tags: { "mlflow.runName": "r" } } },
    ]);

    // Metric, param and tag writes append no event each: they are summed into the run's pending data digest.
    await mlflow("runs/log-metric", { run_id: runId, key: "loss", value: 0.5, timestamp: 1, step: 0 }, { "x-request-id": "m" });
    await mlflow("runs/log-parameter", { run_id: runId, key: "lr", value: "0.1" }, { "x-cairn-user": "eve", "x-request-id": "p" });
    await mlflow("runs/set-tag", { run_id: runId, key: "stage", value: "dev" }, { ...basic("fay"), "x-request-id": "t" });
    const metrics = Array.from({ length: 26 }, (_, i) => ({ key: `k${String(i).padStart(2, "0")}`, value: i, timestamp: 1, step: 0 }));
    metrics.push({ key: "k00", value: 9, timestamp: 2, step: 1 });
    await mlflow("runs/log-batch", { run_id: runId, metrics, params: [{ key: "depth", value: "3" }], tags: [{ key: "a", value: "b" }] }, { "x-request-id": "b" });
    expect(await events()).toHaveLength(1);

    // A tag deletion stays an event of its own. (The audit clock ticks once per write: 4 ticks went to the digest.)
    await mlflow("runs/delete-tag", { run_id: runId, key: "a" }, { "x-request-id": "dt" });
    expect(await lastEvent()).toEqual({ seq: 2, time: AUDIT_NOW + 5, actor: who("dan"), action: "tracking.run_tag.delete", ...entity,
      before: { key: "a" }, after: null, request_id: "dt" });

    // The run's end appends its final digest, then the update: counts, keys, ranges and the content sum of every row.
    await mlflow("runs/update", { run_id: runId, status: "FINISHED", end_time: 99 }, { "x-request-id": "u" });
    const rows = [
      metricRowText("loss", 0.5, 1, 0),
      paramRowText("lr", "0.1"),
      tagRowText("stage", "dev"),
      ...metrics.map((m) => metricRowText(m.key, m.value, m.timestamp, m.step)),
      paramRowText("depth", "3"),
      tagRowText("a", "b"),
    ];
    expect((await events()).slice(-2)).toEqual([
      { seq: 3, time: AUDIT_NOW + 6, actor: who("dan"), action: "tracking.run.data_digest", ...entity, before: null, request_id: "b",
        after: { reason: "run_end", writes: 4, metrics: 28, params: 2, tags: 2,
          keys: ["m:loss", "p:lr", "t:stage", ...metrics.slice(0, 26).map((m) => `m:${m.key}`), "p:depth", "t:a"],
          step_range: [0, 1], timestamp_range: [1, 2], first_write_time: AUDIT_NOW + 1, last_write_time: AUDIT_NOW + 4,
          content_sum: sumOfRows(rows) } },
      { seq: 4, time: AUDIT_NOW + 7, actor: who("dan"), action: "tracking.run.update", ...entity,
        before: { status: "RUNNING", end_time: null, run_name: "r" }, after: { status: "FINISHED", end_time: 99, run_name: "r" }, request_id: "u" },
    ]);
    const at = (n: number) => ({ time: AUDIT_NOW + n + 3, seq: n });

    const dataset = { name: "train", digest: "abc", source_type: "local", source: "s3://b/train" };
    await mlflow("runs/log-inputs", { run_id: runId, datasets: [{ dataset, tags: [{ key: "mlflow.data.context", value: "training" }] }] }, { "x-request-id": "i" });
    expect(await lastEvent()).toEqual({ ...at(5), actor: who("dan"), action: "tracking.run.log_inputs", ...entity, before: null,
      after: { datasets: [{ name: "train", digest: "abc", tags: { "mlflow.data.context": "training" } }] }, request_id: "i" });

    const model = { artifact_path: "model", run_id: runId, utc_time_created: "2024-01-01 00:00:00", model_uuid: "u1",
      flavors: { python_function: { loader_module: "x" }, sklearn: { sklearn_version: "1" } } };
    await mlflow("runs/log-model", { run_id: runId, model_json: JSON.stringify(model) }, { "x-request-id": "lm" });
    expect(await lastEvent()).toEqual({ ...at(6), actor: who("dan"), action: "tracking.run.log_model", ...entity, before: null,
      after: { artifact_path: "model", model_uuid: "u1", flavors: ["python_function", "sklearn"] }, request_id: "lm" });

    await mlflow("runs/delete", { run_id: runId }, { "x-cairn-user": "gus", "x-request-id": "d" });
    await mlflow("runs/restore", { run_id: runId }, { "x-request-id": "r" });
    expect((await events()).slice(-2)).toEqual([
      { ...at(7), actor: who("gus"), action: "tracking.run.delete", ...entity, before: { lifecycle_stage: "active" },
        after: { lifecycle_stage: "deleted" }, request_id: "d" },
      { ...at(8), actor: who("dan"), action: "tracking.run.restore", ...entity, before: { lifecycle_stage: "deleted" },
        after: { lifecycle_stage: "active" }, request_id: "r" },
    ]);
    expect((await t.call("GET", "cairn/audit/verify")).body).toEqual({ ok: true, checked: 8 });
  });

  it("uses the declared user as user_id and actor of a run created without user_id, anonymous when none", async () => {
    const declared = (await mlflow("runs/create", {}, { "x-cairn-user": "hal" })).run;
    expect(declared.info.user_id).toBe("hal");
    const anonymous = (await mlflow("runs/create", {})).run;
    expect(anonymous.info.user_id).toBe("");
    await mlflow("runs/log-metric", { run_id: anonymous.info.run_id, key: "m", value: 1, timestamp: 1 });
    await mlflow("runs/update", { run_id: anonymous.info.run_id, status: "KILLED" });
    const all = await events();
    expect(all.map((e) => [e.action, e.actor])).toEqual([
      ["tracking.run.create", who("hal")],
      ["tracking.run.create", ANON],
      ["tracking.run.data_digest", ANON],
      ["tracking.run.update", ANON],
    ]);
  });

  it("takes the request id from x-request-id, else the generated one the response carries", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/2.0/mlflow/experiments/create",
      payload: JSON.stringify({ name: "generated" }),
      headers: { "content-type": "application/json" },
    });
    const requestId = response.headers["x-request-id"];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await lastEvent())?.request_id).toBe(requestId);
  });

  it("appends nothing for failed or empty writes", async () => {
    const runId = (await mlflow("runs/create", { user_id: "dan" })).run.info.run_id as string;
    await mlflow("runs/log-parameter", { run_id: runId, key: "p", value: "1" });
    const before = await events();
    const failures: Array<[string, Record<string, unknown>]> = [
      ["runs/log-parameter", { run_id: runId, key: "p", value: "2" }],
      ["runs/log-metric", { run_id: "f".repeat(32), key: "m", value: 1, timestamp: 1 }],
      ["runs/log-metric", { run_id: runId, key: "", value: 1, timestamp: 1 }],
      ["experiments/create", { name: "Default" }],
      ["experiments/restore", { experiment_id: "0" }],
      ["runs/update", { run_id: runId, status: "NOPE" }],
    ];
    for (const [path, payload] of failures) {
      expect((await t.call("POST", `mlflow/${path}`, payload)).status, path).toBeGreaterThanOrEqual(400);
    }
    await mlflow("runs/log-batch", { run_id: runId });
    await mlflow("runs/log-inputs", { run_id: runId, datasets: [] });
    expect(await events()).toEqual(before);
  });
});
