import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuditApp, type AuditTestApp } from "../src/audit/test-support/audit-app.js";
import { openWebhookNode, tempDbFile, type WebhookNode } from "../src/webhooks/test-support/webhook-kit.js";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { startTracingApp, TEST_TRACE_JSON_LIMIT, type TracingTestApp } from "../src/tracing/test-support/tracing-app.js";
import { ADMIN, basic, startAuthServer } from "../src/auth/test-support/auth-server.js";
import type { RunningServer } from "../src/server/start.js";

/**
 * A corpus of malformed requests against every tracking write endpoint (and the search filters): each must get a
 * 4xx in MLflow's error shape, never a 500, and must leave the stored data exactly as it was (audit log included).
 */
let audited: AuditTestApp;
let t: { app: AuditTestApp["app"]; call: (method: "GET" | "POST", path: string, payload?: Record<string, unknown>) => ReturnType<AuditTestApp["call"]> };
let runId = "";

const snapshot = async (): Promise<string> => {
  const run = await t.call("GET", "runs/get", { run_id: runId });
  const runs = await t.call("POST", "runs/search", { experiment_ids: ["0", "1"], run_view_type: "ALL" });
  const experiments = await t.call("POST", "experiments/search", { view_type: "ALL" });
  const history = await t.call("GET", "metrics/get-history", { run_id: runId, metric_key: "m" });
  const audit = await audited.call("GET", "cairn/audit/events", { max_results: "1000" });
  return JSON.stringify([run.body, runs.body, experiments.body, history.body, audit.body]);
};

beforeAll(async () => {
  audited = await startAuditApp();
  t = { app: audited.app, call: (method, path, payload) => audited.call(method, `mlflow/${path}`, payload) };
  await t.call("POST", "experiments/create", { name: "corpus", tags: [{ key: "k", value: "v" }] });
  const created = await t.call("POST", "runs/create", { experiment_id: "1", run_name: "target", user_id: "u" });
  runId = created.body.run.info.run_id;
  await t.call("POST", "runs/log-batch", {
    run_id: runId,
    metrics: [{ key: "m", value: 1.5, timestamp: 5, step: 1 }],
    params: [{ key: "p", value: "1" }],
    tags: [{ key: "t", value: "x" }],
  });
});
afterAll(async () => audited.close());

const WRITE_ENDPOINTS = [
  "experiments/create",
  "experiments/update",
  "experiments/delete",
  "experiments/restore",
  "experiments/set-experiment-tag",
  "experiments/delete-experiment-tag",
  "runs/create",
  "runs/update",
  "runs/delete",
  "runs/restore",
  "runs/log-metric",
  "runs/log-parameter",
  "runs/set-tag",
  "runs/delete-tag",
  "runs/log-batch",
  "runs/log-model",
  "runs/log-inputs",
] as const;

/** Raw bodies that no endpoint can accept. */
const rawBodies = (): [string, string][] => {
  const deepArray = "[".repeat(100_000) + "]".repeat(100_000);
  return [
    ["invalid JSON", "{"],
    ["truncated JSON", '{"run_id": "'],
    ["trailing garbage", '{"a": 1} x'],
    ["JSON array", "[]"],
    ["JSON number", "42"],
    ["JSON true", "true"],
    ["string holding invalid JSON", JSON.stringify("{not json")],
    ["string holding a string", JSON.stringify(JSON.stringify("x"))],
    ["100k nested arrays", deepArray],
    ["100k nested arrays in a field", `{"run_id": ${deepArray}, "experiment_id": ${deepArray}, "name": ${deepArray}}`],
    ["100k nested objects in a field", (() => {
      const deepObject = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
      return `{"run_id": ${deepObject}, "experiment_id": ${deepObject}, "name": ${deepObject}}`;
    })()],
    ["body over 2 MB", JSON.stringify({ run_id: "x", name: "n", value: "v".repeat(2_200_000) })],
    ["lone surrogate escapes", '{"name": "\\ud800", "key": "\\udfff", "run_id": "\\ud800", "experiment_id": "\\ud800", "run_name": "\\udfff"}'],
  ];
};

/** Field-level cases: merged with a valid run_id / experiment_id so that the field itself is what fails. */
const fieldCases = (): [string, Record<string, unknown>, string[]?][] => [
  ["run_id as number", { run_id: 123, experiment_id: 0 }],
  ["run_id as object", { run_id: { $ne: null }, experiment_id: { $gt: "" } }],
  ["run_id as list of lists", { run_id: [["x"]], experiment_id: [["0"]] }],
  ["run id with traversal", { run_id: "../../etc/passwd", experiment_id: "../0" }],
  ["run id with SQL", { run_id: "x' OR '1'='1", experiment_id: "0 OR 1=1" }],
  ["empty key", { key: "", name: "" }],
  ["key as number", { key: 1, name: 1 }],
  ["key with NUL", { key: "a\u0000b", name: "" }],
  ["key with quotes", { key: "a'\"b`", name: "" }],
  ["key with emoji", { key: "😀", name: "" }],
  ["key with traversal", { key: "../../x", name: "" }],
  ["key too long", { key: "k".repeat(251), name: "n".repeat(501) }],
  ["timestamp overflow", { key: "m", value: 1, timestamp: "9223372036854775808", start_time: "9223372036854775808", end_time: "9223372036854775808" }],
  ["timestamp below int64", { key: "m", value: 1, timestamp: "-9223372036854775809", start_time: "-9223372036854775809", end_time: "-9223372036854775809" }],
  ["timestamp 1e300", { key: "m", value: 1, timestamp: 1e300, start_time: 1e300, end_time: 1e300 }],
  ["timestamp NaN", { key: "m", value: 1, timestamp: "NaN", start_time: "NaN", end_time: "NaN" }],
  ["timestamp fractional", { key: "m", value: 1, timestamp: 1.5, start_time: 1.5, end_time: 1.5 }],
  ["timestamp boolean", { key: "m", value: 1, timestamp: true, start_time: true, end_time: true }],
  ["value as object", { key: "m", value: {}, timestamp: 1, status: {} }],
  ["value as boolean", { key: "m", value: true, timestamp: 1, status: true }],
  // A text value is fine for tags and params; only metrics and run status must refuse it.
  ["value as text", { key: "m", value: "abc", timestamp: 1, status: "abc" }, ["runs/log-metric", "runs/update"]],
  ["step Infinity", { key: "m", value: 1, timestamp: 1, step: "Infinity", status: "Infinity" }],
  ["tags not a list", { tags: "x", metrics: "x", params: {}, datasets: "x", name: "n" }],
  ["tags of numbers", { tags: [1, 2], metrics: [1], params: [null], datasets: [1], name: "n" }],
  ["tags missing keys", { tags: [{ value: "v" }], metrics: [{ value: 1, timestamp: 1 }], params: [{ value: "v" }], datasets: [{}], name: "n" }],
  ["model json not JSON", { model_json: "{", key: "" }],
  ["model json a list", { model_json: "[1, 2]", key: "" }],
  ["model json a string", { model_json: 5, key: "" }],
];

/**
 * A refusal over HTTP: a 4xx (or exactly `status`) whose body is MLflow's error shape and nothing else, its message
 * containing `mentions` and its code `code` when given.
 */
const expectRefusal = (label: string, answer: { status: number; text: string }, expected: { mentions?: string; code?: string; status?: number } = {}): void => {
  const context = `${label}: ${answer.status} ${answer.text.slice(0, 400)}`;
  if (expected.status !== undefined) expect(answer.status, context).toBe(expected.status);
  expect(answer.status, context).toBeGreaterThanOrEqual(400);
  expect(answer.status, context).toBeLessThan(500);
  const parsed = JSON.parse(answer.text) as Record<string, unknown>;
  expect(Object.keys(parsed).sort(), context).toEqual(["error_code", "message"]);
  if (expected.code !== undefined) expect(parsed.error_code, context).toBe(expected.code);
  if (expected.mentions !== undefined) expect(String(parsed.message), context).toContain(expected.mentions);
};

const assertMlflowError = (label: string, response: { statusCode: number; body: string }): void => {
  const context = `${label}: ${response.statusCode} ${response.body.slice(0, 200)}`;
  expect(response.statusCode, context).toBeGreaterThanOrEqual(400);
  expect(response.statusCode, context).toBeLessThan(500);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(typeof body.error_code, context).toBe("string");
  expect(typeof body.message, context).toBe("string");
};

describe("malformed requests", () => {
  it("answers every malformed raw body on every write endpoint with a 4xx and changes nothing", async () => {
    const before = await snapshot();
    for (const endpoint of WRITE_ENDPOINTS) {
      for (const [label, payload] of rawBodies()) {
        const response = await t.app.inject({
          method: "POST",
          url: `/api/2.0/mlflow/${endpoint}`,
          payload,
          headers: { "content-type": "application/json" },
        });
        assertMlflowError(`${endpoint} ${label}`, response);
      }
    }
    expect(await snapshot()).toBe(before);
  }, 120_000);

  it("answers every malformed field on every write endpoint with a 4xx and changes nothing", async () => {
    const before = await snapshot();
    for (const endpoint of WRITE_ENDPOINTS) {
      for (const [label, fields, onlyFor] of fieldCases()) {
        if (onlyFor && !onlyFor.includes(endpoint)) continue;
        // The target run and experiment are real, so the malformed field is what must be refused.
        const payload = { run_id: runId, experiment_id: "1", ...fields };
        if (endpoint === "runs/delete" || endpoint === "runs/restore" || endpoint.startsWith("experiments/delete") || endpoint === "experiments/restore") {
          // These take only ids; give them only the malformed ids, which must fail.
          if (!("run_id" in fields)) continue;
        }
        // A field the endpoint does not read is ignored, as protobuf parsing does: not a malformed request there.
        if (!Object.keys(fields).some((field) => ENDPOINT_FIELDS[endpoint].includes(field))) continue;
        const response = await t.app.inject({
          method: "POST",
          url: `/api/2.0/mlflow/${endpoint}`,
          payload: JSON.stringify(payload),
          headers: { "content-type": "application/json" },
        });
        assertMlflowError(`${endpoint} ${label}`, response);
      }
    }
    expect(await snapshot()).toBe(before);
  }, 120_000);

  it("refuses SQL metacharacters and quotes in search filters and order_by with a 4xx", async () => {
    const before = await snapshot();
    const filters = [
      "metrics.m = 1; DROP TABLE runs",
      "tags.`x' OR 1=1 --` = 'a' OR",
      "params.p = 'unterminated",
      "attributes.run_id IN ('a', ",
      "metrics.m >",
      "'1'='1'",
      "metrics.\"m\" = 1 --",
      "a".repeat(20_000),
      "(".repeat(10_000),
    ];
    for (const filter of filters) {
      const response = await t.app.inject({
        method: "POST",
        url: "/api/2.0/mlflow/runs/search",
        payload: JSON.stringify({ experiment_ids: ["1"], filter }),
        headers: { "content-type": "application/json" },
      });
      assertMlflowError(`runs/search ${filter.slice(0, 40)}`, response);
    }
    for (const filter of ["name = 'a' OR 1=1", "name = 'x'; DELETE FROM experiments", "tags.`k = 'v'", "creation_time > 'abc'"]) {
      const response = await t.app.inject({
        method: "POST",
        url: "/api/2.0/mlflow/experiments/search",
        payload: JSON.stringify({ filter }),
        headers: { "content-type": "application/json" },
      });
      assertMlflowError(`experiments/search ${filter}`, response);
    }
    const orderBy = await t.app.inject({
      method: "POST",
      url: "/api/2.0/mlflow/runs/search",
      payload: JSON.stringify({ experiment_ids: ["1"], order_by: ["metrics.m; DROP TABLE runs"] }),
      headers: { "content-type": "application/json" },
    });
    assertMlflowError("runs/search order_by", orderBy);
    const maxResults = await t.app.inject({ method: "GET", url: "/api/2.0/mlflow/runs/search?experiment_ids=1&max_results=1e300" });
    assertMlflowError("runs/search max_results", maxResults);
    expect(await snapshot()).toBe(before);
  });

  it("ignores unknown fields, as MLflow's protobuf parsing does", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/2.0/mlflow/runs/set-tag",
      payload: JSON.stringify({ run_id: runId, key: "extra", value: "1", unknown_field: { nested: [1, 2] } }),
      headers: { "content-type": "application/json" },
    });
    expect(response.statusCode).toBe(200);
    const tags = (await t.call("GET", "runs/get", { run_id: runId })).body.run.data.tags;
    expect(tags).toContainEqual({ key: "extra", value: "1" });
    await t.call("POST", "runs/delete-tag", { run_id: runId, key: "extra" });
  });
});

