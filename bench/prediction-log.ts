import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PredictionLog } from "../src/serving/prediction-log/prediction-log.js";
import { boundedRecord, DEFAULT_MAX_RECORD_BYTES } from "../src/serving/prediction-log/record-size.js";
import type { PredictionRecord } from "../src/serving/prediction-log/records.js";
import { tensorMapJson } from "../src/serving/prediction-log/records.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqlitePredictionLogStore } from "../src/stores/sqlite/sqlite-prediction-log-store.js";
import { longestBlock } from "./longest-block.js";

/**
 * Issue 12 part 8, bounded background work of the prediction log:
 *  - retention of a backlog: the longest event-loop block while deleting ROWS expired records of ~1 KB, in one write
 *    (the baseline, what a store call without a limit does) and in the log's chunks (1,000 rows by default);
 *  - the record limit: bytes stored for one 18 MB scoring body (4.5 M float32 values), whole vs bounded.
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 300_000);
const CHUNK = Number(process.env.BENCH_CHUNK_ROWS ?? 1_000);

const round = (value: number): number => Number(value.toFixed(3));

const seed = async (file: string): Promise<SqlitePredictionLogStore> => {
  const db = openDatabase(file);
  const store = new SqlitePredictionLogStore(db);
  const data = Array.from({ length: 30 }, (_, i) => i * 0.37);
  const inputs = JSON.stringify({ x: { dims: [1, 30], type: "float32", data } });
  const outputs = JSON.stringify({ y: { dims: [1, 1], type: "float32", data: [0.5] } });
  for (let start = 0; start < ROWS; start += 10_000) {
    const batch: PredictionRecord[] = [];
    for (let i = start; i < Math.min(ROWS, start + 10_000); i += 1) {
      batch.push({ deployment: "churn", version: "1", time: i, latencyMs: 1, requestId: `r${i}`, inputs, outputs });
    }
    await store.insertPredictions(batch);
  }
  return store;
};

export const runPredictionLogBenchmarks = async (): Promise<unknown> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-prediction-log-"));
  try {
    const whole = await seed(path.join(dir, "whole.db"));
    const baseline = await longestBlock(async () => void (await whole.deleteOlderThan(ROWS)));
    const chunked = await seed(path.join(dir, "chunked.db"));
    const log = new PredictionLog(chunked, { retention: { maxAgeMs: 1, chunkRows: CHUNK }, clock: () => ROWS + 1 });
    let deleted = 0;
    const inChunks = await longestBlock(async () => void (deleted = await log.enforceRetention()));

    const values = 4_500_000;
    const body = { x: { type: "float32" as const, dims: [values / 30, 30], data: new Float32Array(values).map((_, i) => (i % 1000) / 7) } };
    const entry = { deployment: "churn", version: "1", time: 0, latencyMs: 1, requestId: "big", inputs: body, outputs: {} };
    const wholeBytes = Buffer.byteLength(tensorMapJson(body));
    const bounded = boundedRecord(entry, DEFAULT_MAX_RECORD_BYTES);
    const boundedBytes = Buffer.byteLength(bounded.inputs) + Buffer.byteLength(bounded.outputs);
    return {
      retention_backlog: {
        rows: ROWS,
        deleted_in_chunks: deleted,
        one_write: baseline,
        chunks: { chunk_rows: CHUNK, ...inChunks },
        max_block_ratio: round(baseline.max_block_ms / inChunks.max_block_ms),
      },
      record_limit_18mb_body: { whole_json_bytes: wholeBytes, bounded_bytes: boundedBytes, ratio: round(wholeBytes / boundedBytes) },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
