import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { TestReceiver } from "../src/webhooks/test-support/receiver.js";
import { loadSchemaFiles, toQueryString, type JsonObject } from "./support/proto-schema.js";

/**
 * MLflow's webhook API as the MLflow 3.x Python client calls it (MlflowClient.create_webhook, list_webhooks,
 * get_webhook, update_webhook, test_webhook, delete_webhook), checked against webhooks.proto
 * (test/fixtures/mlflow-protos/mlflow3-webhooks-schema.json): each request is built as message_to_json builds it
 * and sent to the RPC's endpoint with {webhook_id} filled in (query string for GET, JSON body otherwise), to a real
 * server over loopback; each response is validated field by field against `<Request>.Response` and its values
 * checked exactly. Every RPC of WebhookService is called.
 */

const schema = loadSchemaFiles("mlflow-wire-schema.json", "mlflow3-webhooks-schema.json");
const SERVICE = "mlflow.WebhookService";
const called = new Set<string>();

let server: TempServer;
let receiver: TestReceiver;
beforeAll(async () => {
  server = await startTempServer("cairn-mlflow-webhooks-");
  receiver = new TestReceiver();
  await receiver.listen();
});
afterAll(async () => {
  await receiver?.close();
  await server?.close();
});

const send = async (rpcName: string, message: Record<string, unknown>, status = 200): Promise<JsonObject> => {
  const rpc = schema.rpc(`${SERVICE}.${rpcName}`);
  const endpoint = rpc.endpoints[0];
  if (!endpoint) throw new Error(`${rpcName} has no endpoint`);
  const json = schema.toClientJson(rpc.request, message, { int64: "number" });
  expect(schema.validate(rpc.request, json), `request of ${rpcName}`).toEqual([]);
  expect(schema.missingRequired(rpc.request, json), `request of ${rpcName}`).toEqual([]);
  const path = endpoint.path.replace("{webhook_id}", encodeURIComponent(String(message.webhook_id ?? "")));
  const url = `${server.url}/api/2.0${path}`;
  const response =
    endpoint.method === "GET"
      ? await fetch(`${url}?${toQueryString(json)}`)
      : await fetch(url, { method: endpoint.method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(json) });
  const text = await response.text();
  expect(response.status, `${endpoint.method} ${path} answered ${text}`).toBe(status);
  const body = JSON.parse(text) as JsonObject;
  if (status === 200) {
    expect(schema.validate(rpc.response, body), `response of ${rpcName}`).toEqual([]);
    called.add(rpcName);
  } else {
    expect(Object.keys(body).sort()).toEqual(["error_code", "message"]);
    expect(schema.enums.get("mlflow.ErrorCode")?.has(String(body.error_code))).toBe(true);
  }
  return body;
};

const HEX32 = /^[0-9a-f]{32}$/;

