import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AuditRecorder } from "../src/audit/recorder.js";
import { AuditService } from "../src/audit/service.js";
import type { WriteContext } from "../src/core/actor.js";
import type { Metric } from "../src/protocol/mlflow/entities.js";
import { openSqliteMetadataStores } from "../src/stores/sqlite/open-stores.js";
import { TrackingService } from "../src/tracking/service.js";
import { percentile } from "./stats.js";

/**
 * Issue 12 part 7: every audit event now commits in the transaction of the change it records. Does that slow the hot
 * write paths? log-metric (one metric a call) and log-batch (1000 metrics a call) through TrackingService over a real
 * SQLite file, 8 concurrent writers, in alternating rounds of:
 *  - atomic: the change and its event in one transaction (what the server does now);
 *  - baseline: the same service with a recorder that does not offer atomically(), i.e. the previous behaviour: the
 *    change commits, then the event is group-committed a loop turn later.
 * Throughput and per-call latency (p50/p99); the ratio is atomic / baseline. BENCH_SECONDS sets a round's length.
 */
const WRITERS = 8;
const ROUNDS = 3;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ctx: WriteContext = { actor: { name: "bench", verified: false }, requestId: "bench" };

interface Figures {
  calls: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

const measure = async (service: TrackingService, runIds: string[], metricsPerCall: number, step: { next: number }): Promise<Figures> => {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const writer = async (runId: string): Promise<void> => {
    while (performance.now() < deadline) {
      const first = (step.next += metricsPerCall);
      const metrics: Metric[] = Array.from({ length: metricsPerCall }, (_, i) => ({ key: `m${i % 10}`, value: i, timestamp: 1_700_000_000_000 + first + i, step: first + i }));
      const started = performance.now();
      if (metricsPerCall === 1) await service.logMetric(runId, metrics[0] as Metric, ctx);
      else await service.logBatch(runId, { metrics, params: [], tags: [] }, ctx);
      latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  await Promise.all(runIds.map(writer));
  const seconds = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return { calls: latencies.length, callsPerSecond: round(latencies.length / seconds, 1), p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)) };
};

const total = (figures: Figures[]): Figures => {
  const calls = figures.reduce((sum, f) => sum + f.calls, 0);
  const mean = (pick: (f: Figures) => number) => round(figures.reduce((sum, f) => sum + pick(f), 0) / figures.length);
  return { calls, callsPerSecond: mean((f) => f.callsPerSecond), p50Ms: mean((f) => f.p50Ms), p99Ms: mean((f) => f.p99Ms) };
};

export const runAuditAtomicBenchmarks = async (): Promise<unknown> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-audit-"));
  try {
    const stores = await openSqliteMetadataStores(path.join(dir, "cairn.db"));
    const audit = new AuditService(stores.audit);
    const previous: AuditRecorder = { record: (context, entry) => audit.record(context, entry) };
    const atomic = new TrackingService(stores.tracking, { defaultArtifactRoot: "mlflow-artifacts:/", audit });
    const baseline = new TrackingService(stores.tracking, { defaultArtifactRoot: "mlflow-artifacts:/", audit: previous });
    const experimentId = await atomic.createExperiment({ name: "bench", tags: [] }, ctx);
    const runIds: string[] = [];
    for (let i = 0; i < WRITERS; i += 1) runIds.push((await atomic.createRun({ experimentId, tags: [], startTime: 1 }, ctx)).info.run_id);
    const step = { next: 0 };
    const results: Record<string, unknown> = {};
    for (const [name, perCall] of [["log-metric", 1], ["log-batch-1000", 1000]] as const) {
      const a: Figures[] = [];
      const b: Figures[] = [];
      for (let r = 0; r < ROUNDS; r += 1) {
        b.push(await measure(baseline, runIds, perCall, step));
        a.push(await measure(atomic, runIds, perCall, step));
      }
      const atomicTotal = total(a);
      const baselineTotal = total(b);
      results[name] = {
        atomic: atomicTotal,
        baseline: baselineTotal,
        throughputRatio: round(atomicTotal.callsPerSecond / baselineTotal.callsPerSecond),
        p99Ratio: round(atomicTotal.p99Ms / baselineTotal.p99Ms),
      };
    }
    const verify = await audit.verify();
    await stores.close();
    return { writers: WRITERS, rounds: ROUNDS, secondsPerRound: SECONDS, auditChainOk: verify.ok, events: verify.checked, ...results };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