/** Fields each endpoint reads; a malformed value in any other field is ignored. */
const ENDPOINT_FIELDS: Record<(typeof WRITE_ENDPOINTS)[number], string[]> = {
  "experiments/create": ["name", "artifact_location", "tags"],
  "experiments/update": ["experiment_id", "new_name"],
  "experiments/delete": ["experiment_id"],
  "experiments/restore": ["experiment_id"],
  "experiments/set-experiment-tag": ["experiment_id", "key", "value"],
  "experiments/delete-experiment-tag": ["experiment_id", "key"],
  "runs/create": ["experiment_id", "user_id", "run_name", "start_time", "tags"],
  "runs/update": ["run_id", "status", "end_time", "run_name"],
  "runs/delete": ["run_id"],
  "runs/restore": ["run_id"],
  "runs/log-metric": ["run_id", "key", "value", "timestamp", "step"],
  "runs/log-parameter": ["run_id", "key", "value"],
  "runs/set-tag": ["run_id", "key", "value"],
  "runs/delete-tag": ["run_id", "key"],
  "runs/log-batch": ["run_id", "metrics", "params", "tags"],
  "runs/log-model": ["run_id", "model_json"],
  "runs/log-inputs": ["run_id", "datasets"],
};

/**
 * MLflow's webhook API (/api/2.0/mlflow/webhooks[/{webhook_id}[/test]]): malformed ids, event enums, URLs and
 * oversize fields are each a 4xx in MLflow's error shape naming the field, and change nothing (webhooks, deliveries,
 * audit trail).
 */
describe("malformed requests to MLflow's webhook API", () => {
  let node: WebhookNode;
  let removeFile: () => void;
  let hookId = "";
  const base = { name: "ci", url: "https://ci.example.com/hook", events: [{ entity: "MODEL_VERSION", action: "CREATED" }] };

  beforeAll(async () => {
    const temp = tempDbFile();
    removeFile = temp.remove;
    node = await openWebhookNode(temp.file);
    hookId = (await node.callMlflow("POST", "webhooks", base)).body.webhook.webhook_id;
  });
  afterAll(async () => {
    await node.close();
    removeFile();
  });

  const webhookSnapshot = async (): Promise<string> => {
    const webhooks = await node.call("GET", "webhooks/list");
    const deliveries = await node.call("GET", "webhooks/deliveries", { max_results: "1000" });
    return JSON.stringify([webhooks.body, deliveries.body, node.audit.entries]);
  };
  const send = (method: "GET" | "POST" | "PATCH" | "DELETE", path: string, payload?: string, query = "") =>
    node.app.inject({
      method,
      url: `/api/2.0/mlflow/${path}${query}`,
      ...(payload !== undefined ? { payload, headers: { "content-type": "application/json" } } : {}),
    });
  const expectNamed = (label: string, response: { statusCode: number; body: string }, field: string | RegExp): void => {
    assertMlflowError(label, response);
    const message = (JSON.parse(response.body) as { message: string }).message;
    if (typeof field === "string") expect(message, label).toContain(field);
    else expect(message, label).toMatch(field);
  };

  it("refuses malformed create bodies and fields, naming the field", async () => {
    const before = await webhookSnapshot();
    for (const [label, payload] of rawBodies()) assertMlflowError(`create ${label}`, await send("POST", "webhooks", payload));
    const event = (entity: unknown, action: unknown) => ({ ...base, events: [{ entity, action }] });
    const cases: [string, Record<string, unknown>, string | RegExp][] = [
      ["no name", { url: base.url, events: base.events }, "'name'"],
      ["name not a string", { ...base, name: 7 }, "'name'"],
      ["name oversize", { ...base, name: "n".repeat(300) }, "'name'"],
      ["no url", { name: "x", events: base.events }, "'url'"],
      ["ftp url", { ...base, url: "ftp://ci.example.com/x" }, "'url'"],
      ["file url", { ...base, url: "file:///etc/passwd" }, "'url'"],
      ["url with credentials", { ...base, url: "https://user:pw@ci.example.com/" }, "'url'"],
      ["relative url", { ...base, url: "/hook" }, "'url'"],
      ["url oversize", { ...base, url: `https://ci.example.com/${"a".repeat(3000)}` }, "'url'"],
      // SSRF: internal and metadata targets (the test node allowlists loopback only, as test servers do).
      ["metadata address url", { ...base, url: "http://169.254.169.254/latest/meta-data/" }, "'url'"],
      ["metadata name url", { ...base, url: "https://metadata.google.internal/" }, "'url'"],
      ["private address url", { ...base, url: "https://10.0.0.1/" }, "'url'"],
      ["IPv6 link-local url", { ...base, url: "https://[fe80::1]/" }, "'url'"],
      ["plain http to a public name", { ...base, url: "http://ci.example.com/x" }, "'url'"],
      ["no events", { name: "x", url: base.url }, "'events'"],
      ["empty events", { ...base, events: [] }, "'events'"],
      ["events not a list", { ...base, events: "MODEL_VERSION.CREATED" }, "'events'"],
      ["event a string", { ...base, events: ["model_version.created"] }, "'events[0]'"],
      ["unknown entity", event("RUN", "CREATED"), "'events[0].entity'"],
      ["unknown action", event("MODEL_VERSION", "EXPLODED"), "'events[0].action'"],
      ["unspecified entity", event("ENTITY_UNSPECIFIED", "CREATED"), "'events[0].entity'"],
      ["entity number 0", event(0, "CREATED"), "'events[0].entity'"],
      ["entity number out of range", event(42, "CREATED"), "'events[0].entity'"],
      ["lower-case entity", event("model_version", "created"), "'events[0].entity'"],
      ["invalid pair", event("REGISTERED_MODEL", "SET"), /Invalid action 'set' for entity 'registered_model' in 'events\[0\]'/],
      ["missing action", { ...base, events: [{ entity: "MODEL_VERSION" }] }, "'events[0].action'"],
      ["event with nested junk", { ...base, events: [{ entity: { $gt: "" }, action: "CREATED" }] }, "'events[0].entity'"],
      ["too many events", { ...base, events: Array.from({ length: 101 }, () => base.events[0]) }, "'events'"],
      ["description oversize", { ...base, description: "d".repeat(1001) }, "'description'"],
      ["description not a string", { ...base, description: ["x"] }, "'description'"],
      ["secret oversize", { ...base, secret: "s".repeat(257) }, "'secret'"],
      ["secret not a string", { ...base, secret: 12345 }, "'secret'"],
      ["unknown status", { ...base, status: "PAUSED" }, "'status'"],
      ["status DELETED (not in 3.x)", { ...base, status: "DELETED" }, "'status'"],
    ];
    for (const [label, payload, field] of cases) expectNamed(`create ${label}`, await send("POST", "webhooks", JSON.stringify(payload)), field);
    expect(await webhookSnapshot()).toBe(before);
  }, 60_000);

  it("refuses malformed and hostile webhook ids on every route, naming webhook_id; a well-formed unknown id is RESOURCE_DOES_NOT_EXIST", async () => {
    const before = await webhookSnapshot();
    const badIds = ["nope", "..%2F..%2Fetc%2Fpasswd", hookId.toUpperCase(), `${hookId}0`, `m-${hookId}`, `tr-${hookId}`, "%00", "a".repeat(90)];
    for (const id of badIds) {
      expectNamed(`get ${id.slice(0, 20)}`, await send("GET", `webhooks/${id}`), "'webhook_id'");
      expectNamed(`update ${id.slice(0, 20)}`, await send("PATCH", `webhooks/${id}`, JSON.stringify({ name: "x" })), "'webhook_id'");
      expectNamed(`delete ${id.slice(0, 20)}`, await send("DELETE", `webhooks/${id}`), "'webhook_id'");
      expectNamed(`test ${id.slice(0, 20)}`, await send("POST", `webhooks/${id}/test`, "{}"), "'webhook_id'");
    }
    // A dot-segment id is resolved away by URL normalisation before routing, and a path parameter over fastify's
    // length limit is refused before routing: no route sees them, and the answer is still a 4xx in MLflow's shape.
    for (const id of ["%2e%2e", "..", "a".repeat(5000)]) {
      assertMlflowError(`get ${id}`, await send("GET", `webhooks/${id}`));
      assertMlflowError(`delete ${id}`, await send("DELETE", `webhooks/${id}`));
      assertMlflowError(`test ${id}`, await send("POST", `webhooks/${id}/test`, "{}"));
    }
    const unknown = "0".repeat(32);
    for (const response of [
      await send("GET", `webhooks/${unknown}`),
      await send("PATCH", `webhooks/${unknown}`, JSON.stringify({ name: "x" })),
      await send("DELETE", `webhooks/${unknown}`),
      await send("POST", `webhooks/${unknown}/test`, "{}"),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(JSON.parse(response.body)).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: `Webhook with id '${unknown}' not found.` });
    }
    // An unknown route below webhooks stays ENDPOINT_NOT_FOUND.
    const elsewhere = await send("POST", `webhooks/${hookId}/explode`, "{}");
    expect(elsewhere.statusCode).toBe(404);
    expect(JSON.parse(elsewhere.body).error_code).toBe("ENDPOINT_NOT_FOUND");
    expect(await webhookSnapshot()).toBe(before);
  }, 60_000);

  it("refuses malformed updates, test events and list paging, naming the field", async () => {
    const before = await webhookSnapshot();
    for (const [label, payload] of rawBodies()) assertMlflowError(`update ${label}`, await send("PATCH", `webhooks/${hookId}`, payload));
    const updates: [string, Record<string, unknown>, string | RegExp][] = [
      ["unknown entity", { events: [{ entity: "EXPERIMENT", action: "CREATED" }] }, "'events[0].entity'"],
      ["invalid pair", { events: [{ entity: "PROMPT_ALIAS", action: "SET" }] }, /Invalid action 'set' for entity 'prompt_alias'/],
      ["bad url", { url: "gopher://ci.example.com" }, "'url'"],
      ["name oversize", { name: "n".repeat(300) }, "'name'"],
      ["status number out of range", { status: 9 }, "'status'"],
      ["secret oversize", { secret: "s".repeat(257) }, "'secret'"],
      ["description oversize", { description: "d".repeat(1001) }, "'description'"],
    ];
    for (const [label, payload, field] of updates) {
      expectNamed(`update ${label}`, await send("PATCH", `webhooks/${hookId}`, JSON.stringify(payload)), field);
    }
    const tests: [string, Record<string, unknown>, string | RegExp][] = [
      ["unknown entity", { event: { entity: "RUN", action: "CREATED" } }, "'event.entity'"],
      ["invalid pair", { event: { entity: "MODEL_VERSION", action: "DELETED" } }, /Invalid action 'deleted' for entity 'model_version' in 'event'/],
      ["event not an object", { event: "MODEL_VERSION.CREATED" }, "'event'"],
    ];
    for (const [label, payload, field] of tests) {
      expectNamed(`test ${label}`, await send("POST", `webhooks/${hookId}/test`, JSON.stringify(payload)), field);
    }
    for (const [label, query, field] of [
      ["max_results 0", "?max_results=0", "'max_results'"],
      ["max_results over 1000", "?max_results=1001", "'max_results'"],
      ["max_results not a number", "?max_results=abc", "'max_results'"],
      ["max_results huge", "?max_results=1e300", "'max_results'"],
      ["page_token garbage", "?page_token=garbage", "page_token"],
      ["page_token of another list", `?page_token=${Buffer.from("[1]").toString("base64url")}`, "page_token"],
    ] as const) {
      expectNamed(`list ${label}`, await send("GET", "webhooks", undefined, query), field);
    }
    expect(await webhookSnapshot()).toBe(before);
  }, 60_000);
});

/**
 * MLflow 3's logged-model routes and runs/outputs, on a real server (full composition): every malformed id, path,
 * filter and payload is a 4xx in MLflow's error shape naming what is wrong, and nothing stored changes.
 */
