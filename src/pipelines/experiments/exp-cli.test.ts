import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../../cli/test-support/run-cli.js";
import type { Run } from "../../protocol/mlflow/entities.js";
import { unusedPort } from "../../sdk/test-support/recording-server.js";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";
import { initWorkspace } from "../data/init-workspace.js";
import { serializePointerFile } from "../data/pointer-file.js";
import { openWorkspace, saveToCache } from "../data/workspace.js";

let server: TempServer;
let parent: string;
let root: string;

const PARAMS = "# training settings\ntrain:\n  lr: 0.1 # learning rate\n  epochs: 3\n";
// A real stage: reads its params, fails on a negative epoch count, sleeps a little so that -j 2 overlaps.
const TRAIN = `import { readFileSync, writeFileSync } from "node:fs";
const text = readFileSync("params.yaml", "utf8");
const lr = Number(/lr: *(-?[0-9.]+)/.exec(text)[1]);
const epochs = Number(/epochs: *(-?[0-9]+)/.exec(text)[1]);
const rows = readFileSync("data/raw.csv", "utf8").trim().split("\\n").length;
if (epochs < 0) { console.error("epochs must not be negative"); process.exit(3); }
await new Promise((resolve) => setTimeout(resolve, 1500));
writeFileSync("model.txt", "model lr=" + lr + " epochs=" + epochs + "\\n");
writeFileSync("metrics.json", JSON.stringify({ score: lr * 10 + epochs + rows, nested: { ok: true } }));
`;
const PIPELINE = `stages:
  train:
    cmd: node train.mjs
    deps: [train.mjs, data/raw.csv]
    params: [train.lr, train.epochs]
    outs: [model.txt]
    metrics: [metrics.json]
`;

const git = (...args: string[]): string =>
  execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], { cwd: root, encoding: "utf8" }).trim();

/** The real CLI run from inside the workspace, as a user runs it. */
const cairn = (...args: string[]): Promise<CliResult> => cairnAt(server.url, ...args);
const cairnAt = (trackingUri: string, ...args: string[]): Promise<CliResult> =>
  runCli(["--tracking-uri", trackingUri, ...args], { cwd: root, env: { CAIRN_USER: "tester" } });

const rest = async (route: string, body: unknown): Promise<any> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
};
const experimentId = async (): Promise<string> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=exp-project`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id;
};
const search = async (filter: string): Promise<Run[]> => (await rest("runs/search", { experiment_ids: [await experimentId()], filter, max_results: 1000 })).runs ?? [];
const tag = (run: Run, key: string): string | undefined => (run.data.tags ?? []).find((entry) => entry.key === key)?.value;
const params = (run: Run): Record<string, string> => Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
const metrics = (run: Run): Record<string, number> => Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]));
const experimentRun = async (name: string): Promise<Run> => {
  const runs = await search(`tags.\`cairn.experiment\` = '${name}'`);
  expect(runs.length).toBe(1);
  return runs[0] as Run;
};
const stageRuns = (parentRun: Run): Promise<Run[]> => search(`tags.\`mlflow.parentRunId\` = '${parentRun.info.run_id}'`);

beforeAll(async () => {
  server = await startTempServer("cairn-exp-cli-");
  parent = await mkdtemp(path.join(tmpdir(), "cairn-exp-cli-ws-"));
  root = path.join(parent, "exp-project");
  await mkdir(root);
  git("init", "-q");
  await initWorkspace(root);
  await writeFile(path.join(root, "params.yaml"), PARAMS);
  await writeFile(path.join(root, "train.mjs"), TRAIN);
  await writeFile(path.join(root, "dvc.yaml"), PIPELINE);
  await writeFile(path.join(root, ".gitignore"), "/model.txt\n/metrics.json\n/data/raw.csv\n");
  // Data versioned by a pointer file, not in git: each experiment's copy gets it from the shared cache.
  await mkdir(path.join(root, "data"));
  await writeFile(path.join(root, "data", "raw.csv"), "a\nb\n");
  const ws = await openWorkspace(root);
  try {
    const info = await saveToCache(ws, "data/raw.csv");
    await writeFile(path.join(root, "data", "raw.csv.cairn"), serializePointerFile({ outs: [{ path: "raw.csv", ...info }] }));
  } finally {
    ws.close();
  }
  git("add", "-A");
  git("commit", "-q", "-m", "pipeline");
});

afterAll(async () => {
  await server?.close();
  if (parent !== undefined) await rm(parent, { recursive: true, force: true });
});

