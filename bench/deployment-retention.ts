import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "better-sqlite3";
import { type DeploymentRetention, PredictionLog } from "../src/serving/prediction-log/prediction-log.js";
import type { PredictionRecord } from "../src/serving/prediction-log/records.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqlitePredictionLogStore } from "../src/stores/sqlite/sqlite-prediction-log-store.js";
import { longestBlock } from "./longest-block.js";

/**
 * Issue 12 part 8, per-deployment prediction-log retention (`npm run bench -- deployment-retention`):
 *  - a pass when nothing is due, over DEPLOYMENTS deployments with their own bounds: the log's pass (an index seek
 *    and a kept count per deployment) against what the same check costs by counting each deployment's rows and
 *    offsetting to the server's row bound (the baseline: how the row bounds were checked before the kept counts);
 *  - one deployment's backlog of BIG rows trimmed to 1,000: the longest event-loop block in the log's chunks against
 *    one unlimited store call (the baseline);
 *  - what keeping the counts costs inserts: 1,000-row batches through the store against the same INSERTs alone.
 */
const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 50);
const PER_DEPLOYMENT = Number(process.env.BENCH_ROWS_PER_DEPLOYMENT ?? 2_000);
const BIG = Number(process.env.BENCH_BIG_ROWS ?? 100_000);
const INSERT_ROWS = Number(process.env.BENCH_INSERT_ROWS ?? 50_000);
const SERVER_MAX_ROWS = 1_000_000;

const round = (value: number): number => Number(value.toFixed(3));
const data = Array.from({ length: 30 }, (_, i) => i * 0.37);
const inputs = JSON.stringify({ x: { dims: [1, 30], type: "float32", data } });
const outputs = JSON.stringify({ y: { dims: [1, 1], type: "float32", data: [0.5] } });
const row = (deployment: string, i: number): PredictionRecord => ({ deployment, version: "1", time: i, latencyMs: 1, requestId: `${deployment}-${i}`, inputs, outputs });

const seed = async (file: string): Promise<{ db: Database; store: SqlitePredictionLogStore }> => {
  const db = openDatabase(file);
  const store = new SqlitePredictionLogStore(db);
  let batch: PredictionRecord[] = [];
  const flush = async (): Promise<void> => {
    await store.insertPredictions(batch);
    batch = [];
  };
  // Interleaved as served traffic is: each deployment's rows spread over the whole table.
  for (let i = 0; i < PER_DEPLOYMENT; i += 1) {
    for (let d = 0; d < DEPLOYMENTS; d += 1) batch.push(row(`d${d}`, i));
    if (batch.length >= 10_000) await flush();
  }
  for (let i = 0; i < BIG; i += 1) {
    batch.push(row("big", i));
    if (batch.length >= 10_000) await flush();
  }
  await flush();
  return { db, store };
};

const median = (values: number[]): number => round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0);

export const runDeploymentRetentionBenchmarks = async (): Promise<unknown> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-deployment-retention-"));
  try {
    const chunked = await seed(path.join(dir, "chunked.db"));
    let bounds: DeploymentRetention[] = [
      ...Array.from({ length: DEPLOYMENTS }, (_, d) => ({ deployment: `d${d}`, maxAgeMs: 3_600_000, maxRows: PER_DEPLOYMENT * 2 })),
      { deployment: "big", maxAgeMs: 3_600_000, maxRows: BIG * 2 },
    ];
    const log = new PredictionLog(chunked.store, {
      retention: { maxAgeMs: 30 * 86_400_000, maxRows: SERVER_MAX_ROWS, deploymentBounds: async () => bounds },
      clock: () => 3_600_000,
    });
    // Nothing due: the log's pass (5 runs, the median), against counting each deployment and offsetting to the server's bound.
    const passes: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const started = performance.now();
      if ((await log.enforceRetention()) !== 0) throw new Error("a pass with nothing due deleted rows");
      passes.push(performance.now() - started);
    }
    const countEach = chunked.db.prepare("SELECT count(*) AS n FROM predictions WHERE deployment = ?");
    const offset = chunked.db.prepare("SELECT prediction_key FROM predictions ORDER BY prediction_key DESC LIMIT 1 OFFSET ?");
    const scans: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const started = performance.now();
      offset.get(SERVER_MAX_ROWS - 1);
      for (const bound of bounds) countEach.get(bound.deployment);
      scans.push(performance.now() - started);
    }

    // One deployment's backlog: BIG rows down to 1,000, in the log's chunks against one unlimited call.
    bounds = [{ deployment: "big", maxRows: 1_000 }];
    let deleted = 0;
    const inChunks = await longestBlock(async () => void (deleted = await log.enforceRetention()));
    chunked.db.close();
    const whole = await seed(path.join(dir, "whole.db"));
    const oneWrite = await longestBlock(async () => void (await whole.store.trimDeploymentToRows("big", 1_000)));
    whole.db.close();

    // Inserts with the kept counts (the store) against the same INSERTs alone.
    const counted = new SqlitePredictionLogStore(openDatabase(path.join(dir, "counted.db")));
    const plainDb = openDatabase(path.join(dir, "plain.db"));
    const plainInsert = plainDb.prepare(
      "INSERT INTO predictions (deployment, version, time, latency_ms, request_id, inputs, outputs) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const plainBatch = plainDb.transaction((records: PredictionRecord[]) => {
      for (const r of records) plainInsert.run(r.deployment, r.version, r.time, r.latencyMs, r.requestId, r.inputs, r.outputs);
    });
    let countedMs = 0;
    let plainMs = 0;
    for (let start = 0; start < INSERT_ROWS; start += 1_000) {
      const batch = Array.from({ length: 1_000 }, (_, i) => row(`d${(start + i) % DEPLOYMENTS}`, start + i));
      let t = performance.now();
      plainBatch(batch);
      plainMs += performance.now() - t;
      t = performance.now();
      await counted.insertPredictions(batch);
      countedMs += performance.now() - t;
    }
    plainDb.close();

    return {
      nothing_due_pass: {
        deployments_with_bounds: DEPLOYMENTS + 1,
        rows: DEPLOYMENTS * PER_DEPLOYMENT + BIG,
        log_pass_ms: median(passes),
        baseline_count_and_offset_ms: median(scans),
        ratio: round(median(scans) / Math.max(median(passes), 0.001)),
      },
      deployment_backlog: {
        rows: BIG,
        kept: 1_000,
        deleted_in_chunks: deleted,
        one_write: oneWrite,
        chunks: { chunk_rows: 1_000, ...inChunks },
        max_block_ratio: round(oneWrite.max_block_ms / inChunks.max_block_ms),
      },
      insert_with_kept_counts: {
        rows: INSERT_ROWS,
        batch_rows: 1_000,
        plain_insert_ms: round(plainMs),
        store_insert_ms: round(countedMs),
        overhead_ratio: round(countedMs / plainMs),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