describe("malformed requests to the logged-model routes", () => {
  let server: TempServer;
  let experimentId = "";
  let lmRunId = "";
  let modelId = "";
  const missingModel = `m-${"0".repeat(32)}`;

  const send = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };

  const refused = async (label: string, method: string, path: string, body?: unknown, mentions?: string): Promise<void> =>
    expectRefusal(label, await send(method, path, body), { ...(mentions !== undefined ? { mentions } : {}) });

  const snapshot = async (): Promise<string> => {
    const parts = await Promise.all([
      send("GET", `logged-models/${modelId}`),
      send("POST", "logged-models/search", { experiment_ids: [experimentId, "0"], max_results: 1000 }),
      send("GET", `runs/get?run_id=${lmRunId}`),
      fetch(`${server.url}/api/2.0/cairn/audit/events?max_results=1000`).then((response) => response.text()),
    ]);
    return JSON.stringify(parts.map((part) => (typeof part === "string" ? part : part.text)));
  };

  beforeAll(async () => {
    server = await startTempServer("cairn-malformed-lm-");
    const created = await send("POST", "experiments/create", { name: "lm-corpus" });
    experimentId = (JSON.parse(created.text) as { experiment_id: string }).experiment_id;
    const run = await send("POST", "runs/create", { experiment_id: experimentId, user_id: "u" });
    lmRunId = (JSON.parse(run.text) as { run: { info: { run_id: string } } }).run.info.run_id;
    const model = await send("POST", "logged-models", { experiment_id: experimentId, name: "target", params: [{ key: "p", value: "1" }], tags: [{ key: "t", value: "x" }] });
    modelId = (JSON.parse(model.text) as { model: { info: { model_id: string } } }).model.info.model_id;
  });
  afterAll(async () => server?.close());

  const BAD_IDS: [string, string][] = [
    ["short id", "m-123"],
    ["uppercase hex", `m-${"A".repeat(32)}`],
    ["non-hex", `m-${"g".repeat(32)}`],
    ["no prefix", "0".repeat(32)],
    ["trace id", `tr-${"0".repeat(32)}`],
    ["traversal", "..%2F..%2Fetc%2Fpasswd"],
    ["SQL", "m-1'%20OR%20'1'%3D'1"],
    ["NUL", "m-%00"],
    ["very long", `m-${"a".repeat(5000)}`],
  ];

  it("refuses malformed model ids on every route that takes one", async () => {
    const before = await snapshot();
    for (const [label, id] of BAD_IDS) {
      await refused(`GET ${label}`, "GET", `logged-models/${id}`);
      await refused(`PATCH ${label}`, "PATCH", `logged-models/${id}`, { status: "LOGGED_MODEL_READY" });
      await refused(`DELETE ${label}`, "DELETE", `logged-models/${id}`);
      await refused(`tags ${label}`, "PATCH", `logged-models/${id}/tags`, { tags: [{ key: "a", value: "b" }] });
      await refused(`delete tag ${label}`, "DELETE", `logged-models/${id}/tags/t`);
      await refused(`params ${label}`, "POST", `logged-models/${id}/params`, { params: [{ key: "a", value: "b" }] });
      await refused(`artifacts ${label}`, "GET", `logged-models/${id}/artifacts/directories`);
    }
    // A body id wins over the path's, and is checked the same way.
    await refused("body id", "PATCH", `logged-models/${modelId}`, { model_id: "m-../x", status: "LOGGED_MODEL_READY" }, "model_id");
    expect(await snapshot()).toBe(before);
  });

  it("answers a missing model with RESOURCE_DOES_NOT_EXIST naming it, everywhere", async () => {
    const before = await snapshot();
    for (const [method, path, body] of [
      ["GET", `logged-models/${missingModel}`, undefined],
      ["PATCH", `logged-models/${missingModel}`, { status: "LOGGED_MODEL_READY" }],
      ["DELETE", `logged-models/${missingModel}`, undefined],
      ["PATCH", `logged-models/${missingModel}/tags`, { tags: [{ key: "a", value: "b" }] }],
      ["DELETE", `logged-models/${missingModel}/tags/t`, undefined],
      ["POST", `logged-models/${missingModel}/params`, { params: [{ key: "a", value: "b" }] }],
      ["GET", `logged-models/${missingModel}/artifacts/directories`, undefined],
      ["POST", "runs/outputs", { run_id: lmRunId, models: [{ model_id: missingModel, step: 0 }] }],
      ["POST", "runs/log-metric", { run_id: lmRunId, key: "m", value: 1, timestamp: 1, model_id: missingModel }],
      ["POST", "runs/log-batch", { run_id: lmRunId, metrics: [{ key: "m", value: 1, timestamp: 1, model_id: missingModel }] }],
    ] as const) {
      const answer = await send(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(JSON.parse(answer.text), `${method} ${path}`).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: `Logged model with ID '${missingModel}' not found.` });
    }
    expect(await snapshot()).toBe(before);
  });

  it("refuses malformed payloads on every logged-model write", async () => {
    const before = await snapshot();
    const raw = ["{", "[]", "42", '"x"', '{"a": 1} x', "[".repeat(100_000) + "]".repeat(100_000)];
    const writes: [string, string][] = [
      ["POST", "logged-models"],
      ["PATCH", `logged-models/${modelId}`],
      ["PATCH", `logged-models/${modelId}/tags`],
      ["POST", `logged-models/${modelId}/params`],
      ["POST", "logged-models/search"],
      ["POST", "runs/outputs"],
    ];
    for (const [method, path] of writes) for (const body of raw) await refused(`${method} ${path} raw ${body.slice(0, 10)}`, method, path, body);

    const create = (fields: Record<string, unknown>) => ({ experiment_id: experimentId, ...fields });
    const createCases: [string, Record<string, unknown>, string][] = [
      ["experiment id as number", { experiment_id: 5 }, "experiment_id"],
      ["experiment id as object", { experiment_id: { $ne: null } }, "experiment_id"],
      ["experiment id traversal", { experiment_id: "../0" }, "experiment ID"],
      ["experiment id SQL", { experiment_id: "0 OR 1=1" }, "experiment ID"],
      ["missing experiment", { experiment_id: "424242" }, "No Experiment with id=424242"],
      ["name with a slash", create({ name: "a/b" }), "Invalid model name"],
      ["name with dots", create({ name: ".." }), "Invalid model name"],
      ["name with a quote", create({ name: "a'b" }), "Invalid model name"],
      ["name too long", create({ name: "n".repeat(501) }), "length limit of 500"],
      ["name as list", create({ name: ["x"] }), "'name'"],
      ["model type too long", create({ model_type: "t".repeat(501) }), "length limit of 500"],
      ["source run traversal", create({ source_run_id: "../../x" }), "Invalid run ID"],
      ["source run missing", create({ source_run_id: "f".repeat(32) }), `Run with id=${"f".repeat(32)} not found`],
      ["params not a list", create({ params: "x" }), "'params'"],
      ["params of numbers", create({ params: [1] }), "params[0]"],
      ["param without key", create({ params: [{ value: "v" }] }), "params[0].key"],
      ["param key traversal", create({ params: [{ key: "../x", value: "v" }] }), "Invalid parameter name"],
      ["param value too long", create({ params: [{ key: "k", value: "v".repeat(6001) }] }), "length limit of 6000"],
      ["101 params", create({ params: Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, value: "v" })) }), "at most 100"],
      ["tags of nulls", create({ tags: [null] }), "tags[0]"],
      ["tag value over 64 KiB", create({ tags: [{ key: "k", value: "v".repeat(65_536) }] }), "length limit of 65535"],
      ["101 tags", create({ tags: Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, value: "v" })) }), "at most 100"],
    ];
    for (const [label, body, mentions] of createCases) await refused(`create ${label}`, "POST", "logged-models", body, mentions);

    const finalizeCases: [string, Record<string, unknown>, string][] = [
      ["back to pending", { status: "LOGGED_MODEL_PENDING" }, "LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED"],
      ["unknown status", { status: "DONE" }, "'status'"],
      ["status number out of range", { status: 99 }, "'status'"],
      ["status as object", { status: { a: 1 } }, "'status'"],
      ["no status", {}, "'status'"],
      ["status message too long", { status: "LOGGED_MODEL_READY", status_message: "m".repeat(5001) }, "length limit of 5000"],
    ];
    for (const [label, body, mentions] of finalizeCases) await refused(`finalize ${label}`, "PATCH", `logged-models/${modelId}`, body, mentions);

    await refused("tags not a list", "PATCH", `logged-models/${modelId}/tags`, { tags: { a: "b" } }, "'tags'");
    await refused("tag key with NUL", "PATCH", `logged-models/${modelId}/tags`, { tags: [{ key: "a\u0000b", value: "v" }] }, "Invalid tag name");
    await refused("missing tag", "DELETE", `logged-models/${modelId}/tags/nope`, undefined, "No tag with key 'nope'");
    await refused("param changed", "POST", `logged-models/${modelId}/params`, { params: [{ key: "p", value: "2" }] }, "Changing param values is not allowed");
    await refused("101 params", "POST", `logged-models/${modelId}/params`, { params: Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, value: "v" })) }, "at most 100");

    for (const path of ["../../etc", "/etc/passwd", "a/../../..", "%2e%2e%2f%2e%2e"]) {
      await refused(`artifacts ${path}`, "GET", `logged-models/${modelId}/artifacts/directories?artifact_directory_path=${encodeURIComponent(path)}`, undefined, "artifact_directory_path");
    }

    const outputCases: [string, Record<string, unknown>, string][] = [
      ["models not a list", { run_id: lmRunId, models: "x" }, "'models'"],
      ["model without id", { run_id: lmRunId, models: [{ step: 0 }] }, "models[0].model_id"],
      ["model without step", { run_id: lmRunId, models: [{ model_id: modelId }] }, "models[0].step"],
      ["step garbage", { run_id: lmRunId, models: [{ model_id: modelId, step: "soon" }] }, "models[0].step"],
      ["malformed model id", { run_id: lmRunId, models: [{ model_id: "../m", step: 0 }] }, "models[0].model_id"],
      ["101 models", { run_id: lmRunId, models: Array.from({ length: 101 }, () => ({ model_id: modelId, step: 0 })) }, "at most 100"],
      ["missing run", { run_id: "e".repeat(32), models: [{ model_id: modelId, step: 0 }] }, "not found"],
      ["run id traversal", { run_id: "../x", models: [{ model_id: modelId, step: 0 }] }, "Invalid run ID"],
    ];
    for (const [label, body, mentions] of outputCases) await refused(`outputs ${label}`, "POST", "runs/outputs", body, mentions);

    await refused("metric model id malformed", "POST", "runs/log-batch", { run_id: lmRunId, metrics: [{ key: "m", value: 1, timestamp: 1, model_id: "m-../x" }] }, "model_id");
    await refused("metric digest too long", "POST", "runs/log-metric", { run_id: lmRunId, key: "m", value: 1, timestamp: 1, dataset_name: "d", dataset_digest: "x".repeat(37) }, "dataset_digest");
    await refused("metric digest without name", "POST", "runs/log-metric", { run_id: lmRunId, key: "m", value: 1, timestamp: 1, dataset_digest: "x" }, "dataset_name");
    await refused("input model traversal", "POST", "runs/log-inputs", { run_id: lmRunId, models: [{ model_id: "../../x" }] }, "models[0].model_id");
    expect(await snapshot()).toBe(before);
  }, 120_000);

  it("refuses unknown filter keys, bad grammar, bad order_by and out-of-range paging in logged-models/search", async () => {
    const before = await snapshot();
    const search = (fields: Record<string, unknown>) => ({ experiment_ids: [experimentId], ...fields });
    const cases: [string, Record<string, unknown>, string][] = [
      ["unknown attribute", search({ filter: "colour = 'red'" }), "Invalid logged model search key 'colour'"],
      ["unknown entity", search({ filter: "datasets.name = 'x'" }), "Invalid entity type 'datasets'"],
      ["OR", search({ filter: "name = 'a' OR name = 'b'" }), "separated by 'AND'"],
      ["SQL injection", search({ filter: "name = 'x'; DROP TABLE logged_models" }), "separated by 'AND'"],
      ["metric with a string", search({ filter: "metrics.acc > 'high'" }), "Expected a numeric value"],
      ["time with a string", search({ filter: "creation_time > 'yesterday'" }), "Expected a numeric value"],
      ["param compared with >", search({ filter: "params.lr > '1'" }), "Invalid comparison operator"],
      ["unterminated", search({ filter: "name = 'x" }), "Unterminated"],
      ["no value", search({ filter: "metrics.acc >" }), "Expected a numeric value"],
      ["filter too long", search({ filter: `name = '${"a".repeat(10_001)}'` }), "limit is 10000"],
      ["filter as list", search({ filter: ["name = 'a'"] }), "'filter'"],
      ["order_by a string", search({ order_by: ["name"] }), "order_by[0]"],
      ["order_by params", search({ order_by: [{ field_name: "params.lr" }] }), "only `metrics.<name>` is allowed"],
      ["order_by unknown", search({ order_by: [{ field_name: "colour" }] }), "Invalid order by field name: colour"],
      ["order_by digest without name", search({ order_by: [{ field_name: "metrics.acc", dataset_digest: "d" }] }), "dataset_digest"],
      ["order_by ascending as text", search({ order_by: [{ field_name: "name", ascending: "up" }] }), "ascending"],
      ["11 order_by", search({ order_by: Array.from({ length: 11 }, () => ({ field_name: "name" })) }), "order_by"],
      ["datasets without name", search({ datasets: [{ dataset_digest: "d" }] }), "datasets[0].dataset_name"],
      ["datasets as string", search({ datasets: "test" }), "'datasets'"],
      ["21 datasets", search({ datasets: Array.from({ length: 21 }, () => ({ dataset_name: "d" })) }), "datasets"],
      ["max_results 0", search({ max_results: 0 }), "max_results"],
      ["max_results huge", search({ max_results: 1_000_000 }), "max_results"],
      ["max_results 1e300", search({ max_results: 1e300 }), "max_results"],
      ["page token garbage", search({ page_token: "not a token" }), "Invalid page token"],
      ["experiment id traversal", { experiment_ids: ["../0"] }, "experiment ID"],
      ["101 experiment ids", { experiment_ids: Array.from({ length: 101 }, (_, i) => String(i)) }, "at most 100"],
    ];
    for (const [label, body, mentions] of cases) await refused(`search ${label}`, "POST", "logged-models/search", body, mentions);
    expect(await snapshot()).toBe(before);
  });
});

