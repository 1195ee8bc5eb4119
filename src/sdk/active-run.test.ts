import { afterEach, describe, expect, it } from "vitest";
import type { Metric } from "../protocol/mlflow/entities.js";
import { RunLogError } from "./active-run.js";
import { CairnClient } from "./client.js";
import { RecordingServer, runJson, type Answer, type RecordedRequest } from "./test-support/recording-server.js";

const fast = { retries: 2, minDelayMs: 5, maxDelayMs: 10 };
let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Answers runs/create and runs/update like a tracking server; log-batch through `batch`. */
const tracking = (batch: (request: RecordedRequest, index: number) => Answer = () => ({ status: 200, body: {} })) =>
  (request: RecordedRequest, index: number): Answer => {
    if (request.url.endsWith("/runs/create")) return { status: 200, body: runJson("r1") };
    if (request.url.endsWith("/runs/update")) {
      const body = JSON.parse(request.body) as { status: string };
      return { status: 200, body: { run_info: { ...(runJson("r1") as { run: { info: object } }).run.info, status: body.status } } };
    }
    return batch(request, index);
  };

const start = async (answer: ReturnType<typeof tracking>, options: { flushIntervalMs?: number; maxBatchSize?: number } = {}) => {
  server = new RecordingServer(answer);
  const client = new CairnClient({ trackingUri: await server.start(), retry: fast });
  return client.startRun({ experimentId: "0", runName: "r", flushOnExit: false, ...options });
};

describe("ActiveRun buffering", () => {
  it("sends 2500 metrics in batches of at most 1000, complete and in order", async () => {
    const run = await start(tracking(), { flushIntervalMs: 60_000 });
    for (let step = 0; step < 2500; step += 1) run.logMetric(step % 2 === 0 ? "loss" : "acc", step / 10, { step, timestamp: 5000 + step });
    await run.flush();
    const batches = server!.bodies("/runs/log-batch");
    expect(batches.map((b) => (b.metrics as Metric[]).length)).toEqual([1000, 1000, 500]);
    expect(batches.every((b) => b.run_id === "r1")).toBe(true);
    const sent = batches.flatMap((b) => b.metrics as Metric[]);
    expect(sent.filter((m) => m.key === "loss").map((m) => m.step)).toEqual(Array.from({ length: 1250 }, (_, i) => i * 2));
    expect(sent[2499]).toEqual({ key: "acc", value: 249.9, timestamp: 7499, step: 2499 });
    expect(run.pendingCount).toBe(0);
  });

  it("flushes in the background after the interval without any call", async () => {
    const run = await start(tracking(), { flushIntervalMs: 30 });
    run.logMetric("m", 1, { step: 1, timestamp: 10 });
    run.logParam("lr", 0.01);
    run.setTag("team", "a");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server!.bodies("/runs/log-batch")).toEqual([
      { run_id: "r1", metrics: [{ key: "m", value: 1, timestamp: 10, step: 1 }], params: [{ key: "lr", value: "0.01" }], tags: [{ key: "team", value: "a" }] },
    ]);
    await run.end();
  });

  it("end() flushes, then marks the run FINISHED (or the given status)", async () => {
    const run = await start(tracking(), { flushIntervalMs: 60_000 });
    run.logMetrics({ a: 1, b: 2 }, { step: 3, timestamp: 99 });
    const info = await run.end("KILLED");
    expect(info.status).toBe("KILLED");
    const paths = server!.requests.map((r) => r.url.replace("/api/2.0/mlflow/", ""));
    expect(paths).toEqual(["runs/create", "runs/log-batch", "runs/update"]);
    expect(server!.bodies("/runs/update")[0]).toMatchObject({ run_id: "r1", status: "KILLED" });
    expect(() => run.logMetric("a", 2)).toThrow("run r1 has ended; start a new run to log more");
    expect(await run.end()).toBe(info);
  });

  it("retries a batch answered 503 and loses nothing", async () => {
    let failures = 0;
    const run = await start(
      tracking(() => (failures++ < 2 ? { status: 503, body: { error_code: "TEMPORARILY_UNAVAILABLE", message: "busy" } } : { status: 200, body: {} })),
    );
    for (let i = 0; i < 5; i += 1) run.logMetric("m", i, { step: i, timestamp: 1 });
    await run.flush();
    const batches = server!.bodies("/runs/log-batch");
    expect(batches).toHaveLength(3);
    expect((batches[2]?.metrics as Metric[]).map((m) => m.value)).toEqual([0, 1, 2, 3, 4]);
  });

  it("surfaces a refused background batch on the next flush(), once", async () => {
    const run = await start(
      tracking(() => ({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: "Invalid metric name: 'a/../b'" } })),
      { flushIntervalMs: 20 },
    );
    run.logMetric("a/../b", 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server!.bodies("/runs/log-batch")).toHaveLength(1);
    const error = await run.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunLogError);
    expect(error).toMatchObject({ lost: 1, pending: 0 });
    expect((error as Error).message).toBe("logging to run r1 failed (1 entries were refused and dropped): Invalid metric name: 'a/../b'");
    await expect(run.flush()).resolves.toBeUndefined();
  });

  it("keeps entries buffered when the server stays unavailable, and sends them once it recovers", async () => {
    let down = true;
    const run = await start(
      tracking(() => (down ? { status: 503, body: { error_code: "TEMPORARILY_UNAVAILABLE", message: "down" } } : { status: 200, body: {} })),
      { flushIntervalMs: 60_000 },
    );
    run.logMetric("m", 1, { step: 0 });
    run.logMetric("m", 2, { step: 1 });
    const error = await run.end().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "RunLogError", lost: 0, pending: 2 });
    expect(run.pendingCount).toBe(2);
    down = false;
    run.logMetric("m", 3, { step: 2 });
    const info = await run.end();
    expect(info.status).toBe("FINISHED");
    const last = server!.bodies("/runs/log-batch").at(-1);
    expect((last?.metrics as Metric[]).map((m) => m.value)).toEqual([1, 2, 3]);
  });

  it("validates entries when they are logged, not later", async () => {
    const run = await start(tracking());
    expect(() => run.logMetric("", 1)).toThrow("metric key must be a non-empty string");
    expect(() => run.logMetric("m", 1, { step: 1.5 })).toThrow("metric 'm' step must be an integer, got 1.5");
    expect(() => run.logMetric("m", "1" as unknown as number)).toThrow("metric 'm' value must be a number, got string");
    await run.end();
  });
});
