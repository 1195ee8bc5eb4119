import { afterEach, describe, expect, it } from "vitest";
import { ctx, DeploymentsKit, floats, values } from "../../../test/deployments-kit.js";
import { loadModel } from "../model/load-model.js";
import type { LoadedModel } from "../model/loaded-model.js";
import { logisticRegressionModel } from "../test-support/onnx-models.js";
import type { DeploymentService, DeploymentServiceOptions } from "./deployment-service.js";
import type { LiveDeployment } from "./live-deployment.js";
import type { VersionSlot } from "./version-slot.js";

let kit: DeploymentsKit;
let replica: DeploymentService | undefined;
afterEach(async () => {
  await replica?.stop();
  replica = undefined;
  await kit?.close();
});

const input = { x: floats([[0.5, -0.25, 1, 0.75]]) };

/** Every model loaded through the real load path (onnxruntime in its executor process), in order. */
interface Loads {
  models: LoadedModel[];
  loadModel: NonNullable<DeploymentServiceOptions["loadModel"]>;
}

const countingLoads = (): Loads => {
  const models: LoadedModel[] = [];
  return {
    models,
    loadModel: async (path, options) => {
      const model = await loadModel(path, options);
      models.push(model);
      return model;
    },
  };
};

const openKit = async (extra: Partial<DeploymentServiceOptions> = {}): Promise<{ loads: Loads; v1: string; v2: string; v3: string }> => {
  const loads = countingLoads();
  kit = await DeploymentsKit.open({ loadModel: loads.loadModel, syncIntervalMs: 0, ...extra });
  const v1 = await kit.register("churn", logisticRegressionModel(1));
  const v2 = await kit.register("churn", logisticRegressionModel(7));
  const v3 = await kit.register("churn", logisticRegressionModel(11));
  return { loads, v1, v2, v3 };
};

const moveAlias = async (version: string): Promise<void> => {
  await kit.registry.setAlias("churn", "champion", version, ctx);
  await kit.service.settled();
};