/**
 * MLflow 3 registration by model id and prompt versions (model-versions/create, get-download-uri), on a real server:
 * malformed or unknown model ids, models:/ traversal and prompt placeholders on ordinary models are each a 4xx in
 * MLflow's error shape naming the field or the source, and nothing stored changes (versions, models, audit log).
 */
describe("malformed registrations by model id and prompt placeholders", () => {
  let server: TempServer;
  let modelId = "";
  let runId = "";
  const IS_PROMPT = "mlflow.prompt.is_prompt";

  const send = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };

  const refused = async (label: string, method: string, path: string, body: unknown, code: string, mentions: string): Promise<void> =>
    expectRefusal(label, await send(method, path, body), { code, mentions });

  const snapshot = async (): Promise<string> => {
    const parts = await Promise.all([
      send("GET", `model-versions/search?filter=${encodeURIComponent("name = 'plain'")}`),
      send("GET", `model-versions/search?filter=${encodeURIComponent(`tags.\`${IS_PROMPT}\` = 'true'`)}`),
      send("GET", "registered-models/search?max_results=1000"),
      send("GET", `logged-models/${modelId}`),
      fetch(`${server.url}/api/2.0/cairn/audit/events?max_results=1000`).then(async (response) => ({ status: 0, text: await response.text() })),
    ]);
    return JSON.stringify(parts.map((part) => part.text));
  };

  beforeAll(async () => {
    server = await startTempServer("cairn-malformed-reg-");
    runId = (JSON.parse((await send("POST", "runs/create", { experiment_id: "0" })).text) as { run: { info: { run_id: string } } }).run.info.run_id;
    const model = await send("POST", "logged-models", { experiment_id: "0", name: "model", source_run_id: runId });
    modelId = (JSON.parse(model.text) as { model: { info: { model_id: string } } }).model.info.model_id;
    expect((await send("POST", "registered-models/create", { name: "plain" })).status).toBe(200);
    expect((await send("POST", "registered-models/create", { name: "prompt", tags: [{ key: IS_PROMPT, value: "true" }] })).status).toBe(200);
    const promptVersion = await send("POST", "model-versions/create", {
      name: "prompt",
      source: "dummy-source",
      tags: [{ key: IS_PROMPT, value: "true" }, { key: "mlflow.prompt.text", value: "Hi {{name}}" }],
    });
    expect(promptVersion.status, promptVersion.text).toBe(200);
  });
  afterAll(async () => server?.close());

  it("refuses bad model_id values (format, type) before anything is looked up", async () => {
    const before = await snapshot();
    const badIds: unknown[] = [
      "m-123",
      `m-${"A".repeat(32)}`,
      `m-${"g".repeat(32)}`,
      "0".repeat(32),
      `tr-${"0".repeat(32)}`,
      "../../etc/passwd",
      `${modelId}/../x`,
      "m-1' OR '1'='1",
      `m-${"a".repeat(5000)}`,
      `${modelId}\u0000`,
    ];
    for (const id of badIds) {
      await refused(`model_id ${String(id).slice(0, 40)}`, "POST", "model-versions/create", { name: "plain", source: `models:/${modelId}`, model_id: id }, "INVALID_PARAMETER_VALUE", "model_id");
    }
    for (const id of [7, true, [modelId], { id: modelId }]) {
      await refused(`model_id ${JSON.stringify(id)}`, "POST", "model-versions/create", { name: "plain", source: `models:/${modelId}`, model_id: id }, "INVALID_PARAMETER_VALUE", "'model_id'");
    }
    await refused("unknown model_id", "POST", "model-versions/create", { name: "plain", source: `runs:/${runId}/model`, model_id: `m-${"f".repeat(32)}` }, "RESOURCE_DOES_NOT_EXIST", "named by model_id does not exist");
    await refused("model_id of another model", "POST", "model-versions/create", { name: "plain", source: `models:/${modelId}`, model_id: `m-${"f".repeat(32)}` }, "INVALID_PARAMETER_VALUE", "but model_id is");
    expect(await snapshot()).toBe(before);
  });

  it("refuses models:/ traversal and malformed logged-model sources", async () => {
    const before = await snapshot();
    const sources = [
      "models:/..",
      "models:/../../etc/passwd",
      `models:/${modelId}/..`,
      `models:/${modelId}/../../../etc`,
      `models:/${modelId}/artifacts/MLmodel`,
      "models:///etc/passwd",
      `models://host/${modelId}`,
      `models:/${modelId}@champion`,
      "models:/m-123",
      `models:/${modelId.toUpperCase()}`,
      `models:/${modelId}%2F..%2F..`,
      `models:/${modelId}?x=../../etc`,
      `models:/${modelId}#/../../etc`,
      `models:/${modelId}\\..\\..`,
    ];
    for (const source of sources) {
      await refused(`source ${source}`, "POST", "model-versions/create", { name: "plain", source }, "INVALID_PARAMETER_VALUE", "Invalid model version source");
    }
    await refused("missing logged model", "POST", "model-versions/create", { name: "plain", source: `models:/m-${"e".repeat(32)}` }, "RESOURCE_DOES_NOT_EXIST", `logged model 'm-${"e".repeat(32)}'`);
    expect(await snapshot()).toBe(before);
  });

  it("keeps prompt placeholders to prompt versions, and prompt versions away from files", async () => {
    const before = await snapshot();
    const promptTags = [{ key: IS_PROMPT, value: "true" }, { key: "mlflow.prompt.text", value: "x" }];
    for (const source of ["dummy-source", "prompt-template"]) {
      await refused(`${source} on an ordinary model`, "POST", "model-versions/create", { name: "plain", source }, "INVALID_PARAMETER_VALUE", "accepted only for a prompt version");
      await refused(`${source} tagged as a prompt on an ordinary model`, "POST", "model-versions/create", { name: "plain", source, tags: promptTags }, "INVALID_PARAMETER_VALUE", "accepted only for a prompt version");
      await refused(`${source} untagged on a prompt`, "POST", "model-versions/create", { name: "prompt", source }, "INVALID_PARAMETER_VALUE", "accepted only for a prompt version");
    }
    await refused("prompt version with a model_id", "POST", "model-versions/create", { name: "prompt", source: "dummy-source", tags: promptTags, model_id: modelId }, "INVALID_PARAMETER_VALUE", "a prompt version has no model files");
    for (const source of ["DUMMY-SOURCE", "dummy-source/../../etc", "/etc/passwd", "file:///etc/passwd"]) {
      await refused(`prompt with source ${source}`, "POST", "model-versions/create", { name: "prompt", source, tags: promptTags }, "INVALID_PARAMETER_VALUE", "Invalid model version source");
    }
    await refused("download URI of a prompt version", "GET", "model-versions/get-download-uri?name=prompt&version=1", undefined, "INVALID_PARAMETER_VALUE", "is a prompt version");
    await refused("copy of a prompt version", "POST", "model-versions/create", { name: "plain", source: "models:/prompt/1" }, "INVALID_PARAMETER_VALUE", "is a prompt version");
    expect(await snapshot()).toBe(before);
  });
});

