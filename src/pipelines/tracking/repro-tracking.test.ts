import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Run } from "../../protocol/mlflow/entities.js";
import { CairnClient } from "../../sdk/client.js";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";
import { initWorkspace } from "../data/init-workspace.js";
import { openWorkspace } from "../data/workspace.js";
import { readLock } from "../lock/lock-store.js";
import { reproduce } from "../repro/reproduce.js";
import { createMlflowReproTracker } from "./mlflow-repro-tracker.js";

/**
 * The tracker driven by the real repro engine on a real two-stage pipeline in a temporary git repository: what a
 * user of `cairn repro` finds on the server after the first repro, after a param change, and after nothing changed.
 */
let server: TempServer;
let client: CairnClient;
let parent: string;
let root: string;

const PREPARE = `import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
const n = Number(/n: *([0-9]+)/.exec(readFileSync("params.yaml", "utf8"))[1]);
mkdirSync("data/prepared", { recursive: true });
writeFileSync("data/prepared/a.csv", "x\\n".repeat(n));
writeFileSync("data/prepared/b.csv", "y\\n");
`;
// The command logs into its own run through the environment the tracker gave it, as an MLflow client would.
const TRAIN = `import { readFileSync, writeFileSync } from "node:fs";
const lr = Number(/lr: *([0-9.]+)/.exec(readFileSync("params.yaml", "utf8"))[1]);
const rows = readFileSync("data/prepared/a.csv", "utf8").split("\\n").length - 1;
writeFileSync("model.txt", "lr=" + lr + "\\n");
writeFileSync("metrics.json", JSON.stringify({ rows, lr_times_rows: lr * rows }));
writeFileSync("loss.csv", "step,loss\\n0,1\\n1,0.5\\n");
const response = await fetch(process.env.MLFLOW_TRACKING_URI + "/api/2.0/mlflow/runs/log-metric", {
  method: "POST", headers: { "content-type": "application/json" },
  body: JSON.stringify({ run_id: process.env.MLFLOW_RUN_ID, key: "from_command", value: 1, timestamp: 1, step: 0 }),
});
if (!response.ok) process.exit(9);
writeFileSync("env-seen.json", JSON.stringify({ run: process.env.MLFLOW_RUN_ID, experiment: process.env.MLFLOW_EXPERIMENT_ID, stage: process.env.CAIRN_STAGE }));
`;
const PIPELINE = `stages:
  prepare:
    cmd: node prepare.mjs
    deps: [prepare.mjs]
    params: [prepare.n]
    outs: [data/prepared]
  train:
    cmd: node train.mjs
    deps: [train.mjs, data/prepared]
    params: [train.lr]
    outs: [model.txt]
    metrics:
      - metrics.json:
          cache: false
    plots: [loss.csv]
`;

const git = (...args: string[]): string =>
  execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], { cwd: root, encoding: "utf8" }).trim();

const repro = async (): Promise<{ states: [string, string][]; parentRunId: string | undefined }> => {
  const ws = await openWorkspace(root);
  try {
    const tracker = createMlflowReproTracker(client, { root: ws.root, env: {}, user: "tester" });
    const result = await reproduce({ ws, tracker, onEvent: () => undefined, commandOutput: { stdout: process.stderr, stderr: process.stderr } });
    return { states: result.stages.map((stage) => [stage.stage, stage.state]), parentRunId: tracker.parentRunId };
  } finally {
    ws.close();
  }
};

