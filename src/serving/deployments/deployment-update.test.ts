import { afterEach, describe, expect, it } from "vitest";
import { ctx, DeploymentsKit, floats, values } from "../../../test/deployments-kit.js";
import { AdaptiveBatcher } from "../batching/adaptive-batcher.js";
import { loadModel } from "../model/load-model.js";
import type { ModelLoadOptions } from "../model/loaded-model.js";
import { PredictionLog } from "../prediction-log/prediction-log.js";
import { SqlitePredictionLogStore } from "../../stores/sqlite/sqlite-prediction-log-store.js";
import { logisticRegressionModel } from "../test-support/onnx-models.js";
import type { DeploymentService } from "./deployment-service.js";
import type { VersionSlot } from "./version-slot.js";

let kit: DeploymentsKit;
let replica: DeploymentService | undefined;
afterEach(async () => {
  await replica?.stop();
  replica = undefined;
  await kit?.close();
});

const row = (i: number): number[] => [((i % 7) - 3) / 2, (i % 5) / 4, -((i % 3) / 3), 0.25];

/** A kit whose versions run behind the real adaptive batcher, counting every load and the options it was given. */
const openKit = async (extra: Parameters<typeof DeploymentsKit.open>[0] = {}) => {
  const loads: Array<ModelLoadOptions | undefined> = [];
  const batchers: AdaptiveBatcher[] = [];
  const k = await DeploymentsKit.open({
    loadModel: (path, options) => {
      loads.push(options);
      return loadModel(path, options);
    },
    wrap: (model, options) => {
      const batcher = new AdaptiveBatcher(model, {
        ...(options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {}),
        ...(options.maxLatencyMs !== undefined ? { maxLatencyMs: options.maxLatencyMs } : {}),
      });
      batchers.push(batcher);
      return batcher;
    },
    syncIntervalMs: 0,
    ...extra,
  });
  return { k, loads, batchers };
};

const slots = (service: DeploymentService, name: string): VersionSlot[] => {
  const state = service.get(name)?.routing;
  return state ? [state.primary, ...(state.canary ? [state.canary.slot] : []), ...(state.shadow ? [state.shadow.slot] : [])] : [];
};

