import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { useWebhookFixtures } from "../src/webhooks/test-support/webhook-kit.js";

/** MLflow's webhook routes over a real SQLite file: statuses, partial updates, prefixes, the test call's answers. */

describe("MLflow's webhook routes", () => {
  const { node, receiver, onCleanup } = useWebhookFixtures();
  const events = [{ entity: "MODEL_VERSION_TAG", action: "DELETED" }];

  it("accepts enums by number as protobuf JSON does; a DISABLED webhook gets no deliveries for what happens meanwhile", async () => {
    const r = await receiver();
    const n = await node();
    const created = await n.callMlflow("POST", "webhooks", { name: "n", url: r.url, events: [{ entity: 3, action: 3 }], status: 2 });
    expect(created.status).toBe(200);
    expect(created.body.webhook).toMatchObject({ events, status: "DISABLED" });
    const id = created.body.webhook.webhook_id as string;
    n.service.start();
    const tagDeleted = (key: string) => ({
      type: "model_version_tag.deleted",
      time: 1,
      actor: { name: "ada", verified: false },
      requestId: "r",
      payload: { name: "m", version: "1", key },
    });
    await n.service.publish(tagDeleted("while-disabled"));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.requests).toHaveLength(0);
    expect((await n.callMlflow("PATCH", `webhooks/${id}`, { status: "ACTIVE" })).body.webhook.status).toBe("ACTIVE");
    await n.service.publish(tagDeleted("after"));
    await r.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.requests).toHaveLength(1);
    expect(JSON.parse(r.requests[0]?.body ?? "")).toMatchObject({ entity: "model_version_tag", action: "deleted", data: { name: "m", version: "1", key: "after" } });
  });

  it("updates only the fields given; an empty description clears it; the id in the path wins over none in the body", async () => {
    const n = await node();
    const created = (await n.callMlflow("POST", "webhooks", { name: "n", description: "d", url: "https://a.example.com/", events })).body.webhook;
    const renamed = await n.callMlflow("PATCH", `webhooks/${created.webhook_id}`, { name: "renamed" });
    expect(renamed.body.webhook).toEqual({ ...created, name: "renamed", last_updated_timestamp: expect.any(Number) });
    const cleared = await n.callMlflow("PATCH", `webhooks/${created.webhook_id}`, { description: "", url: "https://b.example.com/x" });
    expect(cleared.body.webhook).not.toHaveProperty("description");
    expect(cleared.body.webhook).toMatchObject({ name: "renamed", url: "https://b.example.com/x", events, status: "ACTIVE" });
    expect(await n.callMlflow("DELETE", `webhooks/${created.webhook_id}`)).toEqual({ status: 200, body: {} });
    expect((await n.callMlflow("GET", "webhooks")).body).toEqual({});
  });

  it("is served under /ajax-api/2.0/mlflow too, and not under /api/3.0 (webhooks.proto says since 2.0)", async () => {
    const n = await node();
    const ajax = await n.app.inject({
      method: "POST",
      url: "/ajax-api/2.0/mlflow/webhooks",
      payload: JSON.stringify({ name: "n", url: "https://a.example.com/", events }),
      headers: { "content-type": "application/json" },
    });
    expect(ajax.statusCode).toBe(200);
    const v3 = await n.app.inject({ method: "GET", url: "/api/3.0/mlflow/webhooks" });
    expect(v3.statusCode).toBe(404);
    expect(JSON.parse(v3.body).error_code).toBe("ENDPOINT_NOT_FOUND");
  });

  it("test call: a failing receiver is success false with its status and body; the body shown is cut at 1 KiB", async () => {
    const failing = await receiver({ failFirst: 1 });
    const n = await node();
    const id = (await n.callMlflow("POST", "webhooks", { name: "n", url: failing.url, events })).body.webhook.webhook_id;
    expect((await n.callMlflow("POST", `webhooks/${id}/test`, {})).body).toEqual({
      result: { success: false, response_status: 500, response_body: "boom" },
    });
    // MLflow signs only when a secret is set.
    expect(failing.requests[0]?.headers).not.toHaveProperty("x-mlflow-signature");

    const big: Server = createServer((_request, response) => response.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(100_000)));
    await new Promise<void>((resolve) => big.listen(0, "127.0.0.1", () => resolve()));
    onCleanup(() => new Promise<void>((resolve) => big.close(() => resolve())));
    const bigUrl = `http://127.0.0.1:${(big.address() as AddressInfo).port}/`;
    const other = (await n.callMlflow("POST", "webhooks", { name: "big", url: bigUrl, events })).body.webhook.webhook_id;
    const tested = await n.callMlflow("POST", `webhooks/${other}/test`, {});
    expect(tested.body.result).toEqual({ success: true, response_status: 200, response_body: "x".repeat(1024) });
  });
});
