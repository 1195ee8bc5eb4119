import { describe, expect, it } from "vitest";
import { LOOPBACK_WEBHOOK_TARGETS } from "../src/server/test-support/temp-server.js";
import { PgWebhookStore } from "../src/stores/postgres/pg-webhook-store.js";
import { openOperationsTestDatabase } from "../src/stores/postgres/test-support/operations-database.js";
import { Dispatcher } from "../src/webhooks/dispatcher.js";
import { event, webhook } from "../src/webhooks/store.contract.js";
import { TargetPolicy } from "../src/webhooks/target-policy.js";
import { TestReceiver } from "../src/webhooks/test-support/receiver.js";

/**
 * Webhook dispatchers of several replicas on one PostgreSQL database, each on its own pool as separate processes
 * would be, against one receiver: every delivery is sent once, and the deliveries a dying replica had claimed are sent
 * by the others once its lease has expired.
 */
describe("webhook dispatchers of three replicas on one PostgreSQL database", () => {
  it("deliver every event exactly once, including those a dead replica had claimed, after its lease expires", async () => {
    const database = await openOperationsTestDatabase();
    const receiver = new TestReceiver({ delayMs: 5 });
    const url = await receiver.listen();
    // The replicas' clock: real time plus an offset the test moves forward to let a lease expire.
    let offset = 0;
    const clock = (): number => Date.now() + offset;
    const errors: unknown[] = [];
    const dispatchers: Dispatcher[] = [];
    try {
      const store = new PgWebhookStore(database.db);
      await store.createWebhook(webhook("w", ["*"], { url }));
      const n = 120;
      for (let i = 0; i < n; i += 1) await store.enqueueDeliveries(event("alias.set", { i }), clock());

      // A fourth replica claims a batch (the first step of its dispatcher's round) and dies before sending: its
      // connection goes, its lease stays in the table.
      const dying = database.connect();
      const orphaned = await new PgWebhookStore(dying).claimDueDeliveries({ now: clock(), owner: "dead-replica", leaseMs: 40_000, limit: 10 });
      expect(orphaned).toHaveLength(10);
      await dying.close();

      for (let r = 0; r < 3; r += 1) {
        const dispatcher = new Dispatcher(new PgWebhookStore(database.connect()), {
          clock,
          fetchTimeoutMs: 10_000,
          targets: new TargetPolicy({ allow: [...LOOPBACK_WEBHOOK_TARGETS] }),
          maxAttempts: 5,
          backoff: { baseMs: 20, capMs: 200, random: () => 0.5 },
          pollIntervalMs: 25,
          batchSize: 4,
          onError: (error) => errors.push(error),
        });
        dispatchers.push(dispatcher);
        dispatcher.start();
      }
      await receiver.waitFor(n - 10, 20_000);
      // The orphaned ten wait for the dead replica's lease: nothing of them was sent yet.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const orphanIds = new Set(orphaned.map((d) => d.id));
      const sentIds = (): string[] => receiver.requests.map((request) => String(request.headers["x-cairn-delivery"]));
      expect(sentIds().filter((id) => orphanIds.has(id))).toEqual([]);
      expect(receiver.requests).toHaveLength(n - 10);

      offset = 41_000; // the lease has expired
      for (const dispatcher of dispatchers) dispatcher.wake();
      await receiver.waitFor(n, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(errors).toEqual([]);
      expect(receiver.requests).toHaveLength(n);
      expect(new Set(sentIds()).size).toBe(n);
      const payloads = receiver.requests.map((request) => (JSON.parse(request.body) as { payload: { i: number } }).payload.i);
      expect([...payloads].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      const all = await store.listDeliveries({ maxResults: 1000 });
      expect(all.items.every((d) => d.status === "delivered")).toBe(true);
      // One attempt each, two for the orphans (the dead replica's claim counted one).
      expect(all.items.filter((d) => d.attempts === 2).map((d) => d.id).sort()).toEqual([...orphanIds].sort());
      expect(all.items.filter((d) => d.attempts === 1)).toHaveLength(n - 10);
    } finally {
      for (const dispatcher of dispatchers) await dispatcher.stop();
      await receiver.close();
      await database.cleanup();
    }
  });
});
