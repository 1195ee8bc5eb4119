import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openWebhookNode, tempDbFile, type WebhookNode } from "../src/webhooks/test-support/webhook-kit.js";

/** Cairn's webhooks API over HTTP (fastify inject) on a real SQLite file: CRUD, validation errors, audit entries. */
describe("webhooks API", () => {
  let temp: ReturnType<typeof tempDbFile>;
  let n: WebhookNode;
  const ada = { "x-cairn-user": "ada" };

  beforeEach(async () => {
    temp = tempDbFile();
    n = await openWebhookNode(temp.file);
  });
  afterEach(async () => {
    await n.close();
    temp.remove();
  });

  const create = (body: Record<string, unknown>) => n.call("POST", "webhooks/create", body, ada);
  const expectError = (response: { status: number; body: any }, status: number, code: string, message: RegExp) => {
    expect(response.status).toBe(status);
    expect(response.body.error_code).toBe(code);
    expect(response.body.message).toMatch(message);
  };

  it("creates a webhook, returns a generated 64-hex secret once, and never lists or gets the secret", async () => {
    const created = await create({ name: "ci", url: "https://ci.example.com/hooks/cairn", events: ["alias.set", "model_version.created"] });
    expect(created.status).toBe(200);
    expect(created.body.secret).toMatch(/^[0-9a-f]{64}$/);
    const webhook = created.body.webhook;
    expect(webhook).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: "ci",
      url: "https://ci.example.com/hooks/cairn",
      format: "cairn",
      events: ["alias.set", "model_version.created"],
      active: true,
      created_time: expect.any(Number),
      last_updated_time: webhook.created_time,
    });

    const got = await n.call("GET", "webhooks/get", { id: webhook.id });
    expect(got).toEqual({ status: 200, body: { webhook } });
    const listed = await n.call("GET", "webhooks/list");
    expect(listed).toEqual({ status: 200, body: { webhooks: [webhook] } });
    expect(JSON.stringify([got.body, listed.body])).not.toContain(created.body.secret);

    const second = await create({ name: "ci", url: "http://127.0.0.1:8080/x", events: ["*"] });
    expect(second.body.secret).not.toBe(created.body.secret);
  });

  it("keeps a given secret and the active flag", async () => {
    const created = await create({ name: "paused", url: "http://localhost:9000/", events: ["*"], secret: "s3cret-s3cret-s3cret", active: false });
    expect(created.body.secret).toBe("s3cret-s3cret-s3cret");
    expect(created.body.webhook.active).toBe(false);
    expect((await n.store.getWebhook(created.body.webhook.id))?.secret).toBe("s3cret-s3cret-s3cret");
  });

  it("updates only the fields given, and deletes", async () => {
    const { webhook } = (await create({ name: "ci", url: "http://127.0.0.1:1/a", events: ["alias.set"] })).body;
    const updated = await n.call("POST", "webhooks/update", { id: webhook.id, events: ["stage.changed", "promotion.refused"], active: false }, ada);
    expect(updated.status).toBe(200);
    expect(updated.body.webhook).toMatchObject({ id: webhook.id, name: "ci", url: "http://127.0.0.1:1/a", events: ["stage.changed", "promotion.refused"], active: false });
    const renamed = await n.call("POST", "webhooks/update", { id: webhook.id, name: "deploys", url: "https://hooks.example.org/d" }, ada);
    expect(renamed.body.webhook).toMatchObject({ name: "deploys", url: "https://hooks.example.org/d", events: ["stage.changed", "promotion.refused"], active: false });

    expect(await n.call("DELETE", "webhooks/delete", { id: webhook.id }, ada)).toEqual({ status: 200, body: {} });
    expectError(await n.call("GET", "webhooks/get", { id: webhook.id }), 404, "RESOURCE_DOES_NOT_EXIST", new RegExp(`Webhook with id '${webhook.id}' not found`));
    expectError(await n.call("DELETE", "webhooks/delete", { id: webhook.id }), 404, "RESOURCE_DOES_NOT_EXIST", /not found/);
    expectError(await n.call("POST", "webhooks/update", { id: "nope", active: true }), 404, "RESOURCE_DOES_NOT_EXIST", /'nope' not found/);
    expect((await n.call("GET", "webhooks/list")).body).toEqual({ webhooks: [] });
  });

  it("audits create, update and delete with the actor and request id, never the secret", async () => {
    const created = await n.call("POST", "webhooks/create", { name: "ci", url: "http://127.0.0.1:1/a", events: ["*"] }, { ...ada, "x-request-id": "req-7" });
    const id = created.body.webhook.id;
    await n.call("POST", "webhooks/update", { id, active: false }, { "x-cairn-user": "bob", "x-request-id": "req-8" });
    await n.call("DELETE", "webhooks/delete", { id }, { "x-request-id": "req-9" });
    const snapshot = { name: "ci", url: "http://127.0.0.1:1/a", format: "cairn", events: ["*"] };
    expect(n.audit.entries).toEqual([
      { context: { actor: { name: "ada", verified: false }, requestId: "req-7" }, action: "webhooks.webhook.create", entityType: "webhook", entityId: id, after: { ...snapshot, active: true } },
      { context: { actor: { name: "bob", verified: false }, requestId: "req-8" }, action: "webhooks.webhook.update", entityType: "webhook", entityId: id, before: { ...snapshot, active: true }, after: { ...snapshot, active: false } },
      { context: { actor: { name: "anonymous", verified: false }, requestId: "req-9" }, action: "webhooks.webhook.delete", entityType: "webhook", entityId: id, before: { ...snapshot, active: false } },
    ]);
    expect(JSON.stringify(n.audit.entries)).not.toContain(created.body.secret);
  });

  it("refuses invalid subscriptions with a message naming the field and the limit, and audits nothing", async () => {
    const base = { name: "ci", url: "http://127.0.0.1:1/a", events: ["*"] };
    const bad = "INVALID_PARAMETER_VALUE";
    expectError(await create({ ...base, url: "ftp://example.com/x" }), 400, bad, /must use http or https, not 'ftp'/);
    expectError(await create({ ...base, url: "file:///etc/passwd" }), 400, bad, /must use http or https, not 'file'/);
    expectError(await create({ ...base, url: "https://user:pw@example.com/x" }), 400, bad, /must not contain credentials/);
    expectError(await create({ ...base, url: "not a url" }), 400, bad, /'not a url' is not an absolute URL/);
    expectError(await create({ ...base, url: `https://example.com/${"a".repeat(2048)}` }), 400, bad, /at most 2048/);
    expectError(await create({ ...base, url: undefined }), 400, bad, /Missing value for required parameter 'url'/);
    expectError(await create({ ...base, name: undefined }), 400, bad, /Missing value for required parameter 'name'/);
    expectError(await create({ ...base, name: "x".repeat(257) }), 400, bad, /'name' is 257 characters long; at most 256/);
    expectError(await create({ ...base, events: [] }), 400, bad, /'events' must list at least one event type/);
    expectError(await create({ ...base, events: ["alias.set", "run.created"] }), 400, bad, /unknown event type 'run.created'; known: model_version.created, alias.set, alias.deleted, stage.changed, promotion.refused, registered_model.created/);
    expectError(await create({ ...base, events: ["*", "alias.set"] }), 400, bad, /list "\*" alone/);
    expectError(await create({ ...base, events: [3] }), 400, bad, /'events\[0\]'/);
    expectError(await create({ ...base, secret: "short" }), 400, bad, /'secret' is 5 characters long; it must be 16 to 256/);
    expectError(await create({ ...base, active: "maybe" }), 400, bad, /'active'/);
    const { webhook } = (await create(base)).body;
    expectError(await n.call("POST", "webhooks/update", { id: webhook.id, url: "gopher://x" }), 400, bad, /not 'gopher'/);
    expectError(await n.call("POST", "webhooks/update", { id: webhook.id, events: [] }), 400, bad, /at least one event type/);
    expect(n.audit.entries.map((e) => e.action)).toEqual(["webhooks.webhook.create"]);
  });

  it("lists deliveries with filters, paging and errors", async () => {
    const a = (await create({ name: "a", url: "http://127.0.0.1:1/a", events: ["*"] })).body.webhook;
    const b = (await create({ name: "b", url: "http://127.0.0.1:1/b", events: ["alias.deleted"] })).body.webhook;
    const event = { type: "alias.deleted", time: 1, actor: { name: "ada", verified: false }, requestId: "r", payload: { name: "m", alias: "champion" } };
    for (let i = 0; i < 3; i++) await n.service.publish({ ...event, payload: { ...event.payload, i } });

    const all = await n.call("GET", "webhooks/deliveries");
    expect(all.body.deliveries).toHaveLength(6);
    expect(all.body).not.toHaveProperty("next_page_token");
    expect(all.body.deliveries[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      webhook_id: b.id,
      event_type: "alias.deleted",
      status: "pending",
      attempts: 0,
      next_attempt_time: expect.any(Number),
      created_time: expect.any(Number),
      event_time: 1,
      actor: { name: "ada", verified: false },
      request_id: "r",
      payload: { name: "m", alias: "champion", i: 2 },
    });

    const page1 = await n.call("GET", "webhooks/deliveries", { webhook_id: a.id, max_results: "2" });
    expect(page1.body.deliveries.map((d: any) => d.payload.i)).toEqual([2, 1]);
    const page2 = await n.call("GET", "webhooks/deliveries", { webhook_id: a.id, max_results: "2", page_token: page1.body.next_page_token });
    expect(page2.body.deliveries.map((d: any) => d.payload.i)).toEqual([0]);
    expect(page2.body).not.toHaveProperty("next_page_token");
    expect((await n.call("GET", "webhooks/deliveries", { status: "delivered" })).body).toEqual({ deliveries: [] });
    // The same API under the web UI's prefix.
    const ajax = await n.app.inject({ method: "GET", url: `/ajax-api/2.0/cairn/webhooks/deliveries?webhook_id=${b.id}` });
    expect(JSON.parse(ajax.body).deliveries).toHaveLength(3);

    expectError(await n.call("GET", "webhooks/deliveries", { status: "lost" }), 400, "INVALID_PARAMETER_VALUE", /'status'.*must be one of pending, delivered, failed/);
    expectError(await n.call("GET", "webhooks/deliveries", { max_results: "0" }), 400, "INVALID_PARAMETER_VALUE", /between 1 and 1000/);
    expectError(await n.call("GET", "webhooks/deliveries", { max_results: "1001" }), 400, "INVALID_PARAMETER_VALUE", /between 1 and 1000/);
    expectError(await n.call("GET", "webhooks/deliveries", { page_token: "garbage" }), 400, "INVALID_PARAMETER_VALUE", /Invalid page_token/);
    expectError(await n.call("GET", "webhooks/deliveries", { webhook_id: "nope" }), 404, "RESOURCE_DOES_NOT_EXIST", /'nope' not found/);
  });
});