describe("cairn exp", () => {
  it("refuses an unknown --set-param key with exit 1, naming it, and changes nothing", async () => {
    const result = await cairn("exp", "run", "-S", "train.lr=0.2", "-S", "train.lrx=1");
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe("cairn: error: params.yaml: --set-param: the key 'train.lrx' does not exist in params.yaml\n");
    const queued = await cairn("exp", "run", "-S", "other.yaml:seed=1", "--queue");
    expect(queued.code).toBe(1);
    expect(queued.stderr).toBe("cairn: error: other.yaml: --set-param: the params file does not exist\n");
    const malformed = await cairn("exp", "run", "-S", "train.lr");
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toBe("cairn: error: --set-param 'train.lr': expected KEY=VALUE or FILE:KEY=VALUE\n");
    expect(await readFile(path.join(root, "params.yaml"), "utf8")).toBe(PARAMS);
    await expect(readdir(path.join(root, ".cairn", "tmp", "exp-queue"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("runs two queued experiments with -j 2, each in its own copy, tracked with their params and metrics", async () => {
    for (const [name, lr] of [["lr-02", "0.2"], ["lr-05", "0.5"]] as const) {
      const queued = await cairn("exp", "run", "-S", `train.lr=${lr}`, "--queue", "--name", name);
      expect(queued.code).toBe(0);
      expect(queued.stdout).toBe(`Queued experiment '${name}' (params.yaml:train.lr=${lr}). Run the queue with \`cairn exp run --run-all\`.\n`);
    }
    expect((await readdir(path.join(root, ".cairn", "tmp", "exp-queue"))).sort()).toEqual(["lr-02.json", "lr-05.json"]);

    const ran = await cairn("exp", "run", "--run-all", "-j", "2", "--json");
    expect(ran.code).toBe(0);
    const results = JSON.parse(ran.stdout) as { name: string; ok: boolean; params: string[]; run_id: string; stages: { stage: string; state: string }[] }[];
    expect(results.map((r) => [r.name, r.ok, r.params, r.stages.map((s) => [s.stage, s.state])])).toEqual([
      ["lr-02", true, ["params.yaml:train.lr=0.2"], [["train", "ran"]]],
      ["lr-05", true, ["params.yaml:train.lr=0.5"], [["train", "ran"]]],
    ]);

    const first = await experimentRun("lr-02");
    const second = await experimentRun("lr-05");
    expect(results.map((r) => r.run_id)).toEqual([first.info.run_id, second.info.run_id]);
    for (const [run, name, lr, score] of [[first, "lr-02", "0.2", 7], [second, "lr-05", "0.5", 10]] as const) {
      expect(run.info).toMatchObject({ run_name: name, status: "FINISHED" });
      expect(tag(run, "cairn.pipeline")).toBe("true");
      expect(tag(run, "mlflow.source.git.commit")).toBe(git("rev-parse", "HEAD"));
      expect(params(run)).toEqual({ "train.lr": lr });
      // The experiment's parent run carries its metrics too, so the UI's compare view lines experiments up.
      expect(metrics(run)).toEqual({ score, "nested.ok": 1 });
      const stages = await stageRuns(run);
      expect(stages.map((stage) => [stage.info.run_name, tag(stage, "cairn.stage.state"), params(stage), metrics(stage)])).toEqual([
        ["train", "ran", { "train.lr": lr, "train.epochs": "3" }, { score, "nested.ok": 1 }],
      ]);
    }
    // -j 2: the two experiments ran at the same time.
    expect(first.info.start_time < (second.info.end_time as number) && second.info.start_time < (first.info.end_time as number)).toBe(true);

    // The workspace is untouched, the queue empty, the copies gone.
    expect(await readFile(path.join(root, "params.yaml"), "utf8")).toBe(PARAMS);
    await expect(readFile(path.join(root, "model.txt"))).rejects.toMatchObject({ code: "ENOENT" });
    await expect(readFile(path.join(root, "metrics.json"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readdir(path.join(root, ".cairn", "tmp", "exp-queue"))).toEqual([]);
    expect(await readdir(path.join(root, ".cairn", "tmp", "exp-runs"))).toEqual([]);
    expect(git("status", "--porcelain")).toBe("");

    const shown = await cairn("exp", "show", "--json");
    expect(shown.code).toBe(0);
    const rows = JSON.parse(shown.stdout) as { name: string; status: string; params: Record<string, string>; metrics: Record<string, number> }[];
    expect(rows.map((row) => [row.name, row.status, row.params, row.metrics]).sort()).toEqual([
      ["lr-02", "FINISHED", { "train.lr": "0.2" }, { score: 7, "nested.ok": 1 }],
      ["lr-05", "FINISHED", { "train.lr": "0.5" }, { score: 10, "nested.ok": 1 }],
    ]);
    const table = await cairn("exp", "show");
    expect(table.stdout.split("\n")[0]?.split(/ {2,}/)).toEqual(["EXPERIMENT", "STATUS", "CREATED (UTC)", "train.lr", "nested.ok", "score"]);
  });

  it("keeps a failed queued experiment with its error and exits 1; remove takes it out", async () => {
    expect((await cairn("exp", "run", "-S", "train.epochs=-1", "--queue", "--name", "bad-epochs")).code).toBe(0);
    const ran = await cairn("exp", "run", "--run-all");
    expect(ran.code).toBe(1);
    const entry = JSON.parse(await readFile(path.join(root, ".cairn", "tmp", "exp-queue", "bad-epochs.json"), "utf8")) as { error: string };
    expect(entry.error).toMatch(/^stage 'train', dvc\.yaml: command failed \(.*3.*\)/);
    const failedRun = await experimentRun("bad-epochs");
    expect(failedRun.info.status).toBe("FAILED");
    const shown = JSON.parse((await cairn("exp", "show", "--json")).stdout) as { name: string; status: string; error?: string }[];
    expect(shown.find((row) => row.status === "QUEUED")).toMatchObject({ name: "bad-epochs", error: entry.error });
    const removed = await cairn("exp", "remove", "bad-epochs");
    expect(removed).toMatchObject({ code: 0, stdout: "Removed queued experiment 'bad-epochs'.\n" });
    // One --run-all at a time: a live holder of the queue's lock makes a second one stop before running anything.
    expect((await cairn("exp", "run", "-S", "train.lr=0.9", "--queue", "--name", "waiting")).code).toBe(0);
    const lock = path.join(root, ".cairn", "tmp", "exp-run-all.lock");
    await writeFile(lock, `${process.pid}\n`);
    const blocked = await cairn("exp", "run", "--run-all");
    await rm(lock);
    expect(blocked).toMatchObject({ code: 1, stderr: "cairn: error: another `cairn exp run --run-all` is running this workspace's queue; wait for it to end\n" });
    expect((await cairn("exp", "remove", "--queue")).stdout).toBe("Removed 1 queued experiment.\n");
    const again = await cairn("exp", "remove", "--queue");
    expect(again).toMatchObject({ code: 1, stderr: "cairn: error: the queue is empty: nothing removed\n" });
    expect(await readFile(path.join(root, "params.yaml"), "utf8")).toBe(PARAMS);
  });

  it("runs an experiment in the workspace itself, and removes an experiment's runs", async () => {
    const ran = await cairn("exp", "run", "-S", "train.lr=0.3", "--name", "direct");
    expect(ran.code).toBe(0);
    const run = await experimentRun("direct");
    expect(ran.stdout).toBe(`Experiment 'direct' done: run ${run.info.run_id}.\n`);
    expect(await readFile(path.join(root, "params.yaml"), "utf8")).toBe("# training settings\ntrain:\n  lr: 0.3 # learning rate\n  epochs: 3\n");
    expect(await readFile(path.join(root, "model.txt"), "utf8")).toBe("model lr=0.3 epochs=3\n");
    expect(params(run)).toEqual({ "train.lr": "0.3" });
    const [stage] = await stageRuns(run);
    expect(metrics(stage as Run)).toEqual({ score: 8, "nested.ok": 1 });

    // lr 0.5 ran in a copy during --run-all: its outputs are in the shared cache, so the run cache restores them.
    const reused = await cairn("exp", "run", "-S", "train.lr=0.5", "--name", "reuse", "--json");
    expect(reused.code).toBe(0);
    expect((JSON.parse(reused.stdout) as { stages: { stage: string; state: string }[] }).stages).toEqual([{ stage: "train", state: "cached", run_id: expect.any(String) }]);
    expect(await readFile(path.join(root, "model.txt"), "utf8")).toBe("model lr=0.5 epochs=3\n");
    const [reusedStage] = await stageRuns(await experimentRun("reuse"));
    const [lr05Stage] = await stageRuns(await experimentRun("lr-05"));
    expect(tag(reusedStage as Run, "cairn.stage.state")).toBe("cached");
    expect(tag(reusedStage as Run, "cairn.stage.restored_from")).toBe((lr05Stage as Run).info.run_id);
    expect(metrics(reusedStage as Run)).toEqual({ score: 10, "nested.ok": 1 });

    const removed = await cairn("exp", "remove", "lr-02", "--json");
    expect(removed.code).toBe(0);
    const lr02 = JSON.parse(removed.stdout) as { runs: string[] };
    expect(lr02.runs.length).toBe(2);
    expect(await search(`tags.\`cairn.experiment\` = 'lr-02'`)).toEqual([]);
    const missing = await cairn("exp", "remove", "no-such");
    expect(missing).toMatchObject({ code: 1, stderr: "cairn: error: no experiment named 'no-such' (queued or on the tracking server)\n" });

    // An experiment exists to be compared: one whose record could not be made is a failure, not a silent success.
    const offline = await cairnAt(`http://127.0.0.1:${await unusedPort()}`, "exp", "run", "-S", "train.lr=0.4", "--name", "offline");
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/\ncairn: error: experiment 'offline' failed: tracking failed: .+\n$/);
  });
});
