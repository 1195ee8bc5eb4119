/**
 * Hashing new data: `hashPath` of a folder holding 1 GiB of mixed sizes (8 files of 64 MiB and 20,480 small files of
 * 1 to 50 KiB), with an empty state db each time, against `sha256sum` over the same files in the same run (find |
 * xargs sha256sum: one process, single-threaded). Target: Cairn's throughput >= 80 % of sha256sum's. Both read
 * from the page cache (a warm-up pass reads everything first); each is timed 3 times, the best kept.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { initWorkspace } from "../src/pipelines/data/init-workspace.js";
import { hashPath, openWorkspace } from "../src/pipelines/data/workspace.js";

const MIB = 1024 * 1024;
const LARGE_FILES = 8;
const LARGE_BYTES = 64 * MIB;
const SMALL_FILES = 20_480;
const RUNS = 3;
const TARGET_RATIO = 0.8;

const smallSize = (i: number): number => 1024 + ((i * 7919) % (49 * 1024));

export const runDataHashBenchmark = async (): Promise<unknown> => {
  const root = mkdtempSync(join(tmpdir(), "cairn-bench-hash-"));
  try {
    const data = join(root, "data");
    mkdirSync(join(data, "large"), { recursive: true });
    let bytes = 0;
    const block = randomBytes(LARGE_BYTES);
    for (let i = 0; i < LARGE_FILES; i += 1) {
      block.writeUInt32LE(i, 0); // distinct contents
      writeFileSync(join(data, "large", `big${i}.bin`), block);
      bytes += LARGE_BYTES;
    }
    for (let i = 0; i < SMALL_FILES; i += 1) {
      const dir = join(data, "small", `part${Math.floor(i / 1000)}`);
      if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
      const size = smallSize(i);
      writeFileSync(join(dir, `f${i}.bin`), block.subarray(i * 4096, i * 4096 + size));
      bytes += size;
    }
    await initWorkspace(root);
    const sha256sum = (): number => {
      const started = performance.now();
      const result = spawnSync("sh", ["-c", "find data -type f -print0 | xargs -0 sha256sum > /dev/null"], { cwd: root });
      if (result.status !== 0) throw new Error(`sha256sum failed: ${result.stderr.toString()}`);
      return performance.now() - started;
    };
    const cairn = async (): Promise<{ ms: number; nfiles: number }> => {
      rmSync(join(root, ".cairn", "state.db"), { force: true });
      rmSync(join(root, ".cairn", "state.db-wal"), { force: true });
      rmSync(join(root, ".cairn", "state.db-shm"), { force: true });
      const ws = await openWorkspace(root);
      try {
        const started = performance.now();
        const info = await hashPath(ws, "data");
        return { ms: performance.now() - started, nfiles: info.nfiles ?? 0 };
      } finally {
        ws.close();
      }
    };
    sha256sum(); // warm-up: every file in the page cache
    const shaRuns: number[] = [];
    const cairnRuns: number[] = [];
    let nfiles = 0;
    for (let i = 0; i < RUNS; i += 1) {
      shaRuns.push(sha256sum());
      const run = await cairn();
      cairnRuns.push(run.ms);
      nfiles = run.nfiles;
    }
    const bestSha = Math.min(...shaRuns);
    const bestCairn = Math.min(...cairnRuns);
    const mibps = (ms: number): number => Math.round((bytes / MIB / (ms / 1000)) * 10) / 10;
    const ratio = Number((bestSha / bestCairn).toFixed(2));
    return {
      benchmark: "data-hash",
      bytes,
      files: nfiles,
      cpus: availableParallelism(),
      sha256sum_runs_ms: shaRuns.map(Math.round),
      cairn_runs_ms: cairnRuns.map(Math.round),
      sha256sum_mib_per_s: mibps(bestSha),
      cairn_mib_per_s: mibps(bestCairn),
      ratio_cairn_to_sha256sum: ratio,
      target_ratio: TARGET_RATIO,
      met: ratio >= TARGET_RATIO,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};
