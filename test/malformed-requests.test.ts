import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuditApp, type AuditTestApp } from "../src/audit/test-support/audit-app.js";
import { openWebhookNode, tempDbFile, type WebhookNode } from "../src/webhooks/test-support/webhook-kit.js";

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