const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits (up to 10 s) until none of these executor processes is alive. */
const closedWithin = async (pids: Array<number | undefined>): Promise<boolean> => {
  for (let i = 0; i < 200; i++) {
    if (!pids.some(alive)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
};

const primaryOf = (live: LiveDeployment | undefined): VersionSlot | undefined => live?.routing?.primary;

describe("warm standby", () => {
  it("keeps the replaced primary loaded, and an alias move back to it swaps to that same slot without loading", async () => {
    const { loads, v1, v2 } = await openKit();
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);
    const live = kit.service.get("churn-prod");
    const first = primaryOf(live);
    expect(loads.models).toHaveLength(1);
    expect(live?.standby).toBeUndefined();

    await moveAlias(v2);
    const second = primaryOf(live);
    expect(loads.models).toHaveLength(2);
    expect(second?.version).toBe(v2);
    expect(live?.standby).toBe(first);
    expect(live?.standby?.version).toBe(v1);
    expect(first?.isRetired).toBe(false);

    await moveAlias(v1);
    expect(loads.models).toHaveLength(2);
    expect(primaryOf(live)).toBe(first);
    expect(live?.standby).toBe(second);
    const answer = await live!.infer(input, { requestId: "r1", protocol: "oip" });
    expect(answer.version).toBe(v1);
    expect(values(answer.outputs.prob)).toEqual(values((await kit.direct("churn", v1, input)).prob));

    // And forth again: still the two slots loaded at first, nothing retired.
    await moveAlias(v2);
    expect(loads.models).toHaveLength(2);
    expect(primaryOf(live)).toBe(second);
    expect(live?.standby).toBe(first);
    expect([first?.isRetired, second?.isRetired]).toEqual([false, false]);
    expect(kit.errors).toEqual([]);
    const history = (await kit.service.history("churn-prod")).map((e) => `${e.from ?? "-"}>${e.to ?? "-"} ${e.reason}`);
    expect(history).toEqual([`->${v1} create`, `${v1}>${v2} alias-moved`, `${v2}>${v1} alias-moved`, `${v1}>${v2} alias-moved`]);
  }, 60_000);

  it("takes no traffic and does not count as serving: versions, ready, a request naming its version, health", async () => {
    const { v1, v2 } = await openKit();
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);
    await moveAlias(v2);
    const live = kit.service.get("churn-prod")!;
    expect(live.standby?.version).toBe(v1);
    expect(live.versions()).toEqual([v2]);
    expect(live.ready(v1)).toBe(false);
    expect(live.ready()).toBe(true);
    const refused = (await live.infer(input, { requestId: "r1", protocol: "oip", version: v1 }).catch((e: unknown) => e)) as Error;
    expect(refused.message).toBe(`Deployment 'churn-prod' does not serve version '${v1}'; it serves ${v2}.`);
    for (let i = 0; i < 20; i++) expect((await live.infer(input, { requestId: `r${i}`, protocol: "oip" })).version).toBe(v2);
    expect(live.standby?.active).toBe(0);
    expect(kit.service.healthOf("churn-prod")?.state).toBe("serving");
  }, 60_000);

  it("a promote and then a rollback of a pinned deployment load each version once", async () => {
    const { loads, v1, v2 } = await openKit();
    await kit.service.create("churn-pinned", `models:/churn/${v1}`, {}, ctx);
    const live = kit.service.get("churn-pinned");
    const first = primaryOf(live);
    await kit.service.setCanary("churn-pinned", { version: v2 }, 0.1, true, ctx);
    const canary = live?.routing?.canary?.slot;
    expect(loads.models).toHaveLength(2);
    await kit.service.promote("churn-pinned", ctx);
    expect(primaryOf(live)).toBe(canary);
    expect(live?.standby).toBe(first);
    const rolledBack = await kit.service.rollback("churn-pinned", ctx);
    expect(rolledBack.policy).toEqual({ primary: v1 });
    expect(primaryOf(live)).toBe(first);
    expect(live?.standby).toBe(canary);
    expect(loads.models).toHaveLength(2);
  }, 60_000);

  it("keeps one standby per deployment: a newer one retires the older, whose executor process ends", async () => {
    const { loads, v1, v2, v3 } = await openKit();
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);
    const live = kit.service.get("churn-prod");
    const first = primaryOf(live);
    await moveAlias(v2);
    const second = primaryOf(live);
    await moveAlias(v3);
    expect(loads.models).toHaveLength(3);
    expect(primaryOf(live)?.version).toBe(v3);
    expect(live?.standby).toBe(second);
    expect(first?.isRetired).toBe(true);
    expect(second?.isRetired).toBe(false);
    expect(await closedWithin([loads.models[0]?.executor?.pid])).toBe(true);
    expect(alive(loads.models[1]?.executor?.pid)).toBe(true);
    // A move to the retired version loads it again: a retired slot is never reused.
    await moveAlias(v1);
    expect(loads.models).toHaveLength(4);
    expect(primaryOf(live)).not.toBe(first);
    expect(primaryOf(live)?.version).toBe(v1);
    expect(live?.standby?.version).toBe(v3);
    expect(second?.isRetired).toBe(true);
  }, 60_000);

  it("a change of the versions' load options reloads them and drops the standby loaded with the old ones", async () => {
    const { loads, v1, v2 } = await openKit();
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);
    const live = kit.service.get("churn-prod");
    const first = primaryOf(live);
    await moveAlias(v2);
    const second = primaryOf(live);
    await kit.service.update("churn-prod", { maxBatchSize: 8 }, ctx);
    expect(loads.models).toHaveLength(3);
    expect(live?.standby).toBeUndefined();
    expect([first?.isRetired, second?.isRetired]).toEqual([true, true]);
    expect(await closedWithin([loads.models[0]?.executor?.pid, loads.models[1]?.executor?.pid])).toBe(true);
    // The next switch keeps the primary it replaced, loaded with the new options.
    const reloaded = primaryOf(live);
    await moveAlias(v1);
    expect(loads.models).toHaveLength(4);
    expect(live?.standby).toBe(reloaded);
    expect(live?.standby?.loadedWith).toEqual({ maxBatchSize: 8, inferenceWorker: false });
  }, 60_000);

  it("is closed with its deployment on delete and on stop: no executor process is left", async () => {
    const { loads, v1, v2 } = await openKit();
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);
    await kit.service.create("churn-pinned", `models:/churn/${v1}`, {}, ctx);
    await kit.service.setCanary("churn-pinned", { version: v2 }, 0.5, true, ctx);
    await kit.service.promote("churn-pinned", ctx);
    await moveAlias(v2);
    expect(loads.models).toHaveLength(4);
    expect(kit.service.get("churn-prod")?.standby?.version).toBe(v1);
    expect(kit.service.get("churn-pinned")?.standby?.version).toBe(v1);
    const pids = loads.models.map((model) => model.executor?.pid);
    expect(pids.every(alive)).toBe(true);

    const prod = kit.service.get("churn-prod")!;
    const prodSlots = [prod.routing?.primary, prod.standby];
    await kit.service.delete("churn-prod", ctx);
    expect(prodSlots.map((slot) => slot?.isRetired)).toEqual([true, true]);
    expect(await closedWithin([pids[0], pids[3]])).toBe(true);
    expect(alive(pids[1]) && alive(pids[2])).toBe(true);

    const pinned = kit.service.get("churn-pinned")!;
    const pinnedSlots = [pinned.routing?.primary, pinned.standby];
    await kit.service.stop();
    expect(pinnedSlots.map((slot) => slot?.isRetired)).toEqual([true, true]);
    expect(await closedWithin(pids)).toBe(true);
  }, 60_000);

  it("turned off (--no-deployment-standby), a replaced primary is retired and a move back loads it again", async () => {
    const { loads, v1, v2 } = await openKit({ standby: false });
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);
    const live = kit.service.get("churn-prod");
    const first = primaryOf(live);
    await moveAlias(v2);
    expect(live?.standby).toBeUndefined();
    expect(first?.isRetired).toBe(true);
    await moveAlias(v1);
    expect(loads.models).toHaveLength(3);
    expect(live?.standby).toBeUndefined();
    expect(await closedWithin([loads.models[0]?.executor?.pid, loads.models[1]?.executor?.pid])).toBe(true);
  }, 60_000);

  it("another replica syncing the moves keeps its own standby: moving back loads nothing there either", async () => {
    const { v1, v2 } = await openKit();
    await kit.registry.setAlias("churn", "champion", v1, ctx);
    await kit.service.create("churn-prod", "models:/churn@champion", {}, ctx);
    const replicaLoads = countingLoads();
    replica = kit.newService({ loadModel: replicaLoads.loadModel });
    await replica.start();
    await replica.loaded();
    const live = replica.get("churn-prod");
    const first = primaryOf(live);
    await moveAlias(v2);
    await replica.sync();
    expect(primaryOf(live)?.version).toBe(v2);
    expect(live?.standby).toBe(first);
    await moveAlias(v1);
    await replica.sync();
    expect(primaryOf(live)).toBe(first);
    expect(replicaLoads.models).toHaveLength(2);
    expect(live?.standby?.version).toBe(v2);
  }, 60_000);
});
