import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteAuditStore } from "../src/stores/sqlite/sqlite-audit-store.js";
import type { RunningServer } from "../src/server/start.js";
import { startServerIn } from "../src/server/test-support/temp-server.js";

/**
 * Issue 12 part 5 ("costly reads ... run off the event loop"): a real server verifying a 100,000-event trail keeps its
 * event loop free (the walk runs on a worker thread with its own connection) while a normal client logs metrics.
 */
const EVENTS = 100_000;
/**
 * Longest stall of the server's event loop allowed during the verify. Off thread, what stalls remain come from the
 * machine (the same client without any verify saw stalls of 15 to 100 ms on a 2-core machine at load 4.5, and one
 * of 281 ms during a verify); a walk of the 100,000 events in one go held the loop for more than a second.
 */
const MAX_STALL_MS = 500;
/**
 * Share of the verify's duration the event loop may be busy. This is what tells the worker from the walk in slices
 * on the loop: that one kept the loop busy 0.99 of the time (each slice short, but one after another); off thread
 * the loop only serves the client (0.42 to 0.47 measured, 0.36 to 0.53 for the client alone).
 */
const MAX_UTILIZATION = 0.8;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes the trail straight through the store before the server opens the file (setup, not measured). */
const seedTrail = async (file: string): Promise<void> => {
  const db = openDatabase(file);
  const store = new SqliteAuditStore(db);
  for (let start = 0; start < EVENTS; start += 5000) {
    await Promise.all(
      Array.from({ length: 5000 }, (_, i) =>
        store.append({
          time: 1_700_000_000_000 + start + i,
          actor: { name: "seed", verified: false },
          action: "tracking.run.log_batch",
          entityType: "run",
          entityId: `run-${(start + i) % 100}`,
          beforeJson: null,
          afterJson: JSON.stringify({ metrics: start + i }),
          requestId: `seed-${start + i}`,
        }),
      ),
    );
  }
  db.close();
};

describe("audit verify of a 100,000-event trail on a real server", () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-verify-100k-"));
    await seedTrail(path.join(dir, "cairn.db"));
    server = await startServerIn(dir);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${server.url}${route}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  let step = 0;
  /** A normal client logging a metric every 5 ms until `until` settles; the event loop measured meanwhile. */
  const measureWhile = async (runId: string, until: Promise<unknown>) => {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    const startUtilization = performance.eventLoopUtilization();
    const started = performance.now();
    delay.enable();
    let done = false;
    const finished = until.finally(() => (done = true));
    const statuses: number[] = [];
    while (!done) {
      const answer = await call("POST", "/api/2.0/mlflow/runs/log-metric", { run_id: runId, key: "loss", value: 0.5, timestamp: 1_700_000_000_000, step: step++ });
      statuses.push(answer.status);
      await sleep(5);
    }
    await finished;
    delay.disable();
    return {
      ms: Math.round(performance.now() - started),
      longestStallMs: delay.max / 1e6,
      utilization: performance.eventLoopUtilization(startUtilization).utilization,
      statuses,
    };
  };
  it("keeps the event loop's longest stall small and serves log-metric requests while it verifies", async () => {
    const experiment = await call("POST", "/api/2.0/mlflow/experiments/create", { name: "verify-under-load" });
    const run = await call("POST", "/api/2.0/mlflow/runs/create", { experiment_id: experiment.body.experiment_id });
    const runId = (run.body.run as { info: { run_id: string } }).info.run_id;

    // The same client alone first: what the loop costs this machine now, without a verify.
    const baseline = await measureWhile(runId, sleep(1500));
    let verify: { status: number; body: Record<string, unknown> } | undefined;
    const during = await measureWhile(
      runId,
      call("GET", "/api/2.0/cairn/audit/verify").then((answer) => {
        verify = answer;
      }),
    );
    const figures = (m: typeof baseline) => ({ ms: m.ms, longest_stall_ms: m.longestStallMs, utilization: m.utilization, log_metrics: m.statuses.length });
    console.log(JSON.stringify({ baseline: figures(baseline), during: figures(during) }));
    if (verify === undefined) throw new Error("verify did not answer");

    expect(verify.status).toBe(200);
    // The seeded trail and the server's own events before the walk's snapshot (experiment, run, some metrics).
    expect(verify.body.ok).toBe(true);
    expect(verify.body.checked).toBeGreaterThanOrEqual(EVENTS + 2);
    expect(verify.body.problems).toBeUndefined();
    expect(during.statuses.length).toBeGreaterThan(5);
    expect(during.statuses.every((status) => status === 200)).toBe(true);
    expect(during.longestStallMs).toBeLessThan(MAX_STALL_MS);
    expect(during.utilization).toBeLessThan(MAX_UTILIZATION);
    // Every metric logged meanwhile is stored.
    const history = await call("GET", `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=loss&max_results=25000`);
    expect((history.body.metrics as unknown[]).length).toBe(baseline.statuses.length + during.statuses.length);
  }, 120_000);
});
