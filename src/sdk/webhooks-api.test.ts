import { describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { useRecordingClient } from "./test-support/recording-client.js";
import { signMlflowWebhookPayload, signWebhookPayload, verifyMlflowWebhookSignature, verifyWebhookSignature } from "./webhook-signature.js";

const { clientFor, sent } = useRecordingClient();

describe("WebhooksApi requests", () => {
  it("creates, lists, gets, updates and deletes subscriptions and pages through deliveries", async () => {
    const webhook = { id: "w1", name: "ci", url: "http://127.0.0.1:9/hook", events: ["alias.set"], active: true, created_time: 1 };
    const client = await clientFor((request) => {
      if (request.url.includes("create")) return { status: 200, body: { webhook, secret: "s3cret" } };
      if (request.url.includes("list")) return { status: 200, body: { webhooks: [webhook] } };
      if (request.url.includes("deliveries")) return { status: 200, body: {} };
      return { status: 200, body: { webhook } };
    });
    expect(await client.webhooks.create({ name: "ci", url: webhook.url, events: ["alias.set"] })).toEqual({ webhook, secret: "s3cret" });
    expect(await client.webhooks.list()).toEqual([webhook]);
    expect(await client.webhooks.get("w1")).toEqual(webhook);
    expect(await client.webhooks.update({ id: "w1", active: false })).toEqual(webhook);
    await client.webhooks.delete("w1");
    expect(await client.webhooks.deliveries({ webhookId: "w1", status: "failed", maxResults: 10 })).toEqual({ items: [], nextPageToken: undefined });
    expect(sent()).toEqual([
      `POST /api/2.0/cairn/webhooks/create {"name":"ci","url":"http://127.0.0.1:9/hook","events":["alias.set"]}`,
      "GET /api/2.0/cairn/webhooks/list",
      "GET /api/2.0/cairn/webhooks/get?id=w1",
      `POST /api/2.0/cairn/webhooks/update {"id":"w1","active":false}`,
      `DELETE /api/2.0/cairn/webhooks/delete {"id":"w1"}`,
      "GET /api/2.0/cairn/webhooks/deliveries?webhook_id=w1&status=failed&max_results=10",
    ]);
  });
});

/** The documented recipe, written out independently of the SDK's code. */
const signBody = (secret: string, timestamp: number, body: string): string =>
  `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;

describe("verifyWebhookSignature", () => {
  const secret = "whsec_test";
  const body = '{"id":"d1","type":"alias.set","time":1700000000000,"payload":{"name":"churn","alias":"champion","version":"4"}}';
  const now = 1_700_000_100_000;
  const timestamp = 1_700_000_000; // 100 s before now

  it("accepts the documented HMAC, as text or bytes, and a header in upper-case hex", () => {
    const header = signBody(secret, timestamp, body);
    expect(signWebhookPayload(secret, timestamp, body)).toBe(header);
    expect(verifyWebhookSignature(secret, String(timestamp), body, header, 300, now)).toBe(true);
    expect(verifyWebhookSignature(secret, timestamp, Buffer.from(body), header, 300, now)).toBe(true);
    expect(verifyWebhookSignature(secret, timestamp, body, `sha256=${header.slice(7).toUpperCase()}`, 300, now)).toBe(true);
  });

  it("rejects another secret, a changed body, a changed timestamp, a stale timestamp and malformed headers", () => {
    const header = signBody(secret, timestamp, body);
    expect(verifyWebhookSignature("other", timestamp, body, header, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, body.replace("4", "5"), header, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp + 1, body, header, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, body, header, 99, now)).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, body, header, 300, now + 250_000)).toBe(false);
    for (const bad of [undefined, "", header.slice(7), "sha1=" + header.slice(7), header + "00", "sha256=zz"]) {
      expect(verifyWebhookSignature(secret, timestamp, body, bad, 300, now)).toBe(false);
    }
    expect(verifyWebhookSignature(secret, "17e8", body, header, 300, now)).toBe(false);
    expect(verifyWebhookSignature("", timestamp, body, signBody("", timestamp, body), 300, now)).toBe(false);
  });
});

describe("verifyMlflowWebhookSignature", () => {
  const secret = "mlflow-secret";
  const deliveryId = "5f0c8a52f0a64c0ba3a7f1b2c3d4e5f6";
  const body = '{"entity":"model_version","action":"created","timestamp":"2023-11-14T22:13:20.000000+00:00","data":{"name":"churn"}}';
  const now = 1_700_000_100_000;
  const timestamp = 1_700_000_000;
  /** MLflow's rule, written out independently: "v1," + base64 HMAC-SHA256 of "<delivery id>.<timestamp>.<body>". */
  const header = `v1,${createHmac("sha256", secret).update(`${deliveryId}.${timestamp}.${body}`).digest("base64")}`;

  it("accepts MLflow's signature, as text or bytes", () => {
    expect(signMlflowWebhookPayload(secret, deliveryId, timestamp, body)).toBe(header);
    expect(verifyMlflowWebhookSignature(secret, deliveryId, String(timestamp), body, header, 300, now)).toBe(true);
    expect(verifyMlflowWebhookSignature(secret, deliveryId, timestamp, Buffer.from(body), header, 300, now)).toBe(true);
  });

  it("rejects another secret, delivery id, body or timestamp, stale timestamps and malformed headers", () => {
    expect(verifyMlflowWebhookSignature("other", deliveryId, timestamp, body, header, 300, now)).toBe(false);
    expect(verifyMlflowWebhookSignature(secret, `${deliveryId}0`, timestamp, body, header, 300, now)).toBe(false);
    expect(verifyMlflowWebhookSignature(secret, deliveryId, timestamp, body.replace("churn", "churm"), header, 300, now)).toBe(false);
    expect(verifyMlflowWebhookSignature(secret, deliveryId, timestamp + 1, body, header, 300, now)).toBe(false);
    expect(verifyMlflowWebhookSignature(secret, deliveryId, timestamp, body, header, 99, now)).toBe(false);
    for (const bad of [undefined, "", header.slice(3), `v2,${header.slice(3)}`, `${header}=`, "v1,!!!"]) {
      expect(verifyMlflowWebhookSignature(secret, deliveryId, timestamp, body, bad, 300, now)).toBe(false);
    }
    expect(verifyMlflowWebhookSignature(secret, undefined, timestamp, body, header, 300, now)).toBe(false);
    expect(verifyMlflowWebhookSignature(secret, deliveryId, undefined, body, header, 300, now)).toBe(false);
    expect(verifyMlflowWebhookSignature("", deliveryId, timestamp, body, header, 300, now)).toBe(false);
  });
});