describe("malformed requests: traces and assessments", () => {
  let tr: TracingTestApp;
  let exp = "";
  let assessmentId = "";
  const TRACE = "tr-00000000000000000000000000000abc";
  const MISSING = "tr-00000000000000000000000000000def";

  const traceSnapshot = async (): Promise<string> => {
    const trace = await tr.call("GET", `traces/${TRACE}`, undefined, 3);
    const search = await tr.call("POST", "traces/search", { experiment_ids: [exp], max_results: 500 }, 3);
    const audit = await tr.stores.audit.list({ maxResults: 1000 });
    const files = await tr.app.inject({ method: "GET", url: `/api/2.0/mlflow-artifacts/artifacts?path=${exp}/traces` });
    return JSON.stringify([trace.body, search.body, audit.items, files.body]);
  };

  beforeAll(async () => {
    tr = await startTracingApp();
    exp = (await tr.call("POST", "experiments/create", { name: "corpus-traces" })).body.experiment_id;
    await tr.call(
      "POST",
      "traces",
      {
        trace: {
          trace_info: {
            trace_id: TRACE,
            trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } },
            request_time: "2025-01-01T00:00:00Z",
            execution_duration: "1s",
            state: "OK",
            tags: { topic: "sql" },
          },
        },
      },
      3,
    );
    const created = await tr.call("POST", `traces/${TRACE}/assessments`, { assessment: { assessment_name: "q", feedback: { value: 1 } } }, 3);
    assessmentId = created.body.assessment.assessment_id;
  });
  afterAll(async () => tr.close());

  /** Every trace route, with a body that would succeed, so that the malformed part is what fails. */
  const routes = (): { method: "GET" | "POST" | "PATCH" | "DELETE"; url: string; body?: Record<string, unknown> }[] => [
    { method: "POST", url: "/api/3.0/mlflow/traces", body: { trace: { trace_info: { trace_id: TRACE, trace_location: { mlflow_experiment: { experiment_id: exp } } } } } },
    { method: "GET", url: `/api/3.0/mlflow/traces/${TRACE}` },
    { method: "POST", url: "/api/3.0/mlflow/traces/search", body: { experiment_ids: [exp] } },
    { method: "PATCH", url: `/api/3.0/mlflow/traces/${TRACE}/tags`, body: { key: "k", value: "v" } },
    { method: "DELETE", url: `/api/3.0/mlflow/traces/${TRACE}/tags`, body: { key: "topic" } },
    { method: "POST", url: "/api/3.0/mlflow/traces/delete-traces", body: { experiment_id: exp, request_ids: [MISSING] } },
    { method: "POST", url: `/api/3.0/mlflow/traces/${TRACE}/assessments`, body: { assessment: { assessment_name: "n", feedback: { value: 1 } } } },
    { method: "GET", url: `/api/3.0/mlflow/traces/${TRACE}/assessments/${assessmentId}` },
    { method: "PATCH", url: `/api/3.0/mlflow/traces/${TRACE}/assessments/${assessmentId}`, body: { assessment: { rationale: "r" }, update_mask: "rationale" } },
    { method: "DELETE", url: `/api/3.0/mlflow/traces/${TRACE}/assessments/${assessmentId}` },
    { method: "POST", url: "/api/2.0/mlflow/traces", body: { experiment_id: exp } },
    { method: "PATCH", url: `/api/2.0/mlflow/traces/${TRACE}`, body: { timestamp_ms: 1_735_689_601_000, status: "OK" } },
    { method: "GET", url: `/api/2.0/mlflow/traces/${TRACE}/info` },
    { method: "GET", url: `/api/2.0/mlflow/traces?experiment_ids=${exp}` },
    { method: "PATCH", url: `/api/2.0/mlflow/traces/${TRACE}/tags`, body: { key: "k", value: "v" } },
    { method: "DELETE", url: `/api/2.0/mlflow/traces/${TRACE}/tags`, body: { key: "topic" } },
    { method: "POST", url: "/api/2.0/mlflow/traces/delete-traces", body: { experiment_id: exp, request_ids: [MISSING] } },
  ];

  const send = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
    tr.app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: typeof payload === "string" ? payload : JSON.stringify(payload), headers: { "content-type": "application/json" } }),
    });

  it("refuses malformed, hostile and missing ids in every path parameter", async () => {
    const before = await traceSnapshot();
    const badIds = ["tr-123", `tr-${"G".repeat(32)}`, `TR-${"a".repeat(32)}`, `tr-${"A".repeat(32)}`, "..", "%2e%2e%2f%2e%2e%2fetc", `${TRACE}%2F..`, "tr-' OR '1'='1", "%00", MISSING];
    for (const route of routes()) {
      if (!route.url.includes(TRACE)) continue;
      for (const bad of badIds) {
        const response = await send(route.method, route.url.replace(TRACE, bad), route.body);
        assertMlflowError(`${route.method} ${route.url} with ${bad}`, response);
        if (bad === MISSING) expect(JSON.parse(response.body).error_code, `${route.method} ${route.url}`).toBe("RESOURCE_DOES_NOT_EXIST");
      }
      if (route.url.includes(assessmentId)) {
        for (const bad of ["a-1", "..%2f..%2fetc", `a-${"f".repeat(31)}`, "a-00000000000000000000000000000999"]) {
          assertMlflowError(`${route.method} assessment ${bad}`, await send(route.method, route.url.replace(assessmentId, bad), route.body));
        }
      }
    }
    expect(await traceSnapshot()).toBe(before);
  });

  it("refuses malformed raw bodies on every trace write route", async () => {
    const before = await traceSnapshot();
    for (const route of routes()) {
      if (route.method === "GET") continue;
      // The "in a field" and surrogate bodies aim at tracking's fields; the trace routes' own fields are covered below.
      for (const [label, payload] of rawBodies().filter(([name]) => !/in a field|surrogate/.test(name))) assertMlflowError(`${route.method} ${route.url} ${label}`, await send(route.method, route.url, payload));
    }
    expect(await traceSnapshot()).toBe(before);
  }, 120_000);

  it("refuses JSON payloads that are not what the protos say, naming the field", async () => {
    const before = await traceSnapshot();
    const info = (overrides: Record<string, unknown>) => ({
      trace: { trace_info: { trace_id: MISSING, trace_location: { mlflow_experiment: { experiment_id: exp } }, ...overrides } },
    });
    const cases: [string, string, unknown, RegExp][] = [
      ["POST", "/api/3.0/mlflow/traces", {}, /'trace'/],
      ["POST", "/api/3.0/mlflow/traces", { trace: "x" }, /'trace'/],
      ["POST", "/api/3.0/mlflow/traces", { trace: { trace_info: [] } }, /'trace.trace_info'/],
      ["POST", "/api/3.0/mlflow/traces", info({ trace_location: undefined }), /'trace.trace_info.trace_location'/],
      ["POST", "/api/3.0/mlflow/traces", info({ trace_location: { mlflow_experiment: { experiment_id: 7 } } }), /experiment_id/],
      ["POST", "/api/3.0/mlflow/traces", info({ tags: ["a"] }), /'trace.trace_info.tags'/],
      ["POST", "/api/3.0/mlflow/traces", info({ tags: { k: { nested: 1 } } }), /'trace.trace_info.tags.k'/],
      ["POST", "/api/3.0/mlflow/traces", info({ tags: { ["k".repeat(251)]: "v" } }), /maximum length of 250/],
      ["POST", "/api/3.0/mlflow/traces", info({ trace_metadata: { k: "v".repeat(8001) } }), /maximum length of 8000/],
      ["POST", "/api/3.0/mlflow/traces", info({ trace_metadata: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, "v"])) }), /at most 1000 entries/],
      ["POST", "/api/3.0/mlflow/traces", info({ request_time: 1_700_000_000_000 }), /'trace.trace_info.request_time'/],
      ["POST", "/api/3.0/mlflow/traces", info({ request_time: "2025-02-30T00:00:00Z" }), /does not exist/],
      ["POST", "/api/3.0/mlflow/traces", info({ execution_duration: "-1s" }), /must not be negative/],
      ["POST", "/api/3.0/mlflow/traces", info({ state: "DONE" }), /'trace.trace_info.state'/],
      ["POST", "/api/3.0/mlflow/traces", info({ assessments: {} }), /'trace.trace_info.assessments'/],
      ["POST", "/api/3.0/mlflow/traces/search", { locations: "x" }, /'locations'/],
      ["POST", "/api/3.0/mlflow/traces/search", { locations: [{ type: "INFERENCE_TABLE", inference_table: { full_table_name: "a.b.c" } }] }, /MLFLOW_EXPERIMENT/],
      ["POST", "/api/3.0/mlflow/traces/search", { experiment_ids: ["1; DROP TABLE traces"] }, /'experiment_id'/],
      ["POST", "/api/3.0/mlflow/traces/search", { experiment_ids: [exp], max_results: "many" }, /'max_results'/],
      ["POST", "/api/3.0/mlflow/traces/search", { experiment_ids: [exp], max_results: 0 }, /max_results/],
      ["POST", "/api/3.0/mlflow/traces/search", { experiment_ids: [exp], order_by: [5] }, /'order_by\[0\]'/],
      ["POST", "/api/3.0/mlflow/traces/search", { experiment_ids: Array.from({ length: 101 }, (_, i) => String(i)) }, /at most 100 experiments/],
      ["POST", "/api/3.0/mlflow/traces/delete-traces", { request_ids: [TRACE] }, /'experiment_id'/],
      ["POST", "/api/3.0/mlflow/traces/delete-traces", { experiment_id: exp, max_timestamp_millis: "old" }, /'max_timestamp_millis'/],
      ["POST", "/api/3.0/mlflow/traces/delete-traces", { experiment_id: exp, max_timestamp_millis: 1, max_traces: -1 }, /'max_traces'/],
      ["POST", "/api/3.0/mlflow/traces/delete-traces", { experiment_id: exp, request_ids: Array.from({ length: 1001 }, () => MISSING) }, /at most 1000/],
      ["PATCH", `/api/2.0/mlflow/traces/${TRACE}/tags`, { value: "v" }, /'key'/],
      ["PATCH", `/api/2.0/mlflow/traces/${TRACE}/tags`, { key: ["a"], value: "v" }, /'key'/],
      ["PATCH", `/api/2.0/mlflow/traces/${TRACE}`, { status: "OK" }, /'timestamp_ms'/],
      ["PATCH", `/api/2.0/mlflow/traces/${TRACE}`, { timestamp_ms: 1_735_689_601_000, status: "FINISHED" }, /'status'/],
      ["POST", "/api/2.0/mlflow/traces", { experiment_id: exp, tags: { k: "v" } }, /'tags'/],
      ["POST", "/api/2.0/mlflow/traces", { experiment_id: exp, request_metadata: [{ value: "v" }] }, /'request_metadata\[0\].key'/],
      ["POST", "/api/2.0/mlflow/traces", { experiment_id: "../1" }, /'experiment_id'/],
      ["POST", `/api/3.0/mlflow/traces/${TRACE}/assessments`, { assessment: "x" }, /'assessment'/],
      ["POST", `/api/3.0/mlflow/traces/${TRACE}/assessments`, { assessment: { assessment_name: "n", feedback: { value: 1 }, expectation: { value: 1 } } }, /exactly one/],
      ["POST", `/api/3.0/mlflow/traces/${TRACE}/assessments`, { assessment: { assessment_name: "n", feedback: { value: "x".repeat(100_001) } } }, /maximum length of 100000/],
      ["POST", `/api/3.0/mlflow/traces/${TRACE}/assessments`, { assessment: { assessment_name: "n", feedback: { value: 1 }, metadata: [1] } }, /'assessment.metadata'/],
      ["POST", `/api/3.0/mlflow/traces/${TRACE}/assessments`, { assessment: { assessment_name: "n", feedback: { value: 1 }, create_time: "now" } }, /'assessment.create_time'/],
      ["POST", `/api/3.0/mlflow/traces/${TRACE}/assessments`, { assessment: { assessment_name: "n", feedback: { value: 1 }, overrides: "../a" } }, /'assessment.overrides'/],
      ["POST", `/api/3.0/mlflow/traces/${TRACE}/assessments`, { assessment: { assessment_name: "n", feedback: { value: 1 }, valid: "yes" } }, /'assessment.valid'/],
      ["PATCH", `/api/3.0/mlflow/traces/${TRACE}/assessments/${assessmentId}`, { assessment: { rationale: "r" } }, /'update_mask'/],
      ["PATCH", `/api/3.0/mlflow/traces/${TRACE}/assessments/${assessmentId}`, { assessment: { rationale: "r" }, update_mask: 5 }, /'update_mask'/],
      ["PATCH", `/api/3.0/mlflow/traces/${TRACE}/assessments/${assessmentId}`, { assessment: { rationale: "r" }, update_mask: "traceId" }, /'trace_id' cannot be updated/],
      ["PATCH", `/api/3.0/mlflow/traces/${TRACE}/assessments/${assessmentId}`, { assessment: { assessment_id: "a-00000000000000000000000000000001" }, update_mask: "rationale" }, /'assessment.assessment_id'/],
    ];
    for (const [method, url, payload, message] of cases) {
      const response = await send(method as "POST", url, payload);
      assertMlflowError(`${method} ${url} ${JSON.stringify(payload).slice(0, 80)}`, response);
      expect(JSON.parse(response.body).message, `${method} ${url} ${JSON.stringify(payload).slice(0, 80)}`).toMatch(message);
    }
    expect(await traceSnapshot()).toBe(before);
  });

  it("refuses unknown filter keys, OR, SQL and unterminated strings in trace search filters and order_by", async () => {
    const before = await traceSnapshot();
    const filters = [
      "attributes.foo = 'x'",
      "spans.name = 'x'",
      "feedback.quality > 0.5",
      "tags.topic = 'sql' OR 1=1",
      "tags.topic = 'sql'; DROP TABLE traces",
      "tags.`x' OR 1=1 --` = 'a' OR",
      "metadata.k = 'unterminated",
      "attributes.status IN ('OK', ",
      "timestamp_ms > 1e400",
      "attributes.experiment_id = '1'",
      "'1'='1'",
      "a".repeat(20_000),
    ];
    for (const filter of filters) {
      assertMlflowError(`traces/search ${filter.slice(0, 40)}`, await send("POST", "/api/3.0/mlflow/traces/search", { experiment_ids: [exp], filter }));
      assertMlflowError(`GET traces ${filter.slice(0, 40)}`, await send("GET", `/api/2.0/mlflow/traces?experiment_ids=${exp}&filter=${encodeURIComponent(filter)}`));
    }
    for (const orderBy of ["tags.x; DROP TABLE traces", "foo DESC", "timestamp_ms sideways", ""]) {
      assertMlflowError(`order_by ${orderBy}`, await send("POST", "/api/3.0/mlflow/traces/search", { experiment_ids: [exp], order_by: [orderBy] }));
    }
    expect(await traceSnapshot()).toBe(before);
  });

  it("refuses an oversized traces.json, leaving nothing stored", async () => {
    const before = await traceSnapshot();
    const response = await tr.app.inject({
      method: "PUT",
      url: `/api/2.0/mlflow-artifacts/artifacts/${exp}/traces/${TRACE}/artifacts/traces.json`,
      payload: Buffer.alloc(TEST_TRACE_JSON_LIMIT + 1, 32),
    });
    assertMlflowError("PUT traces.json", response);
    expect(response.statusCode).toBe(413);
    expect(await traceSnapshot()).toBe(before);
  });
});

describe("malformed requests to the monitors API", () => {
  let server: TempServer;
  const send = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${server.url}/api/2.0/cairn/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const snapshot = async (): Promise<string> =>
    JSON.stringify(await Promise.all([send("GET", "monitors/list"), send("GET", "audit/events?max_results=1000")].map(async (p) => (await p).text)));

  beforeAll(async () => {
    server = await startTempServer("cairn-malformed-monitors-");
  });
  afterAll(async () => server?.close());

  const base = { name: "m", deployment: "d", window: { last_rows: 10 }, schedule_seconds: 60, checks: { quality: { metric: "accuracy", threshold: 0.9 } } };

  it("refuses malformed monitor definitions naming the field, and a missing deployment, storing nothing", async () => {
    const before = await snapshot();
    const cases: Array<[string, unknown, number, string]> = [
      ["min_rows 0", { ...base, min_rows: 0 }, 400, "'min_rows'"],
      ["min_rows negative", { ...base, min_rows: -5 }, 400, "'min_rows'"],
      ["min_rows fraction", { ...base, min_rows: 1.5 }, 400, "'min_rows'"],
      ["min_rows text", { ...base, min_rows: "100" }, 400, "'min_rows'"],
      ["min_rows huge", { ...base, min_rows: 1e12 }, 400, "'min_rows'"],
      ["features object", { ...base, features: { a: 1 } }, 400, "'features'"],
      ["features text", { ...base, features: "a,b" }, 400, "'features'"],
      ["features empty", { ...base, features: [] }, 400, "'features'"],
      ["features number", { ...base, features: ["a", 3] }, 400, "'features[1]'"],
      ["features blank", { ...base, features: [" "] }, 400, "'features[0]'"],
      ["features duplicate", { ...base, features: ["a", "a"] }, 400, "'features'"],
      ["feature name too long", { ...base, features: ["a".repeat(300)] }, 400, "'features[0]'"],
      ["too many features", { ...base, features: Array.from({ length: 10_001 }, (_, i) => `f${i}`) }, 400, "'features'"],
      ["nested arrays", { ...base, features: [["a"]] }, 400, "'features[0]'"],
      ["missing deployment", { ...base, features: ["a"] }, 404, "Deployment 'd' not found."],
    ];
    for (const [label, body, status, mentions] of cases) {
      expectRefusal(label, await send("POST", "monitors/create", body), { status, mentions });
    }
    expect(await snapshot()).toBe(before);
  });
});