const allRuns = async (): Promise<Run[]> => {
  const experiment = await client.experiments.getByName("tracked-project");
  const runs: Run[] = [];
  for await (const run of client.runs.searchAll({ experimentIds: [experiment.experiment_id], orderBy: ["attributes.start_time ASC"] })) runs.push(run);
  return runs;
};
const tag = (run: Run, key: string): string | undefined => run.data.tags.find((entry) => entry.key === key)?.value;
const summaryOf = async (runId: string): Promise<any> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-summary-"));
  try {
    await client.artifacts.downloadFile(runId, "cairn-pipeline.json", path.join(dir, "s.json"));
    return JSON.parse(await readFile(path.join(dir, "s.json"), "utf8"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

beforeAll(async () => {
  server = await startTempServer("cairn-repro-tracking-");
  client = new CairnClient({ trackingUri: server.url, retry: { retries: 1, minDelayMs: 10, maxDelayMs: 20 }, env: {} });
  parent = await mkdtemp(path.join(tmpdir(), "cairn-repro-tracking-ws-"));
  root = path.join(parent, "tracked-project");
  await mkdir(root);
  git("init", "-q");
  await initWorkspace(root);
  await writeFile(path.join(root, "params.yaml"), "prepare:\n  n: 3\ntrain:\n  lr: 0.5\n");
  await writeFile(path.join(root, "prepare.mjs"), PREPARE);
  await writeFile(path.join(root, "train.mjs"), TRAIN);
  await writeFile(path.join(root, "dvc.yaml"), PIPELINE);
  git("add", "-A");
  git("commit", "-q", "-m", "pipeline");
});

afterAll(async () => {
  await server?.close();
  if (parent !== undefined) await rm(parent, { recursive: true, force: true });
});

describe("cairn repro, tracked", () => {
  it("records each repro's stage runs under a parent, skipped stages pointing at their last run, nothing when nothing changed", async () => {
    const first = await repro();
    expect(first.states).toEqual([
      ["prepare", "ran"],
      ["train", "ran"],
    ]);
    const commit = git("rev-parse", "HEAD");
    let runs = await allRuns();
    expect(runs.length).toBe(3);
    const [parentRun, prepareRun, trainRun] = [runs.find((r) => r.info.run_id === first.parentRunId), runs.find((r) => r.info.run_name === "prepare"), runs.find((r) => r.info.run_name === "train")] as Run[];
    expect(parentRun?.info.status).toBe("FINISHED");
    expect(parentRun?.data.metrics).toEqual([]);
    for (const run of [prepareRun, trainRun] as Run[]) {
      expect(tag(run, "mlflow.parentRunId")).toBe(first.parentRunId);
      expect(tag(run, "mlflow.source.git.commit")).toBe(commit);
      expect(tag(run, "cairn.stage.state")).toBe("ran");
      expect(run.info.status).toBe("FINISHED");
    }

    // The command saw its run in the environment and logged into it.
    expect(JSON.parse(await readFile(path.join(root, "env-seen.json"), "utf8"))).toEqual({
      run: trainRun?.info.run_id,
      experiment: trainRun?.info.experiment_id,
      stage: "train",
    });
    const trainMetrics = Object.fromEntries((trainRun as Run).data.metrics.map((m) => [m.key, m.value]));
    expect(trainMetrics).toEqual({ rows: 3, lr_times_rows: 1.5, from_command: 1 });
    expect(Object.fromEntries((trainRun as Run).data.params.map((p) => [p.key, p.value]))).toEqual({ "train.lr": "0.5" });
    expect(Object.fromEntries((prepareRun as Run).data.params.map((p) => [p.key, p.value]))).toEqual({ "prepare.n": "3" });

    // Its data versions are the lock file's, by hash.
    const lock = await readLock(root, "dvc.yaml");
    const train = lock.stages.train;
    expect(
      (trainRun as Run).inputs.dataset_inputs.map((input) => [input.dataset.name, input.tags[0]?.value, JSON.parse(input.dataset.source).uri, input.dataset.digest]),
    ).toEqual([
      ...(train?.deps ?? []).map((dep) => [dep.path, "cairn.input", `cairn-data://sha256/${dep.hash}`, dep.hash.slice(0, 32)]),
      ...(train?.outs ?? []).map((o) => [o.path, "cairn.output", `cairn-data://sha256/${o.hash}`, o.hash.slice(0, 32)]),
    ]);
    expect(train?.deps.map((dep) => dep.path)).toEqual(["train.mjs", "data/prepared"]);
    expect(train?.outs.map((o) => o.path)).toEqual(["model.txt", "metrics.json", "loss.csv"]);
    expect((await client.artifacts.list((trainRun as Run).info.run_id)).files.map((file) => file.path).sort()).toEqual(["loss.csv", "metrics.json"]);

    // A param of train changes: prepare is skipped and keeps pointing at the run that made its outputs.
    await writeFile(path.join(root, "params.yaml"), "prepare:\n  n: 3\ntrain:\n  lr: 0.25\n");
    const second = await repro();
    expect(second.states).toEqual([
      ["prepare", "skipped"],
      ["train", "ran"],
    ]);
    runs = await allRuns();
    expect(runs.length).toBe(5);
    const summary = await summaryOf(second.parentRunId as string);
    const secondTrain = runs.find((r) => r.info.run_name === "train" && tag(r, "mlflow.parentRunId") === second.parentRunId) as Run;
    expect(summary.stages.map((s: any) => [s.name, s.state, s.run_id])).toEqual([
      ["prepare", "skipped", prepareRun?.info.run_id],
      ["train", "ran", secondTrain.info.run_id],
    ]);
    expect(summary.stages[0].outs).toEqual(lock.stages.prepare?.outs.map((o) => ({ path: o.path, hash: o.hash, size: o.size, nfiles: o.nfiles })));
    expect(summary.edges).toEqual([{ from: "prepare", to: "train", paths: ["data/prepared"] }]);
    expect(Object.fromEntries(secondTrain.data.metrics.map((m) => [m.key, m.value]))).toEqual({ rows: 3, lr_times_rows: 0.75, from_command: 1 });

    // Nothing changed: no run at all.
    const third = await repro();
    expect(third.states).toEqual([
      ["prepare", "skipped"],
      ["train", "skipped"],
    ]);
    expect(third.parentRunId).toBeUndefined();
    expect((await allRuns()).length).toBe(5);
  });
});
