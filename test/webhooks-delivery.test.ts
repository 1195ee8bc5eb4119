import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { DomainEvent } from "../src/core/events.js";
import { TestReceiver } from "../src/webhooks/test-support/receiver.js";
import { FAST_OPTIONS, openWebhookNode, tempDbFile, type WebhookNode } from "../src/webhooks/test-support/webhook-kit.js";

/** Webhook deliveries against a real HTTP receiver on loopback, with the queue in a real SQLite file. */

const aliasSet = (payload: Record<string, unknown> = { name: "churn", alias: "champion", version: "4", previous_version: "3" }): DomainEvent => ({
  type: "alias.set",
  time: 1_700_000_000_123,
  actor: { name: "ada", verified: false },
  requestId: "req-42",
  payload,
});

const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback port with nothing listening on it (yet). */
const freePort = async (): Promise<number> => {
  const probe = new TestReceiver();
  await probe.listen();
  const port = probe.port;
  await probe.close();
  return port;
};

describe("webhook deliveries", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  const track = <T extends { close: () => Promise<void> }>(thing: T): T => {
    cleanups.push(() => thing.close());
    return thing;
  };
  const node = async (file: string, options = FAST_OPTIONS): Promise<WebhookNode> => track(await openWebhookNode(file, options));
  const receiver = async (behaviour = {}): Promise<TestReceiver> => {
    const r = track(new TestReceiver(behaviour));
    await r.listen();
    return r;
  };
  const tempFile = (): string => {
    const temp = tempDbFile();
    cleanups.push(temp.remove);
    return temp.file;
  };
  afterEach(async () => {
    // Nodes before the folder that holds their file: cleanups run in reverse order of registration.
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  const createHook = async (n: WebhookNode, url: string, events: string[] = ["*"], extra: Record<string, unknown> = {}) => {
    const created = await n.call("POST", "webhooks/create", { name: "ci", url, events, ...extra });
    expect(created.status).toBe(200);
    return created.body as { webhook: { id: string }; secret: string };
  };
  const deliveries = async (n: WebhookNode, query: Record<string, string> = {}) => {
    const listed = await n.call("GET", "webhooks/deliveries", query);
    expect(listed.status).toBe(200);
    return listed.body.deliveries as Array<Record<string, any>>;
  };

  it("POSTs the event as JSON signed with HMAC-SHA256 over '<timestamp>.<body>', and logs it as delivered", async () => {
    const r = await receiver();
    const n = await node(tempFile());
    const { webhook, secret } = await createHook(n, r.url);
    n.service.start();
    const before = Math.floor(Date.now() / 1000);
    await n.service.publish(aliasSet());
    await r.waitFor(1);

    const [request] = r.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/hook");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-cairn-event"]).toBe("alias.set");
    const timestamp = Number(request?.headers["x-cairn-timestamp"]);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    const expected = createHmac("sha256", secret).update(`${timestamp}.${request?.body}`).digest("hex");
    expect(request?.headers["x-cairn-signature"]).toBe(`sha256=${expected}`);
    // The same bytes with another secret do not verify.
    expect(request?.headers["x-cairn-signature"]).not.toBe(`sha256=${createHmac("sha256", "other").update(`${timestamp}.${request?.body}`).digest("hex")}`);

    const body = JSON.parse(request!.body);
    expect(body).toEqual({
      id: request?.headers["x-cairn-delivery"],
      type: "alias.set",
      time: 1_700_000_000_123,
      actor: { name: "ada", verified: false },
      request_id: "req-42",
      payload: { name: "churn", alias: "champion", version: "4", previous_version: "3" },
    });

    const [logged] = await until(() => deliveries(n, { webhook_id: webhook.id }), (d) => d[0]?.status === "delivered");
    expect(logged).toMatchObject({
      id: body.id,
      webhook_id: webhook.id,
      event_type: "alias.set",
      status: "delivered",
      attempts: 1,
      last_status_code: 200,
      payload: { name: "churn", alias: "champion", version: "4", previous_version: "3" },
    });
    expect(logged).not.toHaveProperty("next_attempt_time");
    expect(logged).not.toHaveProperty("last_error");
    expect(logged?.delivered_time).toBeGreaterThanOrEqual(logged?.created_time);
  });

  it("sends each subscription only the event types it asked for", async () => {
    const r = await receiver();
    const n = await node(tempFile());
    const aliases = await createHook(n, `${r.url}?who=aliases`, ["alias.set", "alias.deleted"]);
    const versions = await createHook(n, `${r.url}?who=versions`, ["model_version.created"]);
    const all = await createHook(n, `${r.url}?who=all`, ["*"]);
    await createHook(n, `${r.url}?who=inactive`, ["*"], { active: false });
    n.service.start();
    await n.service.publish(aliasSet());
    await n.service.publish({ ...aliasSet({ name: "churn", version: "5" }), type: "model_version.created" });
    await n.service.publish({ ...aliasSet({ name: "churn", version: "5", to_stage: "Production" }), type: "stage.changed" });
    await r.waitFor(5);
    await sleep(150);

    const seen = r.requests.map((q) => `${new URL(q.path, "http://x").searchParams.get("who")} ${q.headers["x-cairn-event"]}`).sort();
    expect(seen).toEqual([
      "aliases alias.set",
      "all alias.set",
      "all model_version.created",
      "all stage.changed",
      "versions model_version.created",
    ]);
    expect((await deliveries(n, { webhook_id: aliases.webhook.id })).map((d) => d.event_type)).toEqual(["alias.set"]);
    expect((await deliveries(n, { webhook_id: versions.webhook.id })).map((d) => d.event_type)).toEqual(["model_version.created"]);
    expect((await deliveries(n, { webhook_id: all.webhook.id })).map((d) => d.event_type)).toEqual(["stage.changed", "model_version.created", "alias.set"]);
  });

  it("retries a failing receiver with exponential backoff, resending the same delivery, until it answers 2xx", async () => {
    const r = await receiver({ failFirst: 3 });
    const n = await node(tempFile());
    const { webhook } = await createHook(n, r.url);
    n.service.start();
    await n.service.publish(aliasSet());
    await r.waitFor(4);
    const [logged] = await until(() => deliveries(n, { webhook_id: webhook.id }), (d) => d[0]?.status === "delivered");
    expect(logged).toMatchObject({ status: "delivered", attempts: 4, last_status_code: 200 });
    expect(logged).not.toHaveProperty("last_error");

    expect(r.requests.map((q) => q.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(r.requests.map((q) => q.headers["x-cairn-delivery"])).size).toBe(1);
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    await sleep(100);
    expect(r.requests).toHaveLength(4);
  });

  it("waits base * 2^(n-1) between attempts (20, 40, 80 ms with jitter pinned)", async () => {
    const r = await receiver({ failFirst: 3 });
    const n = await node(tempFile(), { ...FAST_OPTIONS, pollIntervalMs: 1_000 });
    await createHook(n, r.url);
    const arrivals: number[] = [];
    const originalPush = r.requests.push.bind(r.requests);
    r.requests.push = (...items) => {
      arrivals.push(performance.now());
      return originalPush(...items);
    };
    n.service.start();
    await n.service.publish(aliasSet());
    await r.waitFor(4);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    // Never earlier than the backoff (1 ms of slack for clock rounding); the dispatcher sleeps until the row is due
    // rather than for its 1 s poll interval, so not much later either.
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(79);
    for (const gap of gaps) expect(gap).toBeLessThan(900);
  });

  it("marks a delivery failed after the maximum number of attempts and stops sending it", async () => {
    const r = await receiver({ failFirst: 1000, failStatus: 503 });
    const n = await node(tempFile(), { ...FAST_OPTIONS, maxAttempts: 3 });
    const { webhook } = await createHook(n, r.url);
    n.service.start();
    await n.service.publish(aliasSet());
    const [logged] = await until(() => deliveries(n, { webhook_id: webhook.id, status: "failed" }), (d) => d.length === 1);
    expect(logged).toMatchObject({ status: "failed", attempts: 3, last_status_code: 503, last_error: "HTTP 503" });
    expect(logged).not.toHaveProperty("next_attempt_time");
    expect(logged).not.toHaveProperty("delivered_time");
    await sleep(300);
    expect(r.requests).toHaveLength(3);
    expect(await deliveries(n, { status: "pending" })).toEqual([]);
  });

  it("records why a receiver could not be reached, with the next attempt time", async () => {
    const port = await freePort();
    const n = await node(tempFile(), { ...FAST_OPTIONS, backoffBaseMs: 60_000, backoffCapMs: 60_000 });
    await createHook(n, `http://127.0.0.1:${port}/down`);
    n.service.start();
    await n.service.publish(aliasSet());
    const [logged] = await until(() => deliveries(n), (d) => d[0]?.attempts === 1 && d[0]?.last_error !== undefined);
    expect(logged?.status).toBe("pending");
    expect(logged?.last_error).toMatch(/^ECONNREFUSED/);
    expect(logged).not.toHaveProperty("last_status_code");
    expect(logged?.next_attempt_time - Date.now()).toBeGreaterThan(50_000);
  });

  it("publish() only enqueues: a receiver that never answers slows neither publish nor stop beyond the timeout", async () => {
    const r = await receiver({ hang: true });
    const n = await node(tempFile(), { ...FAST_OPTIONS, fetchTimeoutMs: 300, maxAttempts: 1 });
    const { webhook } = await createHook(n, r.url);
    n.service.start();
    await n.service.publish(aliasSet());
    await r.waitFor(1);
    // The dispatcher is now stuck on the hanging receiver; publishing more is still a matter of an insert.
    const started = performance.now();
    for (let i = 0; i < 50; i++) await n.service.publish(aliasSet({ i }));
    expect(performance.now() - started).toBeLessThan(250);
    const failed = await until(() => deliveries(n, { webhook_id: webhook.id, status: "failed" }), (d) => d.length >= 1);
    expect(failed[0]?.last_error).toBe("timed out after 300 ms");
    const stopStarted = performance.now();
    await n.service.stop();
    expect(performance.now() - stopStarted).toBeLessThan(1_000);
  });

  it("survives a restart: a delivery enqueued while the receiver is down is sent exactly once by the next process", async () => {
    const file = tempFile();
    const port = await freePort();
    const first = await node(file, { ...FAST_OPTIONS, backoffBaseMs: 50, backoffCapMs: 50 });
    const { webhook, secret } = await createHook(first, `http://127.0.0.1:${port}/hook`);
    first.service.start();
    await first.service.publish(aliasSet());
    await until(() => deliveries(first), (d) => d[0]?.attempts === 1 && typeof d[0]?.last_error === "string");
    await first.close();

    // The receiver comes up on the same address; a new process opens the same database file.
    const r = track(new TestReceiver());
    await r.listen(port);
    await sleep(100);
    expect(r.requests).toHaveLength(0);
    const second = await node(file);
    second.service.start();
    await r.waitFor(1);
    const [logged] = await until(() => deliveries(second, { webhook_id: webhook.id }), (d) => d[0]?.status === "delivered");
    expect(logged).toMatchObject({ status: "delivered", attempts: 2, last_status_code: 200 });
    await sleep(200);
    expect(r.requests).toHaveLength(1);
    const [request] = r.requests;
    const timestamp = request?.headers["x-cairn-timestamp"];
    expect(request?.headers["x-cairn-signature"]).toBe(`sha256=${createHmac("sha256", secret).update(`${timestamp}.${request?.body}`).digest("hex")}`);
    expect(JSON.parse(request!.body)).toMatchObject({ id: logged?.id, type: "alias.set", request_id: "req-42" });
  });

  it("sends a delivery that was enqueued by a process that never ran its dispatcher", async () => {
    const file = tempFile();
    const r = await receiver();
    const writer = await node(file);
    await createHook(writer, r.url);
    for (let i = 0; i < 5; i++) await writer.service.publish(aliasSet({ i }));
    await writer.close();

    const next = await node(file);
    next.service.start();
    await r.waitFor(5);
    await sleep(150);
    expect(r.requests.map((q) => JSON.parse(q.body).payload.i).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it("two processes draining one queue send every delivery exactly once", async () => {
    const file = tempFile();
    const r = await receiver({ delayMs: 5 });
    const a = await node(file, { ...FAST_OPTIONS, batchSize: 4 });
    const b = await node(file, { ...FAST_OPTIONS, batchSize: 4 });
    await createHook(a, r.url);
    a.service.start();
    b.service.start();
    for (let i = 0; i < 40; i++) await (i % 2 === 0 ? a : b).service.publish(aliasSet({ i }));
    await r.waitFor(40);
    await sleep(200);
    expect(r.requests).toHaveLength(40);
    expect(new Set(r.requests.map((q) => q.headers["x-cairn-delivery"])).size).toBe(40);
    expect(await deliveries(a, { status: "delivered", max_results: "100" })).toHaveLength(40);
  });

  it("stop() waits for the delivery in flight and records its outcome", async () => {
    const r = await receiver({ delayMs: 300 });
    const n = await node(tempFile());
    await createHook(n, r.url);
    n.service.start();
    await n.service.publish(aliasSet());
    await r.waitFor(1);
    const started = performance.now();
    await n.service.stop();
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    const [logged] = await deliveries(n);
    expect(logged).toMatchObject({ status: "delivered", attempts: 1, last_status_code: 200 });
  });

  it("does not follow redirects: a 3xx is a failed attempt", async () => {
    const target = await receiver();
    const redirecting = track(new TestReceiver({ failFirst: 1000, failStatus: 307, location: target.url }));
    await redirecting.listen();
    const n = await node(tempFile(), { ...FAST_OPTIONS, maxAttempts: 1 });
    await createHook(n, redirecting.url);
    n.service.start();
    await n.service.publish(aliasSet());
    const [logged] = await until(() => deliveries(n, { status: "failed" }), (d) => d.length === 1);
    expect(logged).toMatchObject({ last_status_code: 307, last_error: "HTTP 307 (redirects are not followed)" });
    expect(target.requests).toHaveLength(0);
  });
});
