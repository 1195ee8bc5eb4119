import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TestReceiver } from "../src/webhooks/test-support/receiver.js";
import { spawnServer, type ServerProcess } from "./support/spawn-server.js";

/**
 * Pending deliveries survive a restart of the server process: an event is published while the receiver is down,
 * the server is stopped, the receiver comes up, and a new server process on the same database delivers it once.
 */
describe("webhook deliveries across a server restart", () => {
  let dir = "";
  let server: ServerProcess | undefined;
  const receiver = new TestReceiver();

  afterAll(async () => {
    await server?.stop();
    await receiver.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("delivers an event enqueued before the restart exactly once, signed, after the restart", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-webhook-restart-"));
    const db = path.join(dir, "cairn.db");
    const artifacts = path.join(dir, "artifacts");
    // Reserve a port, then close it: the webhook's URL refuses connections until the receiver comes back on it.
    await receiver.listen(0);
    const port = receiver.port;
    await receiver.close();

    server = await spawnServer(db, artifacts);
    const call = async (route: string, body: unknown): Promise<any> => {
      const response = await fetch(`${server?.url}/api/2.0/${route}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-cairn-user": "ci" },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      return JSON.parse(text);
    };
    const created = await call("cairn/webhooks/create", {
      name: "ci",
      url: `http://127.0.0.1:${port}/hook`,
      events: ["model_version.created"],
    });
    await call("mlflow/registered-models/create", { name: "churn" });
    await call("mlflow/model-versions/create", { name: "churn", source: "mlflow-artifacts:/0/r1/artifacts/model" });
    await server.stop();

    await receiver.listen(port);
    server = await spawnServer(db, artifacts);
    await receiver.waitFor(1, 20_000);
    // Give a second, wrong delivery the chance to happen before asserting there was none.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    const timestamp = String(request?.headers["x-cairn-timestamp"]);
    const expected = createHmac("sha256", created.secret).update(`${timestamp}.${request?.body}`).digest("hex");
    expect(request?.headers["x-cairn-signature"]).toBe(`sha256=${expected}`);
    const payload = JSON.parse(request?.body ?? "{}");
    expect(payload.type).toBe("model_version.created");
    expect(payload.payload).toMatchObject({ name: "churn", version: "1" });
    expect(payload.actor).toEqual({ name: "ci", verified: false });

    const deliveries: any = await (await fetch(`${server.url}/api/2.0/cairn/webhooks/deliveries?webhook_id=${created.webhook.id}`)).json();
    expect(deliveries.deliveries).toHaveLength(1);
    expect(deliveries.deliveries[0].status).toBe("delivered");
    expect(deliveries.deliveries[0].attempts).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