describe("oversized ids, list items and YAML suites (issue 12 part 5)", () => {
  let server: TempServer;
  const send = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${server.url}/api/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const snapshot = async (): Promise<string> =>
    JSON.stringify(await Promise.all([send("GET", "2.0/cairn/monitors/list"), send("GET", "2.0/cairn/audit/events?max_results=1000")].map(async (p) => (await p).text)));

  beforeAll(async () => {
    server = await startTempServer("cairn-malformed-sizes-");
  });
  afterAll(async () => server?.close());

  it("refuses an 800 KB id or order_by clause and too many ids in every search route, naming the field", async () => {
    const huge = "1".repeat(800_000);
    const many = Array.from({ length: 1001 }, (_, i) => String(i));
    const cases: Array<[string, string, unknown, string]> = [
      ["runs/search huge id", "2.0/mlflow/runs/search", { experiment_ids: [huge] }, "'experiment_ids[0]'"],
      ["runs/search many ids", "2.0/mlflow/runs/search", { experiment_ids: many }, "'experiment_ids'"],
      ["runs/search huge order_by", "2.0/mlflow/runs/search", { experiment_ids: ["0"], order_by: [huge] }, "'order_by[0]'"],
      ["experiments/search huge order_by", "2.0/mlflow/experiments/search", { order_by: [huge] }, "'order_by[0]'"],
      ["registered-models/search huge order_by", "2.0/mlflow/registered-models/search", { order_by: [huge] }, "'order_by[0]'"],
      ["model-versions/search huge order_by", "2.0/mlflow/model-versions/search", { order_by: [huge] }, "'order_by[0]'"],
      ["logged-models/search huge id", "2.0/mlflow/logged-models/search", { experiment_ids: [huge] }, "'experiment_ids[0]'"],
      ["traces/search huge id", "3.0/mlflow/traces/search", { experiment_ids: [huge] }, "'experiment_ids[0]'"],
      ["get-history-bulk-interval huge run id", "2.0/mlflow/metrics/get-history-bulk-interval", { run_ids: [huge], metric_key: "m" }, "'run_ids[0]'"],
    ];
    for (const [label, path, body, mentions] of cases) {
      const method = path.includes("get-history-bulk") || path.includes("registered-models/search") || path.includes("model-versions/search") ? "GET" : "POST";
      const answer =
        method === "GET"
          ? await send("GET", `${path}?${new URLSearchParams(Object.entries(body as Record<string, string[]>).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((item): [string, string] => [k, String(item).slice(0, 2000)]))).toString()}`)
          : await send("POST", path, body);
      expectRefusal(label, answer, { status: 400, mentions });
      expect(answer.text.length, label).toBeLessThan(1200);
    }
  });

  it("refuses a monitor whose data_tests suite is too long before parsing it, storing nothing (depth, aliases, keys: parse-suite's tests)", async () => {
    const before = await snapshot();
    const base = { name: "m", deployment: "d", window: { last_rows: 10 }, schedule_seconds: 60 };
    const cases: Array<[string, string, string]> = [
      ["suite over 256 KiB", `suite: s\nmeta: ${"x".repeat(300_000)}\nexpectations: []\n`, "at most 262144 are allowed"],
    ];
    for (const [label, suite, mentions] of cases) {
      expectRefusal(label, await send("POST", "2.0/cairn/monitors/create", { ...base, checks: { data_tests: { suite } } }), { status: 400, mentions });
    }
    expect(await snapshot()).toBe(before);
  });
});

/**
 * The approvals routes of issue 11 part 4 (GET/DELETE /api/2.0/cairn/governance/approvals, the rule option
 * forbid_self_approval), on a real server: wrong types, unknown filters, hostile tokens and sizes, missing entities,
 * anonymous and self-approving callers are each a 4xx in MLflow's error shape naming the field or the reason, and
 * nothing stored changes (approvals with revoked ones, rules, audit log).
 */
describe("malformed requests to the approvals routes", () => {
  let server: TempServer;
  const ada = { "x-cairn-user": "ada" };
  const bob = { "x-cairn-user": "bob" };

  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = bob): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${server.url}/api/2.0/${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };

  const refused = async (label: string, method: string, path: string, body: unknown, mentions: string, headers: Record<string, string> = bob): Promise<void> =>
    expectRefusal(label, await send(method, path, body, headers), { mentions });

  const snapshot = async (): Promise<string> => {
    const parts = await Promise.all([
      send("GET", "cairn/governance/approvals?name=churn&include_revoked=true&max_results=1000"),
      send("GET", "cairn/registered-models/promotion-rules/list?name=churn"),
      send("GET", "cairn/audit/events?max_results=1000"),
    ]);
    return JSON.stringify(parts.map((part) => part.text));
  };

  beforeAll(async () => {
    server = await startTempServer("cairn-malformed-approvals-");
    const run = await send("POST", "mlflow/runs/create", { experiment_id: "0", user_id: "carl" });
    const runId = (JSON.parse(run.text) as { run: { info: { run_id: string } } }).run.info.run_id;
    expect((await send("POST", "mlflow/registered-models/create", { name: "churn" }, ada)).status).toBe(200);
    const version = await send("POST", "mlflow/model-versions/create", { name: "churn", source: `runs:/${runId}/model`, run_id: runId }, ada);
    expect(version.status, version.text).toBe(200);
    const rule = { name: "churn", target: "alias:champion", required_approvals: 1, forbid_self_approval: true };
    expect((await send("POST", "cairn/registered-models/promotion-rules/set", rule, ada)).status).toBe(200);
    expect((await send("POST", "cairn/model-versions/approve", { name: "churn", version: "1", target: "alias:champion" }, bob)).status).toBe(200);
    expect((await send("POST", "cairn/model-versions/approve", { name: "churn", version: "1", target: "stage:Production" }, bob)).status).toBe(200);
    expect((await send("DELETE", "cairn/governance/approvals", { name: "churn", version: "1", target: "stage:Production" }, bob)).status).toBe(200);
  });
  afterAll(async () => server?.close());

  it("refuses bad listings: types, sizes, unknown targets and entities, foreign page tokens", async () => {
    const before = await snapshot();
    const auditToken = Buffer.from(JSON.stringify([5])).toString("base64url");
    const cases: [string, string, string][] = [
      ["no name", "", "'name'"],
      ["unknown model", "name=nope", "Registered Model with name=nope not found"],
      ["very long name", `name=${"n".repeat(5000)}`, "not found"],
      ["unknown version", "name=churn&version=9", "Model Version (name=churn, version=9) not found"],
      ["traversal version", `name=churn&version=${encodeURIComponent("../1")}`, "not found"],
      ["bad target", "name=churn&target=champion", "'target'"],
      ["unknown target kind", `name=churn&target=${encodeURIComponent("column:x")}`, "'target'"],
      ["oversize alias", `name=churn&target=alias:${"a".repeat(300)}`, "'target'"],
      ["max_results 0", "name=churn&max_results=0", "'max_results'"],
      ["max_results negative", "name=churn&max_results=-1", "'max_results'"],
      ["max_results over the ceiling", "name=churn&max_results=1001", "between 1 and 1000"],
      ["max_results beyond int64", "name=churn&max_results=99999999999999999999", "'max_results'"],
      ["max_results text", "name=churn&max_results=many", "'max_results'"],
      ["include_revoked not a boolean", "name=churn&include_revoked=2", "'include_revoked'"],
      ["page token garbage", "name=churn&page_token=%25%25%25", "not a token returned by governance/approvals"],
      ["page token of another endpoint", `name=churn&page_token=${auditToken}`, "not a token returned by governance/approvals"],
      ["page token with negative keys", `name=churn&page_token=${Buffer.from("[-1,-1]").toString("base64url")}`, "not a token returned by governance/approvals"],
      ["page token with SQL", `name=churn&page_token=${Buffer.from('["1 OR 1=1",1]').toString("base64url")}`, "not a token returned by governance/approvals"],
    ];
    for (const [label, query, mentions] of cases) await refused(`list ${label}`, "GET", `cairn/governance/approvals?${query}`, undefined, mentions);
    expect(await snapshot()).toBe(before);
  });

  it("refuses bad revokes and approvals: types, missing fields, anonymous, not the approver, self-approval", async () => {
    const before = await snapshot();
    const revoke = "cairn/governance/approvals";
    const ok = { name: "churn", version: "1", target: "alias:champion" };
    const cases: [string, unknown, string, Record<string, string>?][] = [
      ["no target", { name: "churn", version: "1" }, "'target'"],
      ["no version", { name: "churn", target: "alias:champion" }, "'version'"],
      ["no name", { version: "1", target: "alias:champion" }, "'name'"],
      ["name a list", { ...ok, name: ["churn"] }, "'name'"],
      ["version an object", { ...ok, version: { v: 1 } }, "'version'"],
      ["version fractional", { ...ok, version: 1.5 }, "'version'"],
      ["target a number", { ...ok, target: 7 }, "'target'"],
      ["target unknown stage", { ...ok, target: "stage:Live" }, "'target'"],
      ["unknown version", { ...ok, version: "9" }, "Model Version (name=churn, version=9) not found"],
      ["unknown model", { ...ok, name: "nope" }, "not found"],
      ["lone surrogate", { ...ok, target: "alias:\ud800" }, "surrogate"],
      ["not the approver", ok, "eve has no standing approval of churn version 1 for alias:champion to revoke", { "x-cairn-user": "eve" }],
      ["already revoked", { ...ok, target: "stage:Production" }, "bob has no standing approval of churn version 1 for stage:Production to revoke"],
      ["anonymous", ok, "Anonymous requests cannot revoke an approval", {}],
    ];
    for (const [label, body, mentions, headers] of cases) await refused(`revoke ${label}`, "DELETE", revoke, body, mentions, headers ?? bob);
    for (const [label, payload] of rawBodies().filter(([name]) => !/in a field/.test(name))) {
      await refused(`revoke ${label}`, "DELETE", revoke, payload, "");
    }
    const rules = "cairn/registered-models/promotion-rules/set";
    for (const value of ["yes", 1, [true], { on: true }]) {
      await refused(`forbid_self_approval ${JSON.stringify(value)}`, "POST", rules, { name: "churn", target: "alias:champion", required_approvals: 1, forbid_self_approval: value }, "'forbid_self_approval'");
    }
    // Self-approval under the rule: the version's creator (ada) and its run's user (carl, any spelling).
    await refused("creator approves", "POST", "cairn/model-versions/approve", ok, "the promotion rule forbids self-approval, and ada created this version", ada);
    await refused("run user approves", "POST", "cairn/model-versions/approve", ok, "the promotion rule forbids self-approval, and CARL is the user of its source run", { "x-cairn-user": "CARL" });
    expect(await snapshot()).toBe(before);
  }, 120_000);
});

