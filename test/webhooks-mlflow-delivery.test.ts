import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../src/core/events.js";
import { startTempServer } from "../src/server/test-support/temp-server.js";
import { TestReceiver, type ReceivedRequest } from "../src/webhooks/test-support/receiver.js";
import { useWebhookFixtures, type WebhookNode } from "../src/webhooks/test-support/webhook-kit.js";

/**
 * MLflow-format deliveries to a real HTTP receiver on loopback: MLflow's envelope and headers, and its signature
 * recomputed here independently ("v1," + base64 HMAC-SHA256 of "<delivery id>.<timestamp>.<body>"); Cairn-format
 * webhooks beside them keep Cairn's format; both share one queue, retries, delivery log and audit trail.
 */

const ISO_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

const mlflowSignature = (secret: string, request: ReceivedRequest): string =>
  `v1,${createHmac("sha256", secret)
    .update(`${String(request.headers["x-mlflow-delivery-id"])}.${String(request.headers["x-mlflow-timestamp"])}.${request.body}`)
    .digest("base64")}`;

const event = (type: string, payload: Record<string, unknown>): DomainEvent => ({
  type,
  time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  actor: { name: "ada", verified: false },
  requestId: "req-1",
  payload,
});

const until = async (done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe("MLflow-format webhook deliveries", () => {
  const { node, receiver } = useWebhookFixtures();
  const createMlflowHook = async (n: WebhookNode, url: string, events: Array<{ entity: string; action: string }>, secret?: string) => {
    const created = await n.callMlflow("POST", "webhooks", { name: "mlflow", url, events, ...(secret !== undefined ? { secret } : {}) });
    expect(created.status).toBe(200);
    return created.body.webhook.webhook_id as string;
  };

  it("retries with the same delivery id and body, each attempt signed MLflow's way, and logs it in the shared delivery log", async () => {
    const r = await receiver({ failFirst: 2 });
    const n = await node();
    const id = await createMlflowHook(n, r.url, [{ entity: "MODEL_VERSION_ALIAS", action: "CREATED" }], "mlflow-secret");
    n.service.start();
    await n.service.publish(event("alias.set", { name: "churn", alias: "champion", version: "4", previous_version: "3" }));
    await r.waitFor(3);

    const [first, second, third] = r.requests;
    for (const request of [first, second, third]) {
      if (!request) throw new Error("missing request");
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers["x-mlflow-timestamp"]).toMatch(/^\d{10}$/);
      expect(request.headers["x-mlflow-signature"]).toBe(mlflowSignature("mlflow-secret", request));
      expect(request.headers).not.toHaveProperty("x-cairn-signature");
      expect(request.headers["x-mlflow-delivery-id"]).toBe(first?.headers["x-mlflow-delivery-id"]);
      expect(request.body).toBe(first?.body);
    }
    expect(JSON.parse(first?.body ?? "")).toEqual({
      entity: "model_version_alias",
      action: "created",
      timestamp: "2026-01-02T03:04:05.678000+00:00",
      data: { name: "churn", alias: "champion", version: "4" },
    });

    // One log for both APIs: Cairn's deliveries call shows the MLflow webhook's delivery, retried and delivered.
    await until(async () => (await n.call("GET", "webhooks/deliveries", { webhook_id: id })).body.deliveries[0]?.status === "delivered");
    const [delivery] = (await n.call("GET", "webhooks/deliveries", { webhook_id: id })).body.deliveries;
    expect(delivery).toMatchObject({
      id: first?.headers["x-mlflow-delivery-id"],
      webhook_id: id,
      event_type: "alias.set",
      status: "delivered",
      attempts: 3,
      last_status_code: 200,
    });
  });

  it("Cairn-only events and alias removals MLflow does not announce reach Cairn-format webhooks only; no secret, no signature", async () => {
    const mlflowReceiver = await receiver();
    const cairnReceiver = await receiver();
    const n = await node();
    await createMlflowHook(n, mlflowReceiver.url, [{ entity: "MODEL_VERSION_ALIAS", action: "DELETED" }]);
    const cairn = await n.call("POST", "webhooks/create", { name: "all", url: cairnReceiver.url, events: ["*"] });
    n.service.start();
    await n.service.publish(event("stage.changed", { name: "churn", version: "4", stage: "Production" }));
    await n.service.publish(event("alias.deleted", { name: "churn", alias: "old", previous_version: "2", reason: "model_version_deleted" }));
    await n.service.publish(event("alias.deleted", { name: "churn", alias: "champion", previous_version: "4", reason: "alias_deleted" }));
    await cairnReceiver.waitFor(3);
    await mlflowReceiver.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(mlflowReceiver.requests).toHaveLength(1);
    const [only] = mlflowReceiver.requests;
    expect(only?.headers).not.toHaveProperty("x-mlflow-signature");
    expect(only?.headers["x-mlflow-delivery-id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(only?.body ?? "")).toEqual({
      entity: "model_version_alias",
      action: "deleted",
      timestamp: expect.stringMatching(ISO_MICROS),
      data: { name: "churn", alias: "champion" },
    });

    // Cairn's format is unchanged: its envelope, its headers, its signature.
    const secret = cairn.body.secret as string;
    const types = cairnReceiver.requests.map((request) => {
      const timestamp = String(request.headers["x-cairn-timestamp"]);
      const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest("hex")}`;
      expect(request.headers["x-cairn-signature"]).toBe(expected);
      expect(request.headers).not.toHaveProperty("x-mlflow-signature");
      const body = JSON.parse(request.body);
      expect(Object.keys(body).sort()).toEqual(["actor", "id", "payload", "request_id", "time", "type"]);
      return body.type as string;
    });
    expect(types.sort()).toEqual(["alias.deleted", "alias.deleted", "stage.changed"]);
  });

  it("Cairn's API sees MLflow webhooks (format, Cairn's event names) and cannot give them events MLflow cannot express; the MLflow API does not see Cairn's", async () => {
    const n = await node();
    const id = await createMlflowHook(n, "https://ci.example.com/mlflow", [{ entity: "PROMPT_ALIAS", action: "CREATED" }]);
    const cairn = await n.call("POST", "webhooks/create", { name: "cairn", url: "https://ci.example.com/cairn", events: ["stage.changed"] });

    const listed = (await n.call("GET", "webhooks/list")).body.webhooks;
    expect(listed.map((w: any) => [w.name, w.format, w.events])).toEqual([
      ["mlflow", "mlflow", ["prompt_alias.created"]],
      ["cairn", "cairn", ["stage.changed"]],
    ]);
    const refused = await n.call("POST", "webhooks/update", { id, events: ["*"] });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/'\*', which MLflow's webhook API cannot express/);
    expect((await n.call("POST", "webhooks/update", { id, events: ["stage.changed"] })).status).toBe(400);
    expect((await n.call("POST", "webhooks/update", { id, events: ["model_version.created"] })).status).toBe(200);
    expect((await n.callMlflow("GET", `webhooks/${id}`)).body.webhook.events).toEqual([{ entity: "MODEL_VERSION", action: "CREATED" }]);

    const hidden = await n.callMlflow("GET", `webhooks/${cairn.body.webhook.id}`);
    expect(hidden.status).toBe(404);
    expect((await n.callMlflow("PATCH", `webhooks/${cairn.body.webhook.id}`, { name: "x" })).status).toBe(404);
    expect((await n.callMlflow("DELETE", `webhooks/${cairn.body.webhook.id}`)).status).toBe(404);
    expect((await n.callMlflow("GET", "webhooks")).body.webhooks.map((w: any) => w.webhook_id)).toEqual([id]);

    // One audit trail: MLflow API writes are audited like Cairn's, with the format and without the secret.
    expect(n.audit.entries.map((entry) => [entry.action, (entry.after as any)?.format])).toEqual([
      ["webhooks.webhook.create", "mlflow"],
      ["webhooks.webhook.create", "cairn"],
      ["webhooks.webhook.update", "mlflow"],
    ]);
  });

  it("test_webhook reports a refused connection as MLflow does (success false, error_message), audited", async () => {
    const probe = await receiver();
    const url = probe.url;
    await probe.close();
    const n = await node();
    const id = await createMlflowHook(n, url, [{ entity: "PROMPT_VERSION", action: "CREATED" }]);
    const tested = await n.callMlflow("POST", `webhooks/${id}/test`, {});
    expect(tested.status).toBe(200);
    expect(tested.body).toEqual({ result: { success: false, error_message: expect.stringMatching(/^Failed to test webhook: ECONNREFUSED/) } });
    expect(n.audit.entries.at(-1)).toMatchObject({
      action: "webhooks.webhook.test",
      entityId: id,
      after: { event: "prompt_version.created", success: false, status: null },
    });
  });
});

describe("registry events delivered to an MLflow-format and a Cairn-format webhook of a real server", () => {
  it("emits MLflow's model and prompt events with MLflow's data, and the same events in Cairn's format", async () => {
    const server = await startTempServer("cairn-mlflow-events-");
    const mlflowReceiver = new TestReceiver();
    const cairnReceiver = new TestReceiver();
    try {
      await mlflowReceiver.listen();
      await cairnReceiver.listen();
      const api = async (method: string, path: string, body?: unknown): Promise<any> => {
        const response = await fetch(`${server.url}/api/2.0/${path}`, {
          method,
          headers: { "Content-Type": "application/json" },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const text = await response.text();
        expect(response.status, `${method} ${path}: ${text}`).toBe(200);
        return JSON.parse(text);
      };
      const entities = ["REGISTERED_MODEL.CREATED", "MODEL_VERSION.CREATED", "MODEL_VERSION_TAG.SET", "MODEL_VERSION_TAG.DELETED",
        "MODEL_VERSION_ALIAS.CREATED", "MODEL_VERSION_ALIAS.DELETED", "PROMPT.CREATED", "PROMPT_VERSION.CREATED", "PROMPT_TAG.SET",
        "PROMPT_TAG.DELETED", "PROMPT_VERSION_TAG.SET", "PROMPT_VERSION_TAG.DELETED", "PROMPT_ALIAS.CREATED", "PROMPT_ALIAS.DELETED"];
      await api("POST", "mlflow/webhooks", {
        name: "all-mlflow",
        url: mlflowReceiver.url,
        secret: "s",
        events: entities.map((text) => {
          const [entity, action] = text.split(".");
          return { entity, action };
        }),
      });
      await api("POST", "cairn/webhooks/create", { name: "all-cairn", url: cairnReceiver.url, events: ["*"] });

      const run = (await api("POST", "mlflow/runs/create", { experiment_id: "0" })).run.info.run_id as string;
      // A model...
      await api("POST", "mlflow/registered-models/create", { name: "churn", description: "d", tags: [{ key: "team", value: "risk" }] });
      await api("POST", "mlflow/model-versions/create", { name: "churn", source: `runs:/${run}/model`, run_id: run, description: "v1" });
      await api("POST", "mlflow/model-versions/set-tag", { name: "churn", version: "1", key: "k", value: "v" });
      await api("DELETE", "mlflow/model-versions/delete-tag", { name: "churn", version: "1", key: "k" });
      await api("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: "1" });
      await api("DELETE", "mlflow/registered-models/alias", { name: "churn", alias: "champion" });
      // ... and a prompt, as the 3.x client registers one (the prompt tag on the model and on each version).
      const isPrompt = { key: "mlflow.prompt.is_prompt", value: "true" };
      await api("POST", "mlflow/registered-models/create", { name: "greeting", tags: [isPrompt] });
      await api("POST", "mlflow/model-versions/create", {
        name: "greeting",
        source: `runs:/${run}/prompt`,
        description: "first",
        tags: [isPrompt, { key: "mlflow.prompt.text", value: "Hello {{name}}!" }, { key: "lang", value: "en" }],
      });
      await api("POST", "mlflow/registered-models/set-tag", { name: "greeting", key: "owner", value: "ada" });
      await api("DELETE", "mlflow/registered-models/delete-tag", { name: "greeting", key: "owner" });
      await api("POST", "mlflow/model-versions/set-tag", { name: "greeting", version: "1", key: "k", value: "v" });
      await api("DELETE", "mlflow/model-versions/delete-tag", { name: "greeting", version: "1", key: "k" });
      await api("POST", "mlflow/registered-models/alias", { name: "greeting", alias: "production", version: "1" });
      await api("DELETE", "mlflow/registered-models/alias", { name: "greeting", alias: "production" });
      // Cairn-only: reaches the Cairn webhook only.
      await api("POST", "mlflow/model-versions/transition-stage", { name: "churn", version: "1", stage: "Staging", archive_existing_versions: false });

      await mlflowReceiver.waitFor(14);
      await cairnReceiver.waitFor(15);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(mlflowReceiver.requests).toHaveLength(14);
      expect(cairnReceiver.requests).toHaveLength(15);

      const received = new Map<string, unknown>();
      for (const request of mlflowReceiver.requests) {
        expect(request.headers["x-mlflow-signature"]).toBe(mlflowSignature("s", request));
        const body = JSON.parse(request.body);
        expect(Object.keys(body)).toEqual(["entity", "action", "timestamp", "data"]);
        expect(body.timestamp).toMatch(ISO_MICROS);
        received.set(`${body.entity}.${body.action}`, body.data);
      }
      expect(Object.fromEntries(received)).toEqual({
        "registered_model.created": { name: "churn", tags: { team: "risk" }, description: "d" },
        "model_version.created": { name: "churn", version: "1", source: `runs:/${run}/model`, run_id: run, tags: {}, description: "v1" },
        "model_version_tag.set": { name: "churn", version: "1", key: "k", value: "v" },
        "model_version_tag.deleted": { name: "churn", version: "1", key: "k" },
        "model_version_alias.created": { name: "churn", alias: "champion", version: "1" },
        "model_version_alias.deleted": { name: "churn", alias: "champion" },
        "prompt.created": { name: "greeting", tags: {}, description: null },
        "prompt_version.created": { name: "greeting", version: "1", template: "Hello {{name}}!", tags: { lang: "en" }, description: "first" },
        "prompt_tag.set": { name: "greeting", key: "owner", value: "ada" },
        "prompt_tag.deleted": { name: "greeting", key: "owner" },
        "prompt_version_tag.set": { name: "greeting", version: "1", key: "k", value: "v" },
        "prompt_version_tag.deleted": { name: "greeting", version: "1", key: "k" },
        "prompt_alias.created": { name: "greeting", alias: "production", version: "1" },
        "prompt_alias.deleted": { name: "greeting", alias: "production" },
      });

      const cairnTypes = cairnReceiver.requests.map((request) => JSON.parse(request.body).type as string).sort();
      expect(cairnTypes).toEqual(
        [
          "registered_model.created", "model_version.created", "model_version_tag.set", "model_version_tag.deleted", "alias.set",
          "alias.deleted", "prompt.created", "prompt_version.created", "prompt_tag.set", "prompt_tag.deleted", "prompt_version_tag.set",
          "prompt_version_tag.deleted", "prompt_alias.created", "prompt_alias.deleted", "stage.changed",
        ].sort(),
      );
      const aliasSet = cairnReceiver.requests.map((request) => JSON.parse(request.body)).find((body) => body.type === "alias.set");
      expect(aliasSet.payload).toEqual({ name: "churn", alias: "champion", version: "1", previous_version: null });
    } finally {
      await mlflowReceiver.close();
      await cairnReceiver.close();
      await server.close();
    }
  });
});
