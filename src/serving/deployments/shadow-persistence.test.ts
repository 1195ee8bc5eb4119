import { afterEach, describe, expect, it } from "vitest";
import { ctx, DeploymentsKit, floats } from "../../../test/deployments-kit.js";
import { buildApp } from "../../server/app.js";
import { SqliteDeploymentStore } from "../../stores/sqlite/sqlite-deployment-store.js";
import { identityModel, shiftedModel } from "../test-support/onnx-models.js";
import type { DeploymentService } from "./deployment-service.js";
import { deploymentRoutes } from "./routes.js";

let kit: DeploymentsKit;
afterEach(async () => kit?.close());

// [1, 2]: identity argmax 1, shifted [1, 3] argmax 1 (agree); [2, 1.5]: argmax 0 vs [2, 2.5] argmax 1 (disagree).
const agreeing = floats([[1, 2]]);
const disagreeing = floats([[2, 1.5]]);

const traffic = async (service: DeploymentService, name: string, count: number, disagreeEvery = 3): Promise<void> => {
  const served = service.get(name)!;
  const compared = (): number => service.get(name)?.routing?.shadow?.recorder.report().compared ?? 0;
  const expected = compared() + count;
  for (let i = 0; i < count; i += 1) {
    await served.infer({ x: i % disagreeEvery === 0 ? disagreeing : agreeing }, { requestId: `r${i}`, protocol: "oip" });
  }
  // Shadow runs happen after the answers: wait until this call's are all counted (a remainder test passed at 0).
  for (let i = 0; i < 200 && compared() < expected; i += 1) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
};

/** A clock that moves 1 ms per reading, so that every save has its own time. */
const tickingClock = (start: number) => {
  let now = start;
  return () => (now += 1);
};

