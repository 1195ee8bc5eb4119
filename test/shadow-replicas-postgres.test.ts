import { afterEach, describe, expect, it } from "vitest";
import type { DeploymentService } from "../src/serving/deployments/deployment-service.js";
import { identityModel, shiftedModel } from "../src/serving/test-support/onnx-models.js";
import { PgDeploymentStore } from "../src/stores/postgres/pg-deployment-store.js";
import { openOperationsTestDatabase, type OperationsTestDatabase } from "../src/stores/postgres/test-support/operations-database.js";
import { ctx, DeploymentsKit, floats } from "./deployments-kit.js";

/**
 * A shadow compared by two replicas whose deployments live in one PostgreSQL database (each service on its own
 * pool, as separate processes would be): each serves part of the traffic, and the report either one answers counts
 * every request; a stopped replica's part keeps counting, and its restart continues that part.
 */
let database: OperationsTestDatabase | undefined;
let kit: DeploymentsKit | undefined;
const others: DeploymentService[] = [];
afterEach(async () => {
  for (const service of others.splice(0)) await service.stop();
  await kit?.close();
  await database?.cleanup();
  kit = undefined;
  database = undefined;
});

// [1, 2]: identity argmax 1, shifted [1, 3] argmax 1 (agree); [2, 1.5]: argmax 0 vs [2, 2.5] argmax 1 (disagree).
const agreeing = floats([[1, 2]]);
const disagreeing = floats([[2, 1.5]]);

/** `count` requests on one replica, every `disagreeEvery`-th disagreeing; waits for the shadow runs to be counted. */
const traffic = async (service: DeploymentService, count: number, disagreeEvery: number): Promise<void> => {
  const served = service.get("pair-prod")!;
  const before = served.routing?.shadow?.recorder.report().compared ?? 0;
  for (let i = 0; i < count; i += 1) {
    await served.infer({ x: i % disagreeEvery === 0 ? disagreeing : agreeing }, { requestId: `r${i}`, protocol: "oip" });
  }
  for (let i = 0; i < 200 && (service.get("pair-prod")?.routing?.shadow?.recorder.report().compared ?? 0) < before + count; i += 1) {
    await new Promise((r) => setTimeout(r, 10));
  }
};

const waitFor = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 1500 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe("shadow reports across replicas on PostgreSQL", () => {
  it("answer the combined comparison from either replica; a stopped replica's part keeps counting and its restart continues it", async () => {
    const db = await openOperationsTestDatabase();
    database = db;
    const k = await DeploymentsKit.open({ syncIntervalMs: 0 }, () => new PgDeploymentStore(db.connect()));
    kit = k;
    const v1 = await k.register("pair", identityModel("float32", 2));
    const v2 = await k.register("pair", shiftedModel());
    await k.service.start();
    await k.service.create("pair-prod", `models:/pair/${v1}`, {}, ctx);
    await k.service.setShadow("pair-prod", { version: v2 }, 1, ctx);
    const a = k.service;

    // Replica B starts after the shadow was set; a second shadow change would reach it by NOTIFY.
    const b = k.newService();
    others.push(b);
    await b.start();
    await b.loaded();
    await waitFor(() => b.get("pair-prod")?.routing?.shadow !== undefined);

    // A serves 30 (10 disagreeing: i = 0, 3, ...), B serves 12 (3 disagreeing: i = 0, 4, 8).
    await traffic(a, 30, 3);
    await traffic(b, 12, 4);
    const expected = { primary_version: v1, candidate_version: v2, mirrored: 42, compared: 42, class_compared: 42, same_class: 29, agreement_rate: 29 / 42 };

    // Each replica's counts reach the others through its saves (the sync timer's; here called directly).
    await b.saveShadowReports();
    const fromA = await a.currentReport("pair-prod");
    expect(fromA).toMatchObject({ live: true, replicas: 2, report: { ...expected, abs_diff: { mean: 0.5, max: 1 } } });
    expect(fromA.report.latency.primary.count).toBe(42);
    expect(fromA.report.latency.candidate.count).toBe(42);
    // A's own part is its live counts (no save time); B's says when B saved it.
    expect(fromA.parts.map((p) => p.updatedTime === undefined)).toEqual([true, false]);
    expect(fromA.updatedTime).toBe(fromA.parts[1]?.updatedTime);

    await a.saveShadowReports();
    const fromB = await b.currentReport("pair-prod");
    expect(fromB).toMatchObject({ live: true, replicas: 2, report: expected });
    expect(fromB.report).toEqual(fromA.report);
    expect(fromB.parts.map((p) => p.replica).sort()).toEqual(fromA.parts.map((p) => p.replica).sort());
    // The list combines too: one comparison of two parts.
    expect((await a.shadowReports("pair-prod")).map((c) => [c.report.mirrored, c.replicas])).toEqual([[42, 2]]);

    // B stops: its part is saved, released, and keeps counting.
    await b.stop();
    others.splice(others.indexOf(b), 1);
    expect(await a.currentReport("pair-prod")).toMatchObject({ replicas: 2, report: expected });

    // B restarts (a new process): it takes its released part over and continues counting it.
    const restarted = k.newService();
    others.push(restarted);
    await restarted.start();
    await restarted.loaded();
    await waitFor(() => restarted.get("pair-prod")?.routing?.shadow !== undefined);
    expect(restarted.get("pair-prod")?.routing?.shadow?.recorder.report().mirrored).toBe(12);
    await traffic(restarted, 4, 4);
    await restarted.saveShadowReports();
    const afterRestart = await a.currentReport("pair-prod");
    // 4 more: 1 disagreeing. Still two parts: the restarted process continued B's instead of adding a third.
    expect(afterRestart).toMatchObject({ replicas: 2, report: { mirrored: 46, compared: 46, same_class: 32, agreement_rate: 32 / 46 } });
    expect((await restarted.currentReport("pair-prod")).report).toMatchObject({ mirrored: 46, same_class: 32 });

    // Promoted: the shadow ends everywhere; its combined report stays the answer of both.
    await a.promote("pair-prod", ctx);
    await waitFor(() => restarted.get("pair-prod")?.routing?.shadow === undefined);
    await restarted.saveShadowReports();
    expect(await a.currentReport("pair-prod")).toMatchObject({ replicas: 2, report: { mirrored: 46 } });
    expect(await restarted.currentReport("pair-prod")).toMatchObject({ replicas: 2, report: { mirrored: 46 } });
    expect(k.errors).toEqual([]);
  }, 120_000);
});
