import { afterEach, describe, expect, it } from "vitest";
import type { DeploymentService } from "../src/serving/deployments/deployment-service.js";
import { logisticRegressionModel } from "../src/serving/test-support/onnx-models.js";
import { PgDeploymentStore } from "../src/stores/postgres/pg-deployment-store.js";
import { openOperationsTestDatabase, type OperationsTestDatabase } from "../src/stores/postgres/test-support/operations-database.js";
import { ctx, DeploymentsKit } from "./deployments-kit.js";

/**
 * Two replicas whose deployments live in one PostgreSQL database, each service on its own pool as separate
 * processes would be (the registry is the kit's shared SQLite file). The periodic sync is off: only the store's
 * NOTIFY can tell replica B that replica A switched. B serves the new version within 1 s of A's change plus the time it
 * takes to load that version itself (the figure printed; a delete, and a rollback to the version B keeps as its warm
 * standby, which load nothing, within 1 s flat).
 */
let database: OperationsTestDatabase | undefined;
let kit: DeploymentsKit | undefined;
let replica: DeploymentService | undefined;
afterEach(async () => {
  await replica?.stop();
  await kit?.close();
  await database?.cleanup();
  replica = undefined;
  kit = undefined;
  database = undefined;
});

const primaryOf = (service: DeploymentService, name: string): string | undefined => service.get(name)?.routing?.primary.version;

/** Milliseconds from `since` until `check` holds (polled every 5 ms), or fails after 15 s. */
const within = async (since: number, check: () => boolean): Promise<number> => {
  while (!check()) {
    if (performance.now() - since > 15_000) throw new Error("not within 15 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - since;
};

describe("deployments on PostgreSQL across replicas (LISTEN/NOTIFY)", () => {
  it("switch on the other replica within 1 s of an alias move, a promote and a rollback; deletes follow", async () => {
    const db = await openOperationsTestDatabase();
    database = db;
    const k = await DeploymentsKit.open({ syncIntervalMs: 0 }, () => new PgDeploymentStore(db.connect()));
    kit = k;
    const v1 = await k.register("churn", logisticRegressionModel(1));
    const v2 = await k.register("churn", logisticRegressionModel(2));
    const v3 = await k.register("churn", logisticRegressionModel(3));
    await k.registry.setAlias("churn", "champion", v1, ctx);
    await k.service.start();
    await k.service.create("churn-prod", "models:/churn@champion", {}, ctx);

    // B's own loads (each replica loads and warms a version itself, after hearing of the change): the time the
    // notification path adds is B's lag behind A minus B's load of that version.
    const loadsOnB: number[] = [];
    const b = k.newService({ onLoaded: (_deployment, _version, seconds) => void loadsOnB.push(seconds * 1000) });
    replica = b;
    await b.start();
    await b.loaded();
    expect(primaryOf(b, "churn-prod")).toBe(v1);

    const lags: Record<string, { lagMs: number; loadOnBMs: number }> = {};
    /** Runs the change on A; returns B's lag behind A's completion of it, and B's load time meanwhile. */
    const measure = async (what: string, change: () => Promise<unknown>, served: () => boolean): Promise<void> => {
      const loadsBefore = loadsOnB.length;
      await change();
      const done = performance.now();
      const lagMs = Math.max(0, await within(done, served));
      lags[what] = { lagMs: Math.round(lagMs), loadOnBMs: Math.round(loadsOnB.slice(loadsBefore).reduce((sum, ms) => sum + ms, 0)) };
    };

    // A deployment created on A appears on B without a sync.
    await measure("create", () => k.service.create("churn-pinned", `models:/churn/${v1}`, {}, ctx), () => primaryOf(b, "churn-pinned") === v1);
    // The alias moves through the registry; only A hears the event, follows it, and its store change notifies B.
    await measure(
      "alias-move",
      async () => {
        await k.registry.setAlias("churn", "champion", v2, ctx);
        await k.service.settled();
      },
      () => primaryOf(b, "churn-prod") === v2,
    );
    expect(primaryOf(k.service, "churn-prod")).toBe(v2);
    await k.service.setCanary("churn-prod", { version: v3 }, 0.25, true, ctx);
    await measure("promote", () => k.service.promote("churn-prod", ctx), () => primaryOf(b, "churn-prod") === v3 && b.get("churn-prod")?.routing?.canary === undefined);
    await measure("rollback", () => k.service.rollback("churn-prod", ctx), () => primaryOf(b, "churn-prod") === v2);
    await measure("delete", () => k.service.delete("churn-pinned", ctx), () => b.get("churn-pinned") === undefined);

    console.log(JSON.stringify({ replicaLagMs: lags }));
    expect(lags.delete?.lagMs).toBeLessThan(1000);
    // A announced the alias move before its own load: B loaded v2 meanwhile (in parallel), not after A's switch.
    expect(lags["alias-move"]?.loadOnBMs).toBeGreaterThan(0);
    expect(lags["alias-move"]?.lagMs).toBeLessThan(lags["alias-move"]?.loadOnBMs ?? 0);
    // B kept v2 loaded as its warm standby when the promote replaced it: the rollback loads nothing there.
    expect(lags.rollback?.loadOnBMs).toBe(0);
    expect(lags.rollback?.lagMs).toBeLessThan(1000);
    expect(b.get("churn-prod")?.standby?.version).toBe(v3);
    for (const lag of Object.values(lags)) expect(lag.lagMs - lag.loadOnBMs).toBeLessThan(1000);
    expect(k.errors).toEqual([]);
    // B wrote no history of its own: every entry is one of A's changes.
    expect((await k.service.history("churn-prod")).map((e) => `${e.role} ${e.reason}`)).toEqual([
      "primary create",
      "primary alias-moved",
      "canary canary",
      "primary promote",
      "canary promote",
      "primary rollback",
    ]);
  }, 60_000);
});
