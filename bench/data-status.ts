/**
 * `cairn status` on a workspace of 100,000 tracked files with nothing changed (target: < 1 s wall, the whole CLI
 * process: `node dist/cli/main.js status`, after `npm run build:lib`). Four tracked folders of 25,000 small files (in
 * subfolders of 1,000) are added with `cairn add` (default link type), then status runs 5 times. Baseline in the same
 * run: a plain walk of the same files in Node (readdir + lstat of each, in-process), and `node -e 0` (process start).
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { percentile } from "./stats.js";

const FILES = 100_000;
const FOLDERS = 4;
const PER_SUBFOLDER = 1000;
const RUNS = 5;
const TARGET_MS = 1000;

const main = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

const timed = (args: string[], cwd: string): number => {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed (${result.status}): ${result.stderr}`);
  return ms;
};

const lstatWalk = (dir: string): number => {
  let count = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      const stats = lstatSync(path);
      if (stats.isDirectory()) stack.push(path);
      else count += 1;
    }
  }
  return count;
};

export const runDataStatusBenchmark = async (): Promise<unknown> => {
  if (!existsSync(main)) throw new Error("dist/cli/main.js is missing: run `npm run build:lib` first");
  const root = mkdtempSync(join(tmpdir(), "cairn-bench-status-"));
  try {
    timed([main, "init"], root);
    const folders: string[] = [];
    for (let f = 0; f < FOLDERS; f += 1) {
      const folder = `data${f}`;
      folders.push(folder);
      for (let i = 0; i < FILES / FOLDERS; i += 1) {
        const sub = join(root, folder, `part${Math.floor(i / PER_SUBFOLDER)}`);
        if (i % PER_SUBFOLDER === 0) mkdirSync(sub, { recursive: true });
        writeFileSync(join(sub, `f${i}.txt`), `${f}-${i}\n`);
      }
    }
    const addMs = timed([main, "add", ...folders], root);
    // The first status after add: the state db already knows the linked files.
    const firstMs = timed([main, "status"], root);
    const statusRuns: number[] = [];
    for (let i = 0; i < RUNS; i += 1) statusRuns.push(timed([main, "status"], root));
    const status = spawnSync(process.execPath, [main, "status", "--json"], { cwd: root, encoding: "utf8" });
    const outs = (JSON.parse(status.stdout) as { outs: { state: string }[] }).outs;

    const walkRuns: number[] = [];
    let walked = 0;
    for (let i = 0; i < RUNS; i += 1) {
      const started = performance.now();
      walked = folders.reduce((sum, folder) => sum + lstatWalk(join(root, folder)), 0);
      walkRuns.push(performance.now() - started);
    }
    const nodeStart: number[] = [];
    for (let i = 0; i < RUNS; i += 1) nodeStart.push(timed(["-e", "0"], root));

    const p50 = (runs: number[]): number => Math.round(percentile([...runs].sort((a, b) => a - b), 50));
    return {
      benchmark: "data-status",
      tracked_files: FILES,
      tracked_folders: FOLDERS,
      all_unchanged: outs.length === FOLDERS && outs.every((out) => out.state === "unchanged"),
      add_ms: Math.round(addMs),
      first_status_ms: Math.round(firstMs),
      status_runs_ms: statusRuns.map(Math.round),
      status_p50_ms: p50(statusRuns),
      baseline_lstat_walk_p50_ms: p50(walkRuns),
      baseline_walked_files: walked,
      baseline_node_start_p50_ms: p50(nodeStart),
      ratio_status_to_lstat_walk: Number((p50(statusRuns) / Math.max(1, p50(walkRuns))).toFixed(2)),
      target_ms: TARGET_MS,
      met: p50(statusRuns) < TARGET_MS,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};