describe("saved shadow reports", () => {
  it("survive a restart: read back as saved, then continued by the restarted shadow; saved on promote; listed newest first", async () => {
    kit = await DeploymentsKit.open({ syncIntervalMs: 0, clock: tickingClock(1_000) });
    const v1 = await kit.register("pair", identityModel("float32", 2));
    const v2 = await kit.register("pair", shiftedModel());
    await kit.service.create("pair-prod", `models:/pair/${v1}`, {}, ctx);
    await kit.service.setShadow("pair-prod", { version: v2 }, 1, ctx);
    await traffic(kit.service, "pair-prod", 30);
    const before = await kit.service.report("pair-prod");
    expect(before).toMatchObject({ mirrored: 30, compared: 30, class_compared: 30, same_class: 20, agreement_rate: 20 / 30, abs_diff: { mean: 0.5, max: 1 } });

    // Stopped: the report is saved. A new service over the same file, not started yet, answers the saved one.
    await kit.service.stop();
    kit.service = kit.newService();
    expect(await kit.service.report("pair-prod")).toEqual(before);
    expect(await kit.service.currentReport("pair-prod")).toMatchObject({ live: false, report: before, updatedTime: expect.any(Number), replicas: 1 });

    // Started: the shadow loads again and continues the same comparison (same since, counts go on).
    await kit.service.start();
    await kit.service.loaded();
    // The stopped process released its part; the restarted one took it over (one part, counted live here).
    expect(await kit.service.currentReport("pair-prod")).toEqual({ report: before, live: true, replicas: 1, parts: [{ replica: expect.any(String), released: false }] });
    await traffic(kit.service, "pair-prod", 12, 4);
    const continued = await kit.service.report("pair-prod");
    // 12 more: 3 disagreeing (i = 0, 4, 8) and 9 agreeing.
    expect(continued).toMatchObject({
      since: before.since,
      mirrored: 42,
      compared: 42,
      class_compared: 42,
      same_class: 29,
      agreement_rate: 29 / 42,
      abs_diff: { mean: 0.5, max: 1 },
      rel_diff: { max: 1 / 1.5 },
      latency: { primary: { count: 42 }, candidate: { count: 42 } },
    });
    expect(continued.rel_diff.mean).toBeCloseTo((29 * 0.5 + 13 * (1 / 1.5)) / 84, 12);

    // Promote: the last state is saved; after another restart (no shadow any more) it is still the answer.
    await kit.service.promote("pair-prod", ctx);
    const store = new SqliteDeploymentStore(kit.db);
    expect((await store.shadowReports("pair-prod")).map((s) => s.report)).toEqual([continued]);
    await kit.restart();
    expect(kit.service.get("pair-prod")?.routing?.shadow).toBeUndefined();
    expect(await kit.service.currentReport("pair-prod")).toMatchObject({ live: false, report: continued });

    // A new shadow (v1 against the promoted v2) is a new comparison, a new row, listed first.
    await kit.service.setShadow("pair-prod", { version: v1 }, 1, ctx);
    await traffic(kit.service, "pair-prod", 5);
    const listed = await kit.service.shadowReports("pair-prod");
    expect(listed.map((s) => [s.report.primary_version, s.report.candidate_version, s.report.mirrored])).toEqual([
      [v2, v1, 5],
      [v1, v2, 42],
    ]);
    expect(listed[0]!.report.since).toBeGreaterThan(listed[1]!.report.since);
    expect(kit.errors).toEqual([]);
  }, 60_000);

  it("does not resume a comparison from before the shadow was set again, and keeps the rows of a deleted deployment", async () => {
    kit = await DeploymentsKit.open({ syncIntervalMs: 0, clock: tickingClock(5_000) });
    const v1 = await kit.register("pair", identityModel("float32", 2));
    const v2 = await kit.register("pair", shiftedModel());
    await kit.service.create("pair-prod", `models:/pair/${v1}`, {}, ctx);
    await kit.service.setShadow("pair-prod", { version: v2 }, 1, ctx);
    await traffic(kit.service, "pair-prod", 6);
    // Dropped (saved with 6), then the same shadow again: a new comparison that saw nothing before the restart.
    await kit.service.rollback("pair-prod", ctx);
    await kit.service.setShadow("pair-prod", { version: v2 }, 1, ctx);
    await kit.restart();
    const fresh = await kit.service.report("pair-prod");
    expect(fresh.mirrored).toBe(0);

    await traffic(kit.service, "pair-prod", 3);
    await kit.service.delete("pair-prod", ctx);
    await expect(kit.service.report("pair-prod")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    // Like the history, the saved comparisons outlive the deployment.
    expect((await kit.service.shadowReports("pair-prod")).map((s) => s.report.mirrored)).toEqual([3, 6]);

    // A new deployment of the same name does not show its predecessor's comparison as its own.
    await kit.service.create("pair-prod", `models:/pair/${v1}`, {}, ctx);
    await expect(kit.service.report("pair-prod")).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: `Deployment 'pair-prod' has no shadow (its primary is version ${v1}); set one with deployments/shadow.`,
    });
    expect((await kit.service.shadowReports("pair-prod")).map((s) => s.report.mirrored)).toEqual([3, 6]);
    await expect(kit.service.shadowReports("never")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
  }, 60_000);

  it("saves on the sync timer, only when the counts changed", async () => {
    kit = await DeploymentsKit.open({ syncIntervalMs: 0, clock: tickingClock(9_000) });
    const v1 = await kit.register("pair", identityModel("float32", 2));
    const v2 = await kit.register("pair", shiftedModel());
    await kit.service.create("pair-prod", `models:/pair/${v1}`, {}, ctx);
    await kit.service.setShadow("pair-prod", { version: v2 }, 1, ctx);
    await kit.service.stop();
    kit.service = kit.newService({ syncIntervalMs: 30 });
    await kit.service.start();
    await kit.service.loaded();
    const store = new SqliteDeploymentStore(kit.db);
    await traffic(kit.service, "pair-prod", 4);
    const saved = async () => (await store.shadowReports("pair-prod")).map((s) => [s.report.mirrored, s.updatedTime]);
    // A tick may have saved the part while the shadow runs were still being counted: wait for the save of all four.
    for (let i = 0; i < 100 && (await saved())[0]?.[0] !== 4; i += 1) await new Promise((r) => setTimeout(r, 10));
    const first = await saved();
    expect(first).toHaveLength(1);
    expect(first[0]?.[0]).toBe(4);
    // Several more ticks without traffic: nothing is written again (the updated time stays).
    await new Promise((r) => setTimeout(r, 150));
    expect(await saved()).toEqual(first);
    await traffic(kit.service, "pair-prod", 2);
    for (let i = 0; i < 100 && (await saved())[0]?.[0] !== 6; i += 1) await new Promise((r) => setTimeout(r, 10));
    const second = await saved();
    expect(second[0]?.[0]).toBe(6);
    expect(second[0]?.[1]).toBeGreaterThan(first[0]?.[1] as number);
  }, 30_000);

  it("continues a part across restarts without traffic; a process that died without stopping leaves its part counting beside a new one", async () => {
    kit = await DeploymentsKit.open({ syncIntervalMs: 0, clock: tickingClock(20_000) });
    const v1 = await kit.register("pair", identityModel("float32", 2));
    const v2 = await kit.register("pair", shiftedModel());
    await kit.service.create("pair-prod", `models:/pair/${v1}`, {}, ctx);
    await kit.service.setShadow("pair-prod", { version: v2 }, 1, ctx);
    await traffic(kit.service, "pair-prod", 6);
    const store = new SqliteDeploymentStore(kit.db);
    const rows = async () => (await store.shadowReports("pair-prod")).map((s) => [s.report.mirrored, s.released]);

    // Stopped: released. Restarted, and stopped again having counted nothing: released again, for the next one.
    await kit.restart();
    await kit.service.loaded();
    expect(await rows()).toEqual([[6, false]]);
    await kit.restart();
    await kit.service.loaded();
    expect(await rows()).toEqual([[6, false]]);
    expect(await kit.service.currentReport("pair-prod")).toMatchObject({ live: true, replicas: 1, report: { mirrored: 6 } });

    // Three more, saved; then the process "dies" (never stops): its part stays claimed, a new process starts its own.
    await traffic(kit.service, "pair-prod", 3);
    await kit.service.saveShadowReports();
    const dead = kit.service;
    kit.service = kit.newService();
    await kit.service.start();
    await kit.service.loaded();
    expect(await kit.service.currentReport("pair-prod")).toMatchObject({ replicas: 2, report: { mirrored: 9 } });
    await traffic(kit.service, "pair-prod", 2);
    const combined = await kit.service.currentReport("pair-prod");
    expect(combined).toMatchObject({ live: true, replicas: 2, report: { mirrored: 11, compared: 11 } });
    // The dead process's part says when it was last saved; the live one has no save time.
    expect(combined.parts.map((p) => p.updatedTime !== undefined)).toEqual([false, true]);
    await dead.stop();
    expect(kit.errors).toEqual([]);
  }, 60_000);
  it("bounds a crash-looping deployment's parts: each start compacts the dead processes' parts into one, counts exact", async () => {
    let now = 1_000;
    const clock = (): number => (now += 1);
    kit = await DeploymentsKit.open({ syncIntervalMs: 0, clock, shadowPartLivenessMs: 1_000 });
    const v1 = await kit.register("pair", identityModel("float32", 2));
    const v2 = await kit.register("pair", shiftedModel());
    await kit.service.create("pair-prod", `models:/pair/${v1}`, {}, ctx);
    await kit.service.setShadow("pair-prod", { version: v2 }, 1, ctx);
    const store = new SqliteDeploymentStore(kit.db);
    const dead: DeploymentService[] = [];
    // Seven processes in turn, each killed (never stopped) after counting and saving three requests.
    for (let p = 0; p < 7; p += 1) {
      if (p > 0) {
        dead.push(kit.service);
        now += 2_000;
        kit.service = kit.newService();
        await kit.service.start();
        await kit.service.loaded();
      }
      await traffic(kit.service, "pair-prod", 3);
      await kit.service.saveShadowReports();
    }
    // The last start compacted the five dead parts before it (with the earlier compacted part): one compacted part
    // of six processes, and the live process's own part.
    const parts = await store.shadowReports("pair-prod");
    expect(parts.map((p) => [p.mergedParts ?? 0, p.state.mirrored]).sort()).toEqual([
      [0, 3],
      [6, 18],
    ]);
    const current = await kit.service.currentReport("pair-prod");
    expect(current).toMatchObject({ live: true, replicas: 7, report: { mirrored: 21, compared: 21, class_compared: 21, same_class: 14 } });
    expect(current.parts.map((p) => [p.replica.startsWith("compacted:"), p.mergedParts, p.released])).toEqual([
      [false, undefined, false],
      [true, 6, true],
    ]);
    // On the wire: the compacted part says so, and how many processes' parts it merged.
    const app = await buildApp({ version: "test", domains: [{ cairnEndpoints: deploymentRoutes(kit.service) }] });
    try {
      const response = await app.inject({ method: "GET", url: "/api/2.0/cairn/deployments/shadow-report", query: { name: "pair-prod" }, headers: { "x-cairn-user": "ada" } });
      expect(response.statusCode).toBe(200);
      const body = JSON.parse(response.body) as { replicas: number; parts: Array<Record<string, unknown>> };
      expect(body.replicas).toBe(7);
      expect(body.parts).toEqual([
        { replica: expect.stringMatching(/^.+:\d+:[0-9a-f]+$/), released: false },
        { replica: expect.stringMatching(/^compacted:[0-9a-f]{12}$/), updated_timestamp: expect.any(Number), released: true, compacted: true, merged_parts: 6 },
      ]);
    } finally {
      await app.close();
    }
    for (const service of dead) await service.stop();
    expect(kit.errors).toEqual([]);
  }, 60_000);
});