describe("malformed promotion targets and deployment gate requests", () => {
  let server: TempServer;

  const send = async (method: "GET" | "POST" | "DELETE", path: string, body?: Record<string, unknown>): Promise<{ status: number; text: string }> => {
    const url = new URL(`${server.url}/api/2.0/cairn/${path}`);
    if (method === "GET" && body !== undefined) for (const [key, value] of Object.entries(body)) url.searchParams.set(key, String(value));
    const response = await fetch(url, {
      method,
      headers: { "content-type": "application/json", "x-cairn-user": "ada" },
      ...(method !== "GET" && body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, text: await response.text() };
  };

  const refused = async (label: string, method: "GET" | "POST" | "DELETE", path: string, body: Record<string, unknown>, mentions: string): Promise<void> =>
    expectRefusal(label, await send(method, path, body), { mentions });

  const snapshot = async (): Promise<string> =>
    JSON.stringify(
      await Promise.all([
        send("GET", "registered-models/promotion-rules/list", { name: "churn" }).then((r) => r.text),
        send("GET", "deployments/list").then((r) => r.text),
        send("GET", "audit/events", { max_results: 1000 }).then((r) => r.text),
      ]),
    );

  beforeAll(async () => {
    server = await startTempServer("cairn-malformed-gate-");
    await fetch(`${server.url}/api/2.0/mlflow/registered-models/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "churn" }),
    });
  });
  afterAll(async () => server?.close());

  const BAD_TARGETS: string[] = [
    "deployment:",
    "deployment:../etc/passwd",
    "deployment:a b",
    "deployment:-leading-dash",
    `deployment:${"d".repeat(65)}`,
    "deployment:x\u0000",
    "Deployment:prod",
    "deployments:prod",
  ];

  it("refuses malformed deployment:<name> targets on every governance route, naming the field", async () => {
    const before = await snapshot();
    for (const target of BAD_TARGETS) {
      await refused(`set ${target}`, "POST", "registered-models/promotion-rules/set", { name: "churn", target, required_approvals: 1 }, "'target'");
      await refused(`delete ${target}`, "DELETE", "registered-models/promotion-rules/delete", { name: "churn", target }, "'target'");
      await refused(`approve ${target}`, "POST", "model-versions/approve", { name: "churn", version: "1", target }, "'target'");
      await refused(`check ${target}`, "GET", "model-versions/promotion-check", { name: "churn", version: "1", target }, "'target'");
    }
    expect(await snapshot()).toBe(before);
  });

  it("refuses malformed and missing deployments on promote and rollback, changing nothing", async () => {
    const before = await snapshot();
    for (const path of ["deployments/promote", "deployments/rollback"]) {
      await refused(`${path} no name`, "POST", path, {}, "name");
      await refused(`${path} number`, "POST", path, { name: 7 }, "name");
      await refused(`${path} traversal`, "POST", path, { name: "../../etc/passwd" }, "does not exist");
      await refused(`${path} long`, "POST", path, { name: "x".repeat(5000) }, "does not exist");
    }
    expect(await snapshot()).toBe(before);
  });

  it("refuses malformed prediction-log bounds on deployments/create and deployments/update, naming the field, changing nothing", async () => {
    const before = await snapshot();
    const BAD_BOUNDS: unknown[] = [0, -1, 1.5, "ten", "1e3", "", true, { days: 1 }, [60], 2 ** 64, "99999999999999999999999", 1e12];
    for (const field of ["prediction_log_max_age_seconds", "prediction_log_max_rows"]) {
      for (const value of BAD_BOUNDS) {
        const label = `${field}=${JSON.stringify(value)}`;
        await refused(`create ${label}`, "POST", "deployments/create", { name: "prod", model_uri: "models:/churn/1", [field]: value }, `'${field}'`);
        await refused(`update ${label}`, "POST", "deployments/update", { name: "prod", [field]: value }, `'${field}'`);
      }
    }
    // A well-formed bound on a deployment that does not exist, or for a model without versions: 404s.
    await refused("update missing", "POST", "deployments/update", { name: "prod", prediction_log_max_rows: 10 }, "Deployment 'prod' does not exist.");
    await refused("create without version", "POST", "deployments/create", { name: "prod", model_uri: "models:/churn/1", prediction_log_max_rows: 10 }, "churn");
    expect(await snapshot()).toBe(before);
  });
});

/**
 * Issue 12 part 1: the authentication routes (sign-in, tokens, MLflow's users/*), with and without credentials. Each
 * malformed request is a 4xx in MLflow's error shape naming the field; without credentials every protected route is
 * a 401 before its body is read; nothing stored changes (users, tokens, audit log).
 */
describe("malformed requests to the auth routes", () => {
  let server: Awaited<ReturnType<typeof import("../src/auth/test-support/auth-server.js").startAuthServer>>;
  let admin: Record<string, string>;
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = admin): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${server.url}/api/2.0/${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const snapshot = async (): Promise<string> =>
    JSON.stringify(
      await Promise.all(
        ["mlflow/users/get?username=root", "mlflow/users/get?username=ada", "cairn/tokens/list", "cairn/tokens/list?username=ada", "cairn/audit/events?max_results=1000"].map(
          async (path) => (await send("GET", path)).text,
        ),
      ),
    );

  beforeAll(async () => {
    const kit = await import("../src/auth/test-support/auth-server.js");
    server = await kit.startAuthServer();
    admin = { authorization: kit.basic(kit.ADMIN.username, kit.ADMIN.password) };
    expect((await send("POST", "mlflow/users/create", { username: "ada", password: "ada-password-01" })).status).toBe(200);
    expect((await send("POST", "cairn/tokens/create", { name: "kept" })).status).toBe(200);
  });
  afterAll(async () => server?.close());

  const ROUTES: Array<[string, string]> = [
    ["POST", "mlflow/users/create"],
    ["GET", "mlflow/users/get"],
    ["PATCH", "mlflow/users/update-password"],
    ["PATCH", "mlflow/users/update-admin"],
    ["DELETE", "mlflow/users/delete"],
    ["POST", "cairn/tokens/create"],
    ["GET", "cairn/tokens/list"],
    ["GET", "cairn/users/list"],
    ["POST", "cairn/tokens/revoke"],
    ["POST", "cairn/auth/sign-out"],
  ];

  it("answers every protected auth route without credentials (or with bad ones) with a 401, whatever the body", async () => {
    const before = await snapshot();
    const credentials: Array<[string, Record<string, string>]> = [
      ["none", {}],
      // Another unknown name per route: the same name would be throttled (429) after five failures.
      ["wrong password", {}],
      ["bad token", { authorization: "Bearer cairn_pat_x" }],
      ["huge header", { authorization: `Basic ${"A".repeat(8000)}` }],
      ["forged cookie", { cookie: "cairn_session=" + "A".repeat(43) }],
    ];
    for (const [label, given] of credentials) {
      for (const [index, [method, path]] of ROUTES.entries()) {
        const headers = label === "wrong password" ? { authorization: `Basic ${Buffer.from(`guess${index}:wrong-password`).toString("base64")}` } : given;
        const body = method === "GET" ? undefined : "{not json";
        expectRefusal(`${label} ${method} ${path}`, await send(method, path, body, headers), { status: 401, code: "UNAUTHENTICATED" });
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it("refuses malformed bodies and fields on every auth route, naming the field, changing nothing", async () => {
    const before = await snapshot();
    const cases: Array<[string, string, unknown, number, string]> = [
      ["POST", "mlflow/users/create", {}, 400, "'username'"],
      ["POST", "mlflow/users/create", { username: "x" }, 400, "'password'"],
      ["POST", "mlflow/users/create", { username: 5, password: "long-enough-pass" }, 400, "'username'"],
      ["POST", "mlflow/users/create", { username: ["a"], password: "long-enough-pass" }, 400, "'username'"],
      ["POST", "mlflow/users/create", { username: "a:b", password: "long-enough-pass" }, 400, "'username'"],
      ["POST", "mlflow/users/create", { username: "a\u0000b", password: "long-enough-pass" }, 400, "'username'"],
      ["POST", "mlflow/users/create", { username: "u".repeat(100_000), password: "long-enough-pass" }, 400, "'username'"],
      ["POST", "mlflow/users/create", { username: "new", password: "p".repeat(100_000) }, 400, "'password'"],
      ["POST", "mlflow/users/create", { username: "new", password: { $ne: "" } }, 400, "'password'"],
      ["POST", "mlflow/users/create", { username: "ada", password: "long-enough-pass" }, 400, "User 'ada' already exists."],
      ["POST", "mlflow/users/create", "[]", 400, "JSON object"],
      ["POST", "mlflow/users/create", "{", 400, "Malformed JSON"],
      ["GET", "mlflow/users/get", undefined, 400, "'username'"],
      ["GET", "mlflow/users/get?username=nobody", undefined, 404, "'nobody' not found"],
      ["GET", "mlflow/users/get?username=..%2F..%2Fetc", undefined, 404, "not found"],
      ["PATCH", "mlflow/users/update-password", { username: "ada" }, 400, "'password'"],
      ["PATCH", "mlflow/users/update-password", { username: "ada", password: "short" }, 400, "'password'"],
      ["PATCH", "mlflow/users/update-password", { username: "nobody", password: "long-enough-pass" }, 404, "'nobody' not found"],
      ["PATCH", "mlflow/users/update-admin", { username: "ada" }, 400, "'is_admin'"],
      ["PATCH", "mlflow/users/update-admin", { username: "ada", is_admin: "maybe" }, 400, "'is_admin'"],
      ["PATCH", "mlflow/users/update-admin", { username: "ada", is_admin: 1 }, 400, "'is_admin'"],
      ["PATCH", "mlflow/users/update-admin", { username: "nobody", is_admin: true }, 404, "'nobody' not found"],
      ["PATCH", "mlflow/users/update-admin", { username: "root", is_admin: false }, 400, "last admin"],
      ["DELETE", "mlflow/users/delete", {}, 400, "'username'"],
      ["DELETE", "mlflow/users/delete", { username: "nobody" }, 404, "'nobody' not found"],
      ["DELETE", "mlflow/users/delete", { username: "root" }, 400, "last admin"],
      ["POST", "cairn/tokens/create", {}, 400, "'name'"],
      ["POST", "cairn/tokens/create", { name: " " }, 400, "'name'"],
      ["POST", "cairn/tokens/create", { name: "n".repeat(101) }, 400, "'name'"],
      ["POST", "cairn/tokens/create", { name: 7 }, 400, "'name'"],
      ["POST", "cairn/tokens/create", { name: "t", expires_in_days: 0 }, 400, "'expires_in_days'"],
      ["POST", "cairn/tokens/create", { name: "t", expires_in_days: 3651 }, 400, "'expires_in_days'"],
      ["POST", "cairn/tokens/create", { name: "t", expires_in_days: 1.5 }, 400, "'expires_in_days'"],
      ["POST", "cairn/tokens/create", { name: "t", expires_in_days: "9223372036854775808" }, 400, "'expires_in_days'"],
      ["GET", "cairn/tokens/list?username=a%3Ab", undefined, 400, "'username'"],
      ["GET", "cairn/users/list?max_results=0", undefined, 400, "'max_results'"],
      ["GET", "cairn/users/list?max_results=1001", undefined, 400, "'max_results'"],
      ["GET", "cairn/users/list?max_results=x", undefined, 400, "'max_results'"],
      ["GET", "cairn/users/list?page_token=not-a-token", undefined, 400, "'page_token'"],
      ["GET", "cairn/users/list?page_token=" + Buffer.from(JSON.stringify({ after: "a".repeat(300) })).toString("base64url"), undefined, 400, "'page_token'"],
      ["POST", "cairn/tokens/revoke", {}, 400, "'id'"],
      ["POST", "cairn/tokens/revoke", { id: "../../x" }, 400, "'id'"],
      ["POST", "cairn/tokens/revoke", { id: "0".repeat(32) }, 404, "not found"],
      ["POST", "cairn/tokens/revoke", { id: ["x"] }, 400, "'id'"],
    ];
    for (const [method, path, body, status, mentions] of cases) {
      expectRefusal(`${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}`, await send(method, path, body), { status, mentions });
    }
    // sign-in is public: its malformed bodies are refused the same way, and count as no attempt.
    const signIn: Array<[unknown, number, string]> = [
      [{}, 400, "'username'"],
      [{ username: "root" }, 400, "'password'"],
      [{ username: 1, password: "x" }, 400, "'username'"],
      ["{", 400, "Malformed JSON"],
      ["[]", 400, "JSON object"],
      [{ username: "root", password: "wrong-password-1" }, 401, "Invalid user name or password."],
    ];
    for (const [body, status, mentions] of signIn) {
      expectRefusal(`sign-in ${JSON.stringify(body)}`, await send("POST", "cairn/auth/sign-in", body, {}), { status, mentions });
    }
    const textPlain = await fetch(`${server.url}/api/2.0/cairn/auth/sign-in`, { method: "POST", headers: { "content-type": "text/plain" }, body: '{"username":"root","password":"root-password-0001"}' });
    expectRefusal("sign-in as text/plain", { status: textPlain.status, text: await textPlain.text() }, { status: 415 });
    expect(await snapshot()).toBe(before);
  });
});

describe("malformed requests to the permission and approver endpoints", () => {
  let server: RunningServer & { dir: string };
  const root = { authorization: basic(ADMIN.username, ADMIN.password) };

  const send = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${server.url}/api/2.0/${path}`, {
      method,
      headers: { ...root, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };

  const snapshot = async (): Promise<string> => {
    const parts = await Promise.all([
      send("GET", "mlflow/users/get?username=ada"),
      send("GET", "cairn/approvers/list?name=churn"),
      send("GET", "cairn/audit/events?max_results=1000"),
    ]);
    return JSON.stringify(parts.map((part) => part.text));
  };

  beforeAll(async () => {
    server = await startAuthServer();
    for (const username of ["ada", "bob"]) {
      expect((await send("POST", "mlflow/users/create", { username, password: `${username}-password-0001` })).status).toBe(200);
    }
    expect((await send("POST", "mlflow/experiments/create", { name: "grants" })).status).toBe(200);
    expect((await send("POST", "mlflow/registered-models/create", { name: "churn" })).status).toBe(200);
    expect((await send("POST", "mlflow/experiments/permissions/create", { experiment_id: "1", username: "ada", permission: "READ" })).status).toBe(200);
    expect((await send("POST", "mlflow/registered-models/permissions/create", { name: "churn", username: "ada", permission: "EDIT" })).status).toBe(200);
    expect((await send("POST", "cairn/approvers/create", { name: "churn", username: "ada" })).status).toBe(200);
  });
  afterAll(async () => server?.close());

  it("refuses every malformed grant with a 4xx naming the field, and changes nothing", async () => {
    const before = await snapshot();
    const experiment = "mlflow/experiments/permissions";
    const model = "mlflow/registered-models/permissions";
    const cases: Array<[string, string, unknown, number, string]> = [
      ["POST", `${experiment}/create`, {}, 400, "'experiment_id'"],
      ["POST", `${experiment}/create`, { experiment_id: { $ne: 1 }, username: "ada", permission: "READ" }, 400, "'experiment_id'"],
      ["POST", `${experiment}/create`, { experiment_id: "../0", username: "ada", permission: "EDIT" }, 400, "experiment"],
      ["POST", `${experiment}/create`, { experiment_id: "99", username: "ada", permission: "EDIT" }, 404, "99"],
      ["POST", `${experiment}/create`, { experiment_id: "1", permission: "EDIT" }, 400, "'username'"],
      ["POST", `${experiment}/create`, { experiment_id: "1", username: "   ", permission: "EDIT" }, 400, "'username'"],
      ["POST", `${experiment}/create`, { experiment_id: "1", username: "a:b", permission: "EDIT" }, 400, "'username'"],
      ["POST", `${experiment}/create`, { experiment_id: "1", username: "u".repeat(300), permission: "EDIT" }, 400, "'username'"],
      ["POST", `${experiment}/create`, { experiment_id: "1", username: ["ada"], permission: "EDIT" }, 400, "'username'"],
      ["POST", `${experiment}/create`, { experiment_id: "1", username: "zed", permission: "EDIT" }, 404, "User with username=zed not found"],
      ["POST", `${experiment}/create`, { experiment_id: "1", username: "ada", permission: "OWNER" }, 400, "Invalid permission 'OWNER'"],
      ["POST", `${experiment}/create`, { experiment_id: "1", username: "ada", permission: 1 }, 400, "'permission'"],
      ["POST", `${experiment}/create`, { experiment_id: "1", username: "ada", permission: "EDIT" }, 400, "already exists"],
      ["POST", `${experiment}/create`, "{", 400, "Malformed JSON"],
      ["GET", `${experiment}/get?experiment_id=1`, undefined, 400, "'username'"],
      ["GET", `${experiment}/get?experiment_id=1&username=bob`, undefined, 404, "not found"],
      ["PATCH", `${experiment}/update`, { experiment_id: "1", username: "ada", permission: "read" }, 400, "Invalid permission 'read'"],
      ["PATCH", `${experiment}/update`, { experiment_id: "2", username: "ada", permission: "EDIT" }, 404, "not found"],
      ["DELETE", `${experiment}/delete`, { experiment_id: "1", username: "bob" }, 404, "not found"],
      ["POST", `${model}/create`, { username: "ada", permission: "READ" }, 400, "'name'"],
      ["POST", `${model}/create`, { name: 5, username: "ada", permission: "READ" }, 400, "'name'"],
      ["POST", `${model}/create`, { name: "nope", username: "ada", permission: "READ" }, 404, "nope"],
      ["POST", `${model}/create`, { name: "churn", username: "ada", permission: "MANAGE" }, 400, "already exists"],
      ["GET", `${model}/get?name=churn&username=${"u".repeat(300)}`, undefined, 400, "'username'"],
      ["PATCH", `${model}/update`, { name: "churn", username: "ada", permission: "" }, 400, "'permission'"],
      ["DELETE", `${model}/delete`, { name: "churn", username: "bob" }, 404, "not found"],
      ["POST", "cairn/approvers/create", { name: "churn" }, 400, "'username'"],
      ["POST", "cairn/approvers/create", { name: "nope", username: "ada" }, 404, "nope"],
      ["POST", "cairn/approvers/create", { name: "churn", username: "zed" }, 404, "User with username=zed not found"],
      ["POST", "cairn/approvers/create", { name: "churn", username: "ada" }, 400, "already is an approver"],
      ["DELETE", "cairn/approvers/delete", { name: "churn", username: "bob" }, 404, "is not an approver"],
      ["GET", "cairn/approvers/list", undefined, 400, "'name'"],
    ];
    for (const [method, path, body, status, mentions] of cases) {
      expectRefusal(`${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}`, await send(method, path, body), { status, mentions });
    }
    expect(await snapshot()).toBe(before);
  });
});

describe("malformed requests to the data version routes (issue 13)", () => {
  let server: TempServer;
  const send = async (path: string): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${server.url}/api/2.0/cairn/${path}`);
    return { status: response.status, text: await response.text() };
  };
  const hash = "a".repeat(64);

  beforeAll(async () => {
    server = await startTempServer("cairn-malformed-data-versions-");
  });
  afterAll(async () => server?.close());

  it("refuses malformed hashes, relations, bounds and tokens naming the field, and a version nobody recorded", async () => {
    const before = await send("audit/events?max_results=1000");
    const cases: Array<[string, string, number, string]> = [
      ["no hash", "data/versions/get", 400, "'hash'"],
      ["empty hash", "data/versions/get?hash=", 400, "'hash'"],
      ["short hash", "data/versions/get?hash=abc", 400, "'hash'"],
      ["upper-case hash", `data/versions/get?hash=${"A".repeat(64)}`, 400, "'hash'"],
      ["63 hex", `data/versions/get?hash=${"a".repeat(63)}`, 400, "'hash'"],
      ["bad suffix", `data/versions/get?hash=${hash}.tar`, 400, "'hash'"],
      ["traversal", "data/versions/get?hash=..%2F..%2F.cairn-data%2Ffiles", 400, "'hash'"],
      ["NUL", `data/versions/get?hash=${hash}%00`, 400, "'hash'"],
      ["oversize hash", `data/versions/get?hash=${"a".repeat(8000)}`, 400, "'hash'"],
      ["lone surrogate", "data/versions/get?hash=%ED%A0%80", 400, "'hash'"],
      ["max_files 0", `data/versions/get?hash=${hash}&max_files=0`, 400, "'max_files'"],
      ["max_files 1001", `data/versions/get?hash=${hash}&max_files=1001`, 400, "'max_files'"],
      ["max_files text", `data/versions/get?hash=${hash}&max_files=many`, 400, "'max_files'"],
      ["max_files int64 overflow", `data/versions/get?hash=${hash}&max_files=9223372036854775808`, 400, "'max_files'"],
      ["foreign page token", `data/versions/get?hash=${hash}&page_token=${Buffer.from('{"after":"x"}').toString("base64url")}`, 400, "'page_token'"],
      ["negative offset token", `data/versions/get?hash=${hash}&page_token=${Buffer.from('{"offset":-1}').toString("base64url")}`, 400, "'page_token'"],
      ["unknown version", `data/versions/get?hash=${hash}`, 404, `Data version '${hash}' not found`],
      ["runs without relation", `data/versions/runs?hash=${hash}`, 400, "'relation'"],
      ["runs with unknown relation", `data/versions/runs?hash=${hash}&relation=consumed`, 400, "'relation'"],
      ["runs with bad hash", "data/versions/runs?hash=zz&relation=used", 400, "'hash'"],
      ["runs max_results 0", `data/versions/runs?hash=${hash}&relation=used&max_results=0`, 400, "'max_results'"],
      ["runs max_results 1001", `data/versions/runs?hash=${hash}&relation=used&max_results=1001`, 400, "'max_results'"],
      ["runs oversize token", `data/versions/runs?hash=${hash}&relation=used&page_token=${"A".repeat(5000)}`, 400, "'page_token'"],
    ];
    for (const [label, path, status, mentions] of cases) expectRefusal(label, await send(path), { status, mentions });
    expect((await send("audit/events?max_results=1000")).text).toBe(before.text);
  });
});

describe("malformed requests to the data object routes (issue 13)", () => {
  let data: TempServer;
  const DATA = "/api/2.0/cairn/data";
  const sha = (text: string): string => createHash("sha256").update(text).digest("hex");
  const stored = async (): Promise<string> => {
    const root = path.join(data.dir, "artifacts", ".cairn-data");
    const files = await readdir(root, { recursive: true }).catch(() => [] as string[]);
    const events = await (await fetch(`${data.url}/api/2.0/cairn/audit/events?max_results=1000`)).text();
    return JSON.stringify([files.sort(), events]);
  };
  beforeAll(async () => {
    data = await startTempServer("cairn-malformed-data-");
    const body = "kept object";
    await fetch(`${data.url}${DATA}/objects/sha256/${sha(body)}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body });
  });
  afterAll(async () => data?.close());

  const send = async (method: string, url: string, body?: string | Buffer, type = "application/json"): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${data.url}${url}`, { method, ...(body === undefined ? {} : { headers: { "content-type": type }, body }) });
    return { status: response.status, text: await response.text() };
  };

  it("refuses hostile hashes in the path on GET and PUT, naming 'hash', storing nothing", async () => {
    const before = await stored();
    const hostile = [
      "..%2F..%2F..%2Fetc%2Fpasswd",
      "..",
      "%2e%2e",
      "A".repeat(64),
      "a".repeat(63),
      "a".repeat(65),
      `${"a".repeat(64)}.DIR`,
      `${"a".repeat(64)}.dir.dir`,
      `${"a".repeat(64)}%00`,
      "a".repeat(900),
      `${"a".repeat(62)}%2F`,
    ];
    for (const hash of hostile) {
      for (const method of ["GET", "PUT"]) {
        const answer = await send(method, `${DATA}/objects/sha256/${hash}`, method === "PUT" ? "x" : undefined, "application/octet-stream");
        expect(answer.status, `${method} ${hash}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${method} ${hash}`).toBeLessThan(500);
        expect(answer.text, `${method} ${hash}`).toMatch(/"error_code":"(INVALID_PARAMETER_VALUE|ENDPOINT_NOT_FOUND|BAD_REQUEST)"/);
      }
    }
    const named = await send("GET", `${DATA}/objects/sha256/${"A".repeat(64)}`);
    expect(named.text).toContain("'hash'");
    expect(await stored()).toBe(before);
  });

  it("refuses a body that does not match its hash, or that is declared too large, storing nothing", async () => {
    const before = await stored();
    const hash = sha("promised");
    const wrong = await send("PUT", `${DATA}/objects/sha256/${hash}`, "delivered", "application/octet-stream");
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain(hash);
    const empty = await send("PUT", `${DATA}/objects/sha256/${hash}`, "", "application/octet-stream");
    expect(empty.status).toBe(400);
    const batch = (body: string): Promise<{ status: number; text: string }> => send("POST", `${DATA}/objects/batch-upload`, body, "application/octet-stream");
    for (const [body, mentions] of [
      [`${hash} 9\ndelivered`, hash],
      [`${hash} 100\nshort`, "truncated"],
      [`../../etc/passwd 1\nx`, "objects[0].hash"],
      [`${hash} -1\n`, "size of object"],
      [`${"y".repeat(5000)}`, "header line"],
      [`${hash} 1e3\n`, "size of object"],
    ] as const) {
      const answer = await batch(body);
      expect(answer.status, mentions).toBe(400);
      expect(answer.text, mentions).toContain(mentions);
    }
    expect(await stored()).toBe(before);
  });

  it("refuses malformed objects/missing and references requests, naming the field, changing nothing", async () => {
    const before = await stored();
    const cases: Array<[string, string, string | undefined, number, string]> = [
      ["POST", `${DATA}/objects/missing`, "{", 400, "Malformed JSON"],
      ["POST", `${DATA}/objects/missing`, "[]", 400, "JSON object"],
      ["POST", `${DATA}/objects/missing`, "{}", 400, "'hashes'"],
      ["POST", `${DATA}/objects/missing`, JSON.stringify({ hashes: [1] }), 400, "hashes[0]"],
      ["POST", `${DATA}/objects/missing`, JSON.stringify({ hashes: [{}] }), 400, "hashes[0]"],
      ["POST", `${DATA}/objects/missing`, JSON.stringify({ hashes: ["../etc/passwd"] }), 400, "hashes[0]"],
      ["POST", `${DATA}/objects/missing`, JSON.stringify({ hashes: ["a".repeat(64), "b".repeat(800)] }), 400, "hashes[1]"],
      ["POST", `${DATA}/objects/missing`, JSON.stringify({ hashes: Array.from({ length: 10_001 }, () => "a".repeat(64)) }), 400, "at most 10000"],
      ["POST", `${DATA}/objects/missing`, JSON.stringify({ hashes: ["a".repeat(64)], pad: "x".repeat(1_100_000) }), 413, "limit"],
      ["GET", `${DATA}/references?max_results=abc`, undefined, 400, "'max_results'"],
      ["GET", `${DATA}/references?max_results=-1`, undefined, 400, "'max_results'"],
      ["GET", `${DATA}/references?max_results=100000`, undefined, 400, "'max_results'"],
      ["GET", `${DATA}/references?page_token=${"x".repeat(9000)}`, undefined, 400, "page token"],
      ["GET", `${DATA}/references?page_token=bm90LWpzb24`, undefined, 400, "page token"],
      ["GET", `${DATA}/objects/sha256/${"c".repeat(64)}`, undefined, 404, "does not exist"],
      ["DELETE", `${DATA}/objects/sha256/${"c".repeat(64)}`, undefined, 404, "ENDPOINT_NOT_FOUND"],
      ["POST", `${DATA}/objects/batch-download`, "{", 400, "Malformed JSON"],
      ["POST", `${DATA}/objects/batch-download`, "{}", 400, "'hashes'"],
      ["POST", `${DATA}/objects/batch-download`, JSON.stringify({ hashes: ["../../x"] }), 400, "hashes[0]"],
      ["POST", `${DATA}/objects/batch-download`, JSON.stringify({ hashes: Array.from({ length: 10_001 }, () => "a".repeat(64)) }), 400, "at most 10000"],
      ["POST", `${DATA}/objects/batch-download`, JSON.stringify({ hashes: [], pad: "x".repeat(1_100_000) }), 413, "limit"],
    ];
    for (const [method, url, body, status, mentions] of cases) {
      const answer = await send(method, url, body);
      expect(answer.status, `${method} ${url.slice(0, 80)} ${body?.slice(0, 60) ?? ""}`).toBe(status);
      expect(answer.text, `${method} ${url.slice(0, 80)}`).toContain(mentions);
      expect(answer.text).toMatch(/"error_code":"[A-Z_]+"/);
    }
    expect(await stored()).toBe(before);
  });
});

describe("audit/verify's full flag (issue 14)", () => {
  it("refuses a value that is not a boolean, naming the field, and changes nothing", async () => {
    const before = await snapshot();
    for (const full of ["maybe", "1", "yes", ""]) {
      const response = await audited.call("GET", "cairn/audit/verify", { full });
      expect(response.status, full).toBe(400);
      expect(response.body.error_code).toBe("INVALID_PARAMETER_VALUE");
      expect(response.body.message).toContain("'full'");
    }
    expect(await snapshot()).toBe(before);
  });
});
