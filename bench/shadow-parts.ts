import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ShadowKeeper } from "../src/serving/deployments/shadow-keeper.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteDeploymentStore } from "../src/stores/sqlite/sqlite-deployment-store.js";
import { percentile } from "./stats.js";

/**
 * Shadow report parts of a crash-looping deployment (issue 14): PARTS processes each counted LATENCIES requests
 * (latencies kept one by one up to 10,000 per side, the worst case of a part) and died without stopping. Measured on
 * SQLite, in one run: what a report reads and how long it takes with every part (the baseline: no compaction), how
 * long the compaction takes, and the same report after it (one compacted part).
 */
const PARTS = Number(process.env.BENCH_SHADOW_PARTS ?? 50);
const LATENCIES = Number(process.env.BENCH_SHADOW_LATENCIES ?? 10_000);
const READS = 10;
const LIVENESS_MS = 60_000;

const round = (value: number): number => Number(value.toFixed(3));

export const runShadowPartsBenchmarks = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-shadow-parts-"));
  const db = openDatabase(path.join(dir, "cairn.db"));
  try {
    const store = new SqliteDeploymentStore(db);
    let now = 1_000;
    const clock = (): number => now;
    for (let p = 0; p < PARTS; p += 1) {
      now = 1_000 + p;
      const keeper = new ShadowKeeper(store, { clock, replica: `host:${p}:crashed`, livenessMs: LIVENESS_MS });
      const recorder = keeper.newRecorder("prod", "1", "2", 1);
      for (let i = 0; i < LATENCIES; i += 1) {
        recorder.recordMirrored();
        const ms = 1 + ((i * 7919 + p * 104_729) % 10_007) / 97;
        recorder.recordComparison({ sameClass: i % 9 !== 0, absDiffs: [(i % 4) * 0.25], relDiffs: [(i % 4) * 0.125] }, ms, ms * 1.5);
      }
      await keeper.save(recorder);
    }
    const reader = new ShadowKeeper(store, { clock, replica: "host:reader", livenessMs: LIVENESS_MS });
    const stored = () => db.prepare("SELECT COUNT(*) AS parts, SUM(LENGTH(state)) + SUM(LENGTH(report)) AS bytes FROM shadow_reports").get() as { parts: number; bytes: number };
    const reads = async () => {
      const times: number[] = [];
      let mirrored = 0;
      for (let i = 0; i < READS; i += 1) {
        const started = performance.now();
        const [combined] = await reader.combined("prod", undefined);
        times.push(performance.now() - started);
        mirrored = combined?.report.mirrored ?? 0;
      }
      const sorted = times.sort((a, b) => a - b);
      return { p50_ms: round(percentile(sorted, 50)), max_ms: round(sorted[sorted.length - 1] ?? 0), mirrored };
    };
    const before = { ...stored(), read: await reads() };
    now = 1_000 + PARTS + LIVENESS_MS;
    const started = performance.now();
    const merged = await reader.compact("prod", undefined);
    const compactionMs = round(performance.now() - started);
    const after = { ...stored(), read: await reads() };
    if (after.read.mirrored !== before.read.mirrored) throw new Error(`counts changed: ${before.read.mirrored} -> ${after.read.mirrored}`);
    return {
      suite: "shadow-parts",
      parts: PARTS,
      latencies_per_part_side: LATENCIES,
      before_compaction: before,
      compaction: { merged_parts: merged, ms: compactionMs },
      after_compaction: after,
      read_p50_ratio_before_over_after: round(before.read.p50_ms / after.read.p50_ms),
      bytes_ratio_before_over_after: round(before.bytes / after.bytes),
    };
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
};
