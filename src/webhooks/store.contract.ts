import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DomainEvent } from "../core/events.js";
import type { WebhookStore, WebhookWithSecret } from "./store.js";

/**
 * The contract every WebhookStore backend passes (SQLite, PostgreSQL). Each test gets a fresh, empty store; `another`
 * opens a second connection to the same database, as a second server process would.
 */
export interface OpenedWebhookStore {
  store: WebhookStore;
  another(): Promise<{ store: WebhookStore; close(): Promise<void> }>;
  cleanup(): Promise<void>;
}

export const webhook = (id: string, events: string[], overrides: Partial<WebhookWithSecret> = {}): WebhookWithSecret => ({
  id,
  name: `hook ${id}`,
  url: `http://127.0.0.1:9/${id}`,
  format: "cairn",
  events,
  active: true,
  createdTime: 1000,
  lastUpdatedTime: 1000,
  secret: `secret-${id}-0123456789`,
  ...overrides,
});

export const event = (type: string, payload: Record<string, unknown> = { name: "churn", version: "3" }): DomainEvent => ({
  type,
  time: 5000,
  actor: { name: "ada", verified: false },
  requestId: "req-1",
  payload,
});

export function describeWebhookStoreContract(name: string, open: () => Promise<OpenedWebhookStore>): void {
  describe(`WebhookStore contract: ${name}`, () => {
    let opened: OpenedWebhookStore;
    let store: WebhookStore;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it("creates, reads with the secret, lists without it, updates and deletes subscriptions", async () => {
      await store.createWebhook(webhook("b", ["alias.set"], { createdTime: 2000, lastUpdatedTime: 2000 }));
      await store.createWebhook(webhook("a", ["*"]));
      expect(await store.getWebhook("a")).toEqual(webhook("a", ["*"]));
      expect(await store.getWebhook("missing")).toBeUndefined();
      const listed = await store.listWebhooks();
      expect(listed.map((w) => w.id)).toEqual(["a", "b"]);
      expect(listed[0]).not.toHaveProperty("secret");

      const updated = await store.updateWebhook("b", { active: false, events: ["alias.set", "alias.deleted"] }, 3000);
      expect(updated).toEqual({
        id: "b",
        name: "hook b",
        url: "http://127.0.0.1:9/b",
        format: "cairn",
        events: ["alias.set", "alias.deleted"],
        active: false,
        createdTime: 2000,
        lastUpdatedTime: 3000,
      });
      expect(await store.updateWebhook("missing", { active: false }, 3000)).toBeUndefined();

      await store.enqueueDeliveries(event("alias.set"), 4000);
      expect(await store.deleteWebhook("a")).toBe(true);
      expect(await store.deleteWebhook("a")).toBe(false);
      expect((await store.listDeliveries({ maxResults: 10 })).items).toEqual([]);
    });

    it("enqueues one pending delivery per active subscription whose events hold the type or '*'", async () => {
      await store.createWebhook(webhook("all", ["*"]));
      await store.createWebhook(webhook("alias", ["alias.set", "alias.deleted"]));
      await store.createWebhook(webhook("versions", ["model_version.created"]));
      await store.createWebhook(webhook("off", ["*"], { active: false }));

      expect(await store.enqueueDeliveries(event("alias.set"), 6000)).toBe(2);
      expect(await store.enqueueDeliveries(event("stage.changed"), 6001)).toBe(1);
      const { items } = await store.listDeliveries({ maxResults: 10 });
      expect(items.map((d) => [d.webhookId, d.eventType])).toEqual([
        ["all", "stage.changed"],
        // Fanned out in subscription order (creation time, then creation order), listed newest first.
        ["alias", "alias.set"],
        ["all", "alias.set"],
      ]);
      const [, , first] = items;
      expect(first).toMatchObject({
        status: "pending",
        attempts: 0,
        nextAttemptTime: 6000,
        createdTime: 6000,
        event: { time: 5000, actor: { name: "ada", verified: false }, requestId: "req-1", payload: { name: "churn", version: "3" } },
      });
      expect(first?.id).toMatch(/^[0-9a-f]{32}$/);
    });

    it("claims due deliveries once under a lease, counts the attempt, and lets only the lease owner write the outcome", async () => {
      await store.createWebhook(webhook("w", ["*"]));
      await store.enqueueDeliveries(event("alias.set"), 1000);
      await store.enqueueDeliveries(event("alias.deleted"), 9000);

      const claimed = await store.claimDueDeliveries({ now: 2000, owner: "p1", leaseMs: 500, limit: 10 });
      expect(claimed.map((d) => [d.eventType, d.attempts, d.url, d.secret])).toEqual([
        ["alias.set", 1, "http://127.0.0.1:9/w", "secret-w-0123456789"],
      ]);
      // Leased: nobody else gets it until the lease expires.
      expect(await store.claimDueDeliveries({ now: 2499, owner: "p2", leaseMs: 500, limit: 10 })).toEqual([]);
      const id = claimed[0]!.id;
      expect(await store.markDelivered(id, "p2", { statusCode: 200 }, 2100)).toBe(false);
      expect(await store.scheduleRetry(id, "p1", { statusCode: 503, error: "HTTP 503" }, 3000)).toBe(true);
      expect(await store.getDelivery(id)).toMatchObject({ status: "pending", attempts: 1, nextAttemptTime: 3000, lastStatusCode: 503, lastError: "HTTP 503" });
      expect(await store.nextDueTime()).toBe(3000);

      const again = await store.claimDueDeliveries({ now: 3000, owner: "p2", leaseMs: 500, limit: 10 });
      expect(again.map((d) => [d.id, d.attempts])).toEqual([[id, 2]]);
      expect(await store.markDelivered(id, "p2", { statusCode: 204 }, 3100)).toBe(true);
      const delivered = await store.getDelivery(id);
      expect(delivered).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 204, deliveredTime: 3100 });
      expect(delivered).not.toHaveProperty("nextAttemptTime");
      expect(delivered).not.toHaveProperty("lastError");
      expect(await store.markFailed(id, "p2", { error: "late" })).toBe(false);
    });

    it("makes a delivery claimable again when its owner's lease expires (the owner died mid-send)", async () => {
      await store.createWebhook(webhook("w", ["*"]));
      await store.enqueueDeliveries(event("alias.set"), 1000);
      const [first] = await store.claimDueDeliveries({ now: 1000, owner: "dead", leaseMs: 500, limit: 1 });
      expect(await store.nextDueTime()).toBe(1500);
      const [second] = await store.claimDueDeliveries({ now: 1500, owner: "alive", leaseMs: 500, limit: 1 });
      expect(second?.id).toBe(first?.id);
      expect(second?.attempts).toBe(2);
      expect(await store.markDelivered(first!.id, "dead", {}, 1600)).toBe(false);
      expect(await store.markFailed(first!.id, "alive", { statusCode: 410, error: "HTTP 410" })).toBe(true);
      expect(await store.getDelivery(first!.id)).toMatchObject({ status: "failed", lastStatusCode: 410, lastError: "HTTP 410" });
      expect(await store.nextDueTime()).toBeUndefined();
    });

    it("does not claim for a deactivated subscription; the deliveries wait for it to be reactivated", async () => {
      await store.createWebhook(webhook("w", ["*"]));
      await store.enqueueDeliveries(event("alias.set"), 1000);
      await store.updateWebhook("w", { active: false }, 1100);
      expect(await store.claimDueDeliveries({ now: 2000, owner: "p", leaseMs: 500, limit: 10 })).toEqual([]);
      expect(await store.nextDueTime()).toBeUndefined();
      await store.updateWebhook("w", { active: true }, 1200);
      expect(await store.claimDueDeliveries({ now: 2000, owner: "p", leaseMs: 500, limit: 10 })).toHaveLength(1);
    });

    it("never hands one delivery to two connections on the same database (two processes)", async () => {
      const second = await opened.another();
      try {
        const other = second.store;
        await store.createWebhook(webhook("w", ["*"]));
        for (let i = 0; i < 50; i++) await store.enqueueDeliveries(event("alias.set", { i }), 1000);
        const seen: string[] = [];
        for (let round = 0; round < 20; round++) {
          const a = await store.claimDueDeliveries({ now: 2000, owner: "a", leaseMs: 60_000, limit: 3 });
          const b = await other.claimDueDeliveries({ now: 2000, owner: "b", leaseMs: 60_000, limit: 4 });
          seen.push(...a.map((d) => d.id), ...b.map((d) => d.id));
        }
        expect(seen).toHaveLength(50);
        expect(new Set(seen).size).toBe(50);
      } finally {
        await second.close();
      }
    });

    it("lists newest first, filters by subscription and status, and pages with a token absent on the last page", async () => {
      await store.createWebhook(webhook("x", ["*"]));
      await store.createWebhook(webhook("y", ["alias.set"]));
      for (let i = 0; i < 3; i++) await store.enqueueDeliveries(event("alias.set", { i }), 1000 + i);
      const [claimed] = await store.claimDueDeliveries({ now: 5000, owner: "p", leaseMs: 100, limit: 1 });
      await store.markFailed(claimed!.id, "p", { error: "HTTP 500", statusCode: 500 });

      const page1 = await store.listDeliveries({ webhookId: "x", maxResults: 2 });
      expect(page1.items.map((d) => d.event.payload)).toEqual([{ i: 2 }, { i: 1 }]);
      expect(typeof page1.nextPageToken).toBe("string");
      const page2 = await store.listDeliveries({ webhookId: "x", maxResults: 2, pageToken: page1.nextPageToken! });
      expect(page2.items.map((d) => d.event.payload)).toEqual([{ i: 0 }]);
      expect(page2.nextPageToken).toBeUndefined();

      const failed = await store.listDeliveries({ status: "failed", maxResults: 10 });
      expect(failed.items.map((d) => d.id)).toEqual([claimed!.id]);
      expect((await store.listDeliveries({ status: "pending", maxResults: 10 })).items).toHaveLength(5);
      await expect(store.listDeliveries({ maxResults: 10, pageToken: "nope" })).rejects.toThrow(/Invalid page_token 'nope'/);
    });
    it("keeps each subscription's format and description; pages subscriptions of one format in creation order", async () => {
      await store.createWebhook(webhook("c1", ["*"], { createdTime: 1000 }));
      await store.createWebhook(webhook("m1", ["alias.set"], { format: "mlflow", description: "first", secret: "", createdTime: 1000 }));
      await store.createWebhook(webhook("m2", ["alias.set"], { format: "mlflow", createdTime: 1000 }));
      await store.createWebhook(webhook("m0", ["alias.set"], { format: "mlflow", createdTime: 500 }));
      expect(await store.getWebhook("m1")).toEqual(webhook("m1", ["alias.set"], { format: "mlflow", description: "first", secret: "", createdTime: 1000 }));

      const page1 = await store.listWebhooksPage({ format: "mlflow", maxResults: 2 });
      expect(page1.items.map((w) => w.id)).toEqual(["m0", "m1"]);
      expect(page1.items[1]).not.toHaveProperty("secret");
      const page2 = await store.listWebhooksPage({ format: "mlflow", maxResults: 2, pageToken: page1.nextPageToken! });
      expect(page2).toEqual({ items: [expect.objectContaining({ id: "m2" })] });
      expect((await store.listWebhooksPage({ maxResults: 10 })).items.map((w) => w.id)).toEqual(["m0", "c1", "m1", "m2"]);
      await expect(store.listWebhooksPage({ maxResults: 1, pageToken: "x" })).rejects.toThrow(/Invalid page_token 'x'/);

      // Updating the secret and clearing the description; the format never changes.
      await store.updateWebhook("m1", { secret: "new-secret", description: null }, 2000);
      const updated = await store.getWebhook("m1");
      expect(updated).toMatchObject({ secret: "new-secret", format: "mlflow", lastUpdatedTime: 2000 });
      expect(updated).not.toHaveProperty("description");
    });

    it("enqueues for the formats asked only, and hands the format to the dispatcher with the claim", async () => {
      await store.createWebhook(webhook("c", ["alias.set"]));
      await store.createWebhook(webhook("m", ["alias.set"], { format: "mlflow" }));
      expect(await store.enqueueDeliveries(event("alias.set"), 1000, ["cairn"])).toBe(1);
      expect(await store.enqueueDeliveries(event("alias.set"), 1000, [])).toBe(0);
      expect(await store.enqueueDeliveries(event("alias.set"), 1000, ["cairn", "mlflow"])).toBe(2);
      const claimed = await store.claimDueDeliveries({ now: 2000, owner: "o", leaseMs: 1000, limit: 10 });
      expect(claimed.map((d) => [d.webhookId, d.format]).sort()).toEqual([["c", "cairn"], ["c", "cairn"], ["m", "mlflow"]]);
    });
  });
}
