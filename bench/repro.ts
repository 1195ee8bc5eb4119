import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { initWorkspace } from "../src/pipelines/data/init-workspace.js";
import { percentile } from "./stats.js";

/**
 * `cairn repro` of a 20-stage pipeline with nothing changed (issue 13's target: < 300 ms for the whole CLI process),
 * as a user runs it: `node dist/cli/main.js repro` in a temporary git repository, tracking on (its default) with a
 * tracking URI nothing listens on, so that a contact with the server would show as a failure. Baseline in the same
 * run: the start of a bare Node process (`node -e ""`). Also counted: the modules the process loaded, and whether any
 * was a server module (it must load none).
 */
const STAGES = 20;
const RUNS = 5;
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const main = path.join(repoRoot, "dist", "cli", "main.js");

const round = (value: number): number => Number(value.toFixed(1));

/** A chain of 10 stages and 10 stages fanning out of its middle, each reading a file, a folder and a param. */
const pipelineYaml = (): string => {
  const lines = ["stages:"];
  for (let i = 0; i < STAGES; i += 1) {
    const input = i === 0 ? "input.txt" : i < 10 ? `out/s${i - 1}.txt` : "out/s4.txt";
    lines.push(
      `  s${i}:`,
      `    cmd: mkdir -p out && cat ${input} > out/s${i}.txt && echo ${i} >> out/s${i}.txt`,
      `    deps: [${input}, shared]`,
      `    params: [stage.s${i}]`,
      `    outs: [out/s${i}.txt]`,
    );
  }
  return `${lines.join("\n")}\n`;
};

/** GNU time, when the machine has it: the child's CPU time, which a busy machine (shared cores) disturbs less than wall time. */
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

const timedRun = (args: string[], cwd: string, env: NodeJS.ProcessEnv): { ms: number; cpuMs?: number; stdout: string; stderr: string; status: number | null } => {
  const started = performance.now();
  const result =
    TIME === undefined
      ? spawnSync(process.execPath, args, { cwd, env, encoding: "utf8" })
      : spawnSync(TIME, ["-f", "cairn-bench-cpu %U %S", process.execPath, ...args], { cwd, env, encoding: "utf8" });
  const ms = performance.now() - started;
  const cpu = /cairn-bench-cpu ([\d.]+) ([\d.]+)\n?$/.exec(result.stderr);
  const stderr = cpu === null ? result.stderr : result.stderr.slice(0, cpu.index);
  return { ms, ...(cpu === null ? {} : { cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000 }), stdout: result.stdout, stderr, status: result.status };
};

export const runReproBenchmark = async () => {
  const root = await mkdtemp(path.join(tmpdir(), "cairn-bench-repro-"));
  try {
    execFileSync("git", ["init", "-q", root]);
    await initWorkspace(root);
    await writeFile(path.join(root, "input.txt"), "input\n");
    await mkdir(path.join(root, "shared"));
    for (let i = 0; i < 50; i += 1) await writeFile(path.join(root, "shared", `f${i}.txt`), `shared ${i}\n`);
    await writeFile(path.join(root, "params.yaml"), `stage:\n${Array.from({ length: STAGES }, (_, i) => `  s${i}: ${i}`).join("\n")}\n`);
    await writeFile(path.join(root, "dvc.yaml"), pipelineYaml());
    const { MLFLOW_TRACKING_URI: _m, CAIRN_TRACKING_URI: _c, ...base } = process.env;
    const env = { ...base, MLFLOW_TRACKING_URI: "http://127.0.0.1:9" };

    const first = timedRun([main, "repro", "--no-track"], root, env);
    if (first.status !== 0) throw new Error(`first repro failed: ${first.stderr}`);

    // A resolve hook that lists every module the CLI loads, to prove no server module is among them.
    const moduleLog = path.join(root, "modules.log");
    const hook = `data:text/javascript,${encodeURIComponent(
      `import { appendFileSync } from "node:fs"; export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(moduleLog)}, r.url + "\\n"); return r; }`,
    )}`;
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from "node:module"; register(${JSON.stringify(hook)});`)}`;
    const traced = timedRun(["--import", register, main, "repro"], root, env);
    if (traced.status !== 0 || traced.stderr.includes("Warning")) throw new Error(`traced repro: ${traced.stderr}`);
    const modules = [...new Set((await readFile(moduleLog, "utf8")).split("\n").filter((line) => line.startsWith(pathToFileURL(repoRoot).href)))];
    // The server's code, and the SDK's HTTP client (what a contact with the server would need).
    const serverModules = modules.filter((url) => /\/dist\/(server|stores|tracking|registry|serving|artifacts|auth|monitoring|audit)\/|\/dist\/sdk\/client\.js$/.test(url));

    const times: number[] = [];
    const cpu: number[] = [];
    const baselines: number[] = [];
    const baseCpu: number[] = [];
    // Interleaved, so that both see the same load of a shared machine.
    for (let i = 0; i < RUNS; i += 1) {
      const run = timedRun([main, "repro"], root, env);
      if (run.status !== 0 || !run.stdout.startsWith("Nothing changed") || run.stderr.includes("Warning")) throw new Error(`no-change repro: ${run.stdout}${run.stderr}`);
      times.push(run.ms);
      if (run.cpuMs !== undefined) cpu.push(run.cpuMs);
      const base = timedRun(["-e", ""], root, env);
      baselines.push(base.ms);
      if (base.cpuMs !== undefined) baseCpu.push(base.cpuMs);
    }
    const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);
    const sorted = [...times].sort((a, b) => a - b);
    const wall = median(times);
    const baseline = median(baselines);
    return {
      suite: "repro",
      stages: STAGES,
      first_repro_ms: round(first.ms),
      nothing_changed_ms: { median: round(wall), max: round(sorted[sorted.length - 1] ?? 0), runs: times.map(round) },
      baseline_node_start_ms: { median: round(baseline), runs: baselines.map(round) },
      ratio_to_node_start: Number((wall / baseline).toFixed(2)),
      ...(cpu.length === 0 ? {} : { nothing_changed_cpu_ms: round(median(cpu)), baseline_cpu_ms: round(median(baseCpu)), cpu_ratio: Number((median(cpu) / median(baseCpu)).toFixed(2)) }),
      target_ms: 300,
      meets_target: wall < 300,
      load_average: loadavg().map((value) => Number(value.toFixed(2))),
      cairn_modules_loaded: modules.length,
      server_modules_loaded: serverModules.map((url) => url.slice(pathToFileURL(repoRoot).href.length)),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
};