describe("MLflow 3 webhook API, as the 3.x client calls it", () => {
  let id = "";
  let created: JsonObject = {};

  it("create_webhook: MLflow's Webhook, secret never returned", async () => {
    const before = Date.now();
    const body = await send("createWebhook", {
      name: "ci",
      description: "tell CI",
      url: receiver.url,
      events: [
        { entity: "MODEL_VERSION", action: "CREATED" },
        { entity: "MODEL_VERSION_ALIAS", action: "CREATED" },
      ],
      secret: "shh-it-is-a-secret",
    });
    created = body.webhook as JsonObject;
    expect(created).toEqual({
      webhook_id: expect.stringMatching(HEX32),
      name: "ci",
      description: "tell CI",
      url: receiver.url,
      events: [
        { entity: "MODEL_VERSION", action: "CREATED" },
        { entity: "MODEL_VERSION_ALIAS", action: "CREATED" },
      ],
      status: "ACTIVE",
      creation_timestamp: expect.any(Number),
      last_updated_timestamp: created.creation_timestamp as number,
    });
    expect(created.creation_timestamp as number).toBeGreaterThanOrEqual(before);
    expect(JSON.stringify(body)).not.toContain("shh-it-is-a-secret");
    id = created.webhook_id as string;
  });

  it("get_webhook", async () => {
    expect(await send("getWebhook", { webhook_id: id })).toEqual({ webhook: created });
  });

  it("list_webhooks pages with max_results and page_token; only MLflow-format webhooks are listed", async () => {
    const second = (await send("createWebhook", { name: "second", url: receiver.url, events: [{ entity: "PROMPT", action: "CREATED" }], status: "DISABLED" }))
      .webhook as JsonObject;
    expect(second).toMatchObject({ name: "second", status: "DISABLED", events: [{ entity: "PROMPT", action: "CREATED" }] });
    expect(second).not.toHaveProperty("description");
    // A webhook of Cairn's own API is not visible here.
    const cairn = await fetch(`${server.url}/api/2.0/cairn/webhooks/create`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "cairn", url: receiver.url, events: ["*"] }),
    });
    expect(cairn.status).toBe(200);

    const page1 = await send("listWebhooks", { max_results: 1 });
    expect(page1).toEqual({ webhooks: [created], next_page_token: expect.any(String) });
    const page2 = await send("listWebhooks", { max_results: 1, page_token: page1.next_page_token });
    expect(page2).toEqual({ webhooks: [second] });
    expect(await send("listWebhooks", {})).toEqual({ webhooks: [created, second] });
    await send("deleteWebhook", { webhook_id: second.webhook_id });
  });

  it("update_webhook: the fields given change, the others stay", async () => {
    const body = await send("updateWebhook", {
      webhook_id: id,
      name: "ci-renamed",
      status: "DISABLED",
      events: [{ entity: "MODEL_VERSION_TAG", action: "SET" }],
      secret: "a-new-secret",
    });
    const updated = body.webhook as JsonObject;
    expect(updated).toEqual({
      ...created,
      name: "ci-renamed",
      status: "DISABLED",
      events: [{ entity: "MODEL_VERSION_TAG", action: "SET" }],
      last_updated_timestamp: expect.any(Number),
    });
    expect(updated.last_updated_timestamp as number).toBeGreaterThanOrEqual(created.last_updated_timestamp as number);
    expect(JSON.stringify(body)).not.toContain("a-new-secret");
    created = updated;
    created = (await send("updateWebhook", { webhook_id: id, status: "ACTIVE" })).webhook as JsonObject;
    expect(created).toMatchObject({ name: "ci-renamed", status: "ACTIVE", events: [{ entity: "MODEL_VERSION_TAG", action: "SET" }] });
  });

  it("test_webhook: posts MLflow's example payload signed with the current secret, and reports the answer", async () => {
    const seen = receiver.requests.length;
    const body = await send("testWebhook", { webhook_id: id, event: { entity: "REGISTERED_MODEL", action: "CREATED" } });
    expect(body).toEqual({ result: { success: true, response_status: 200, response_body: "ok" } });
    const request = receiver.requests[seen];
    expect(request).toBeDefined();
    if (!request) return;
    const deliveryId = String(request.headers["x-mlflow-delivery-id"]);
    const timestamp = String(request.headers["x-mlflow-timestamp"]);
    const expected = `v1,${createHmac("sha256", "a-new-secret").update(`${deliveryId}.${timestamp}.${request.body}`).digest("base64")}`;
    expect(request.headers["x-mlflow-signature"]).toBe(expected);
    expect(JSON.parse(request.body)).toEqual({
      entity: "registered_model",
      action: "created",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/),
      data: { name: "example_model", tags: { example_key: "example_value" }, description: "An example registered model" },
    });

    // Without an event, the webhook's first one (now model_version_tag.set).
    await send("testWebhook", { webhook_id: id });
    expect(JSON.parse(receiver.requests[seen + 1]?.body ?? "{}")).toMatchObject({
      entity: "model_version_tag",
      action: "set",
      data: { name: "example_model", version: "1", key: "example_key", value: "example_value" },
    });
  });

  it("delete_webhook, then get_webhook is RESOURCE_DOES_NOT_EXIST", async () => {
    expect(await send("deleteWebhook", { webhook_id: id })).toEqual({});
    const missing = await send("getWebhook", { webhook_id: id }, 404);
    expect(missing).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: `Webhook with id '${id}' not found.` });
  });

  it("every RPC of WebhookService was called", () => {
    expect([...called].sort()).toEqual(["createWebhook", "deleteWebhook", "getWebhook", "listWebhooks", "testWebhook", "updateWebhook"]);
  });
});