describe("deployments/update (service)", () => {
  it("reloads every served version with new batching or worker settings under concurrent load with zero failed requests", async () => {
    const { k, loads, batchers } = await openKit();
    kit = k;
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    const v2 = await kit.register("churn", logisticRegressionModel(7));
    const v3 = await kit.register("churn", logisticRegressionModel(9));
    await kit.service.create("prod", `models:/churn/${v1}`, {}, ctx);
    await kit.service.setCanary("prod", { version: v2 }, 0.5, false, ctx);
    await kit.service.setShadow("prod", { version: v3 }, 0.5, ctx);
    const served = kit.service.get("prod")!;
    const recorder = served.routing?.shadow?.recorder;
    expect(loads).toEqual([{ inferenceWorker: false }, { inferenceWorker: false }, { inferenceWorker: false }]);
    const historyBefore = await kit.service.history("prod");

    let stop = false;
    let failures = 0;
    const answers: Array<{ i: number; version: string; out: number[] }> = [];
    const worker = async (w: number): Promise<void> => {
      for (let i = w; !stop; i += 16) {
        try {
          const result = await served.infer({ x: floats([row(i)]) }, { requestId: `r${i}`, protocol: "oip" });
          answers.push({ i, version: result.version, out: values(result.outputs.prob) });
        } catch {
          failures += 1;
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    const steps = [
      { change: { maxBatchSize: 8 }, options: { maxBatchSize: 8, predictionLogSampleRate: 1, inferenceWorker: false } },
      { change: { maxLatencyMs: 5 }, options: { maxBatchSize: 8, maxLatencyMs: 5, predictionLogSampleRate: 1, inferenceWorker: false } },
      { change: { inferenceWorker: true }, options: { maxBatchSize: 8, maxLatencyMs: 5, predictionLogSampleRate: 1, inferenceWorker: true } },
      { change: { maxBatchSize: 64, inferenceWorker: false }, options: { maxBatchSize: 64, maxLatencyMs: 5, predictionLogSampleRate: 1, inferenceWorker: false } },
    ];
    for (const step of steps) {
      await new Promise((r) => setTimeout(r, 40));
      const before = slots(kit.service, "prod");
      const updated = await kit.service.update("prod", step.change, ctx);
      expect(updated.options).toEqual(step.options);
      expect((await kit.service.getDeployment("prod")).options).toEqual(step.options);
      const after = slots(kit.service, "prod");
      expect(after.map((s) => s.version)).toEqual([v1, v2, v3]);
      // Fresh slots, loaded with the new options; the old ones retired once drained.
      for (const slot of after) expect(before).not.toContain(slot);
      for (const slot of before) expect(slot.isRetired).toBe(true);
      expect(after.map((s) => s.loadedWith)).toEqual(
        Array(3).fill({
          ...(step.options.maxBatchSize !== undefined ? { maxBatchSize: step.options.maxBatchSize } : {}),
          ...(step.options.maxLatencyMs !== undefined ? { maxLatencyMs: step.options.maxLatencyMs } : {}),
          inferenceWorker: step.options.inferenceWorker,
        }),
      );
      expect(batchers.slice(-3).map((b) => [b.maxBatchSize, b.maxLatencyMs])).toEqual(Array(3).fill([step.options.maxBatchSize, step.options.maxLatencyMs ?? 2]));
    }
    await new Promise((r) => setTimeout(r, 40));
    stop = true;
    await Promise.all(workers);

    expect(failures).toBe(0);
    expect(answers.length).toBeGreaterThan(200);
    expect(new Set(answers.map((a) => a.version))).toEqual(new Set([v1, v2]));
    for (const a of answers.filter((_, k) => k % 10 === 0)) {
      expect(a.out).toEqual(values((await kit.direct("churn", a.version, { x: floats([row(a.i)]) })).prob));
    }
    // Three loads per update, each with the worker setting of the moment.
    expect(loads.slice(3).map((o) => o?.inferenceWorker)).toEqual([false, false, false, false, false, false, true, true, true, false, false, false]);
    // The shadow comparison went on: the same recorder, counting across every reload.
    expect(served.routing?.shadow?.recorder).toBe(recorder);
    const report = await kit.service.report("prod");
    expect(report.mirrored).toBeGreaterThan(20);
    // Options are not version switches: the history is unchanged; the audit has one update per call.
    expect(await kit.service.history("prod")).toEqual(historyBefore);
    expect(kit.actions()).toEqual([
      "serving.deployment.create",
      "serving.deployment.canary",
      "serving.deployment.shadow",
      ...Array(4).fill("serving.deployment.update"),
    ]);
    const audit = kit.audits.filter((a) => a.action === "serving.deployment.update")[2];
    expect(audit).toMatchObject({
      entityType: "deployment",
      entityId: "prod",
      before: { options: { max_batch_size: 8, max_latency_ms: 5, prediction_log_sample_rate: 1, inference_worker: false, prediction_log_max_age_seconds: null, prediction_log_max_rows: null } },
      after: { options: { max_batch_size: 8, max_latency_ms: 5, prediction_log_sample_rate: 1, inference_worker: true } },
      context: ctx,
    });
    expect(kit.errors).toEqual([]);
  }, 60_000);

  it("changes the sample rate at once without loading anything: rate 0 stops prediction-log records", async () => {
    const { k, loads } = await openKit();
    kit = k;
    const predictions = new SqlitePredictionLogStore(kit.db);
    const log = new PredictionLog(predictions);
    kit.service = kit.newService({
      onServed: (served, options) =>
        log.record(
          {
            deployment: served.deployment,
            version: served.version,
            time: Date.now(),
            latencyMs: served.latencyMs,
            requestId: served.context.requestId,
            inputs: served.feeds,
            outputs: served.outputs,
          },
          options.predictionLogSampleRate,
        ),
    });
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    await kit.service.create("prod", `models:/churn/${v1}`, { maxBatchSize: 4 }, ctx);
    const served = kit.service.get("prod")!;
    const before = slots(kit.service, "prod");
    const send = async (from: number, count: number): Promise<void> => {
      for (let i = from; i < from + count; i += 1) await served.infer({ x: floats([row(i)]) }, { requestId: `q${i}`, protocol: "mlflow" });
      await new Promise((r) => setImmediate(r));
      await log.flush();
    };
    const logged = async (): Promise<string[]> =>
      (await predictions.searchPredictions({ deployment: "prod", maxResults: 1000 })).predictions.map((p) => p.requestId).sort();

    await send(0, 3);
    expect(await logged()).toEqual(["q0", "q1", "q2"]);
    const zero = await kit.service.update("prod", { predictionLogSampleRate: 0 }, ctx);
    expect(zero.options).toEqual({ maxBatchSize: 4, predictionLogSampleRate: 0, inferenceWorker: false });
    await send(10, 20);
    expect(await logged()).toEqual(["q0", "q1", "q2"]);
    await kit.service.update("prod", { predictionLogSampleRate: 1 }, ctx);
    await send(40, 2);
    expect(await logged()).toEqual(["q0", "q1", "q2", "q40", "q41"]);
    // Nothing was loaded again: the same slot served throughout.
    expect(loads).toHaveLength(1);
    expect(slots(kit.service, "prod")).toEqual(before);
    expect(before[0]?.isRetired).toBe(false);
    expect(kit.audits.filter((a) => a.action === "serving.deployment.update").map((a) => [a.before, a.after])).toEqual([
      [
        { options: { max_batch_size: 4, max_latency_ms: null, prediction_log_sample_rate: 1, inference_worker: false, prediction_log_max_age_seconds: null, prediction_log_max_rows: null } },
        { options: { max_batch_size: 4, max_latency_ms: null, prediction_log_sample_rate: 0, inference_worker: false, prediction_log_max_age_seconds: null, prediction_log_max_rows: null } },
      ],
      [
        { options: { max_batch_size: 4, max_latency_ms: null, prediction_log_sample_rate: 0, inference_worker: false, prediction_log_max_age_seconds: null, prediction_log_max_rows: null } },
        { options: { max_batch_size: 4, max_latency_ms: null, prediction_log_sample_rate: 1, inference_worker: false, prediction_log_max_age_seconds: null, prediction_log_max_rows: null } },
      ],
    ]);
    // A deployment's own prediction-log bounds, like the rate, change nothing that serves.
    expect((await kit.service.update("prod", { predictionLogMaxRows: 10, predictionLogMaxAgeSeconds: 60 }, ctx)).options).toMatchObject({
      predictionLogMaxRows: 10,
      predictionLogMaxAgeSeconds: 60,
    });
    expect(loads).toHaveLength(1);
    expect(slots(kit.service, "prod")).toEqual(before);
    await log.stop();
  });

  it("validates each field as create does, and refuses an unknown deployment", async () => {
    const { k } = await openKit();
    kit = k;
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    await kit.service.create("prod", `models:/churn/${v1}`, { maxBatchSize: 4 }, ctx);
    const cases: Array<[Parameters<DeploymentService["update"]>[1], string]> = [
      [{ maxBatchSize: 0 }, "Invalid value 0 for parameter 'max_batch_size': expected a positive integer."],
      [{ maxBatchSize: 2.5 }, "Invalid value 2.5 for parameter 'max_batch_size': expected a positive integer."],
      [{ maxBatchSize: 100_001 }, "Invalid value 100001 for parameter 'max_batch_size': expected a positive integer up to 100000."],
      [{ maxLatencyMs: 0 }, "Invalid value 0 for parameter 'max_latency_ms': expected a positive number."],
      [{ maxLatencyMs: 60_000.5 }, "Invalid value 60000.5 for parameter 'max_latency_ms': expected a positive number up to 60000."],
      [{ predictionLogSampleRate: 1.5 }, "Invalid value 1.5 for parameter 'prediction_log_sample_rate': expected a number from 0 to 1."],
      [{ predictionLogSampleRate: -0.1 }, "Invalid value -0.1 for parameter 'prediction_log_sample_rate': expected a number from 0 to 1."],
      [{}, "Nothing to update: give at least one of 'max_batch_size', 'max_latency_ms', 'prediction_log_sample_rate', 'inference_worker', 'prediction_log_max_age_seconds' and 'prediction_log_max_rows'."],
    ];
    for (const [change, message] of cases) {
      await expect(kit.service.update("prod", change, ctx)).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE", message });
    }
    // Create checks the same way, with the same messages.
    await expect(kit.service.create("other", `models:/churn/${v1}`, { maxBatchSize: 100_001 }, ctx)).rejects.toMatchObject({
      message: "Invalid value 100001 for parameter 'max_batch_size': expected a positive integer up to 100000.",
    });
    await expect(kit.service.update("nope", { maxBatchSize: 2 }, ctx)).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "Deployment 'nope' does not exist.",
    });
    expect((await kit.service.getDeployment("prod")).options).toEqual({ maxBatchSize: 4, predictionLogSampleRate: 1, inferenceWorker: false });
    expect(kit.actions()).toEqual(["serving.deployment.create"]);
  });

  it("keeps the previous slots and options when the reload fails, and says why", async () => {
    const { k } = await openKit({
      loadModel: async (path, options) => {
        if (options?.inferenceWorker) throw new Error("no worker here");
        return loadModel(path, options);
      },
    });
    kit = k;
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    await kit.service.create("prod", `models:/churn/${v1}`, {}, ctx);
    const before = slots(kit.service, "prod");
    await expect(kit.service.update("prod", { inferenceWorker: true, maxBatchSize: 3 }, ctx)).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: `Version ${v1} of model 'churn' could not be loaded for deployment 'prod' (update); the previous routing keeps serving: no worker here`,
    });
    expect(slots(kit.service, "prod")).toEqual(before);
    const stored = await kit.service.getDeployment("prod");
    expect(stored.options).toEqual({ predictionLogSampleRate: 1, inferenceWorker: false });
    expect(stored.lastError).toMatch(/^Version 1 of model 'churn' could not be loaded for deployment 'prod' \(update\)/);
    const result = await kit.service.get("prod")!.infer({ x: floats([row(3)]) }, { requestId: "r", protocol: "oip" });
    expect(values(result.outputs.prob)).toEqual(values((await kit.direct("churn", v1, { x: floats([row(3)]) })).prob));
    expect(kit.actions()).toEqual(["serving.deployment.create", "serving.deployment.load_fail"]);
    // A later successful update clears the error.
    expect((await kit.service.update("prod", { maxBatchSize: 3 }, ctx)).lastError).toBeUndefined();
  });

  it("is followed by another replica on its next sync", async () => {
    const { k } = await openKit();
    kit = k;
    const v1 = await kit.register("churn", logisticRegressionModel(1));
    await kit.service.create("prod", `models:/churn/${v1}`, {}, ctx);
    replica = kit.newService();
    await replica.start();
    await replica.loaded();
    const first = slots(replica, "prod");
    await kit.service.update("prod", { maxBatchSize: 5, inferenceWorker: true }, ctx);
    await replica.sync();
    const after = slots(replica, "prod");
    expect(after[0]).not.toBe(first[0]);
    expect(after[0]?.loadedWith).toEqual({ maxBatchSize: 5, inferenceWorker: true });
    // A sample rate alone reloads nothing there either.
    await kit.service.update("prod", { predictionLogSampleRate: 0.5 }, ctx);
    await replica.sync();
    expect(slots(replica, "prod")[0]).toBe(after[0]);
    expect(kit.actions().filter((a) => a === "serving.deployment.update")).toHaveLength(2);
  });
});
