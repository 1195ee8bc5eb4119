import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../../sdk/client.js";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";
import type { ResolvedOut, ResolvedPipeline, ResolvedStage } from "../definition/resolved-pipeline.js";
import { createMlflowReproTracker } from "./mlflow-repro-tracker.js";
import type { PathVersion, StageOutcome } from "./repro-tracker.js";

let server: TempServer;
let client: CairnClient;
const temps: string[] = [];

beforeAll(async () => {
  server = await startTempServer("cairn-tracker-");
  client = new CairnClient({ trackingUri: server.url, retry: { retries: 1, minDelayMs: 10, maxDelayMs: 20 }, env: {} });
});

afterAll(async () => {
  await server?.close();
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]): string =>
  execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], { cwd, encoding: "utf8" }).trim();

/** A real folder, a git repository with one commit, named so that its basename is the experiment name. */
const workspace = async (name: string): Promise<{ root: string; commit: string }> => {
  const parent = await mkdtemp(path.join(tmpdir(), "cairn-tracker-ws-"));
  temps.push(parent);
  const root = path.join(parent, name);
  await mkdir(path.join(root, ".cairn", "tmp"), { recursive: true });
  await writeFile(path.join(root, "params.yaml"), "prepare:\n  split: 0.2\ntrain:\n  lr: 0.1\n  epochs: 3\n");
  await writeFile(path.join(root, "dvc.yaml"), "stages: {}\n");
  git(root, "init", "-q");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "first");
  return { root, commit: git(root, "rev-parse", "HEAD") };
};

const rest = async (route: string, query: Record<string, string>): Promise<any> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${route}?${new URLSearchParams(query).toString()}`);
  expect(response.status).toBe(200);
  return response.json();
};
const getRun = async (runId: string): Promise<any> => (await rest("runs/get", { run_id: runId })).run;
const tagsOf = (run: any): Record<string, string> => Object.fromEntries((run.data.tags ?? []).map((tag: any) => [tag.key, tag.value]));
const paramsOf = (run: any): Record<string, string> => Object.fromEntries((run.data.params ?? []).map((p: any) => [p.key, p.value]));
const metricsOf = (run: any): Record<string, number> => Object.fromEntries((run.data.metrics ?? []).map((m: any) => [m.key, m.value]));
const artifactText = async (run: any, artifactPath: string): Promise<string> => {
  const root = String(run.info.artifact_uri).replace(/^mlflow-artifacts:\//, "");
  const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/${artifactPath}`);
  expect(response.status).toBe(200);
  return response.text();
};

const out = (p: string, kind: ResolvedOut["kind"], cache = true): ResolvedOut => ({ path: p, kind, cache, persist: false, push: true });
const stage = (name: string, fields: Partial<ResolvedStage> = {}): ResolvedStage => ({
  name,
  cmd: `node ${name}.mjs`,
  wdir: "",
  deps: [],
  params: [],
  outs: [],
  frozen: false,
  alwaysChanged: false,
  ...fields,
});

const HASH_A = "a".repeat(64);
const HASH_B = `${"b".repeat(64)}.dir`;
const HASH_C = "c".repeat(64);
const HASH_D = "d".repeat(64);

describe("createMlflowReproTracker", () => {
  it("records a repro as a parent run and one run per stage that ran, was cached or failed", async () => {
    const { root, commit } = await workspace("churn-project");
    await mkdir(path.join(root, "plots"), { recursive: true });
    await writeFile(path.join(root, "metrics.json"), JSON.stringify({ acc: 0.9, loss: { train: 0.5 }, ok: true, name: "x", list: [1, 2], bad: "NaN" }));
    await writeFile(path.join(root, "scores.yaml"), "acc: 0.7\nauc: 0.8\n");
    await writeFile(path.join(root, "plots", "roc.json"), '[{"fpr":0,"tpr":0}]');
    await writeFile(path.join(root, "model.bin"), "model bytes");
    await writeFile(path.join(root, "big.csv"), Buffer.alloc(10 * 1024 * 1024 + 1, 0x61));
    // The last run of "report" known from an earlier repro: a skipped stage points at it.
    const earlierReportRun = "e".repeat(32);
    await writeFile(path.join(root, ".cairn", "tmp", "stage-runs.json"), JSON.stringify({ report: earlierReportRun }));
    await writeFile(
      path.join(root, "cairn.lock"),
      `schema: '2.0'\nstages:\n  report:\n    cmd: node report.mjs\n    deps:\n    - path: metrics.json\n      hash: sha256\n      sha256: ${HASH_D}\n      size: 12\n    outs:\n    - path: report.md\n      hash: sha256\n      sha256: ${HASH_C}\n      size: 5\n`,
    );

    const prepare = stage("prepare", {
      deps: ["data/raw"],
      params: [{ file: "params.yaml", key: "prepare" }],
      outs: [out("data/prepared", "out"), out("big.csv", "out", false)],
    });
    const train = stage("train", {
      cmd: ["node train.mjs", "node pack.mjs"],
      deps: ["data/prepared"],
      params: [{ file: "params.yaml", key: "train.lr" }],
      outs: [out("model.bin", "out"), out("metrics.json", "metric", false), out("scores.yaml", "metric", false), out("plots", "plot")],
    });
    const evaluate = stage("evaluate", { deps: ["model.bin"], outs: [out("eval.json", "metric", false)] });
    const report = stage("report", { deps: ["metrics.json"], outs: [out("report.md", "out")] });
    const pipeline: ResolvedPipeline = { root, file: "dvc.yaml", stages: [prepare, train, evaluate, report] };

    const tracker = createMlflowReproTracker(client, { root, pipelineFile: "dvc.yaml", env: {}, user: "alice" });
    await tracker.begin(pipeline, [
      { stage: "prepare", state: "will-run" },
      { stage: "train", state: "will-run" },
      { stage: "evaluate", state: "will-run" },
      { stage: "report", state: "skipped" },
    ]);
    const experimentId = tracker.experimentId as string;
    expect((await rest("experiments/get", { experiment_id: experimentId })).experiment.name).toBe("churn-project");

    const env = await tracker.stageStarting(prepare);
    const prepareRunId = env.MLFLOW_RUN_ID as string;
    expect(env).toEqual({ MLFLOW_TRACKING_URI: server.url, MLFLOW_RUN_ID: prepareRunId, MLFLOW_EXPERIMENT_ID: experimentId, CAIRN_STAGE: "prepare" });
    const rawVersion: PathVersion = { path: "data/raw", hash: HASH_A, size: 100 };
    const preparedVersion: PathVersion = { path: "data/prepared", hash: HASH_B, size: 1200, nfiles: 3 };
    const bigVersion: PathVersion = { path: "big.csv", hash: HASH_C, size: 10 * 1024 * 1024 + 1 };
    const prepared: StageOutcome = {
      stage: prepare,
      state: "ran",
      deps: [rawVersion],
      outs: [preparedVersion, bigVersion],
      params: { "params.yaml:prepare": { split: 0.2 }, "other.yaml:seed": 7, "params.yaml:name with:colon": "v" },
      startedAtMs: 1_700_000_000_000,
      endedAtMs: 1_700_000_001_000,
    };
    expect(await tracker.stageEnded(prepared)).toEqual({ runId: prepareRunId });

    const modelVersion: PathVersion = { path: "model.bin", hash: HASH_D, size: 11 };
    const trained: StageOutcome = {
      stage: train,
      state: "cached",
      deps: [preparedVersion],
      outs: [modelVersion],
      params: { "params.yaml:train.lr": 0.1 },
      startedAtMs: 1_700_000_002_000,
      endedAtMs: 1_700_000_002_500,
      restoredFromRunId: "f".repeat(32),
    };
    const trainRunId = (await tracker.stageEnded(trained)).runId;

    const evalEnv = await tracker.stageStarting(evaluate);
    const evaluated: StageOutcome = {
      stage: evaluate,
      state: "failed",
      deps: [modelVersion],
      outs: [],
      params: {},
      startedAtMs: 1_700_000_003_000,
      endedAtMs: 1_700_000_004_000,
      error: "command exited with code 2",
    };
    const evalRunId = (await tracker.stageEnded(evaluated)).runId;
    expect(evalRunId).toBe(evalEnv.MLFLOW_RUN_ID);
    await tracker.end("FAILED", [prepared, trained, evaluated]);

    // The parent run.
    const parent = await getRun(tracker.parentRunId as string);
    expect(parent.info.run_name).toMatch(/^repro \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(parent.info.status).toBe("FAILED");
    expect(parent.info.user_id).toBe("alice");
    expect(tagsOf(parent)).toEqual({
      "mlflow.runName": parent.info.run_name,
      "mlflow.user": "alice",
      "mlflow.source.name": "dvc.yaml",
      "mlflow.source.type": "LOCAL",
      "mlflow.source.git.commit": commit,
      "cairn.pipeline": "true",
      "cairn.pipeline.file": "dvc.yaml",
    });
    expect(parent.data.metrics ?? []).toEqual([]);
    expect(parent.data.params ?? []).toEqual([]);

    // The stage that ran.
    const prepareRun = await getRun(prepareRunId);
    expect(prepareRun.info).toMatchObject({ run_name: "prepare", status: "FINISHED", start_time: expect.any(Number), end_time: 1_700_000_001_000 });
    expect(tagsOf(prepareRun)).toEqual({
      "mlflow.runName": "prepare",
      "mlflow.user": "alice",
      "mlflow.source.name": "dvc.yaml:prepare",
      "mlflow.source.type": "LOCAL",
      "mlflow.source.git.commit": commit,
      "mlflow.parentRunId": tracker.parentRunId,
      "cairn.stage": "prepare",
      "cairn.stage.cmd": "node prepare.mjs",
      "cairn.stage.state": "ran",
      "cairn.stage.notes": `artifact big.csv: ${10 * 1024 * 1024 + 1} bytes, more than ${10 * 1024 * 1024}, not uploaded`,
    });
    expect(paramsOf(prepareRun)).toEqual({ "prepare.split": "0.2", "other.yaml/seed": "7", "name with_colon": "v" });
    expect(prepareRun.inputs.dataset_inputs).toEqual([
      {
        tags: [{ key: "mlflow.data.context", value: "cairn.input" }],
        dataset: {
          name: "data/raw",
          digest: "a".repeat(32),
          source_type: "cairn-data",
          source: JSON.stringify({ uri: `cairn-data://sha256/${HASH_A}` }),
          profile: JSON.stringify({ size: 100 }),
        },
      },
      {
        tags: [{ key: "mlflow.data.context", value: "cairn.output" }],
        dataset: {
          name: "data/prepared",
          digest: "b".repeat(32),
          source_type: "cairn-data",
          source: JSON.stringify({ uri: `cairn-data://sha256/${HASH_B}` }),
          profile: JSON.stringify({ size: 1200, nfiles: 3 }),
        },
      },
      {
        tags: [{ key: "mlflow.data.context", value: "cairn.output" }],
        dataset: {
          name: "big.csv",
          digest: "c".repeat(32),
          source_type: "cairn-data",
          source: JSON.stringify({ uri: `cairn-data://sha256/${HASH_C}` }),
          profile: JSON.stringify({ size: 10 * 1024 * 1024 + 1 }),
        },
      },
    ]);
    expect((await rest("artifacts/list", { run_id: prepareRunId })).files ?? []).toEqual([]);

    // The stage restored from the run cache: its metrics files and plots were restored too, so they are read.
    const trainRun = await getRun(trainRunId);
    expect(trainRun.info).toMatchObject({ run_name: "train", status: "FINISHED", start_time: 1_700_000_002_000, end_time: 1_700_000_002_500 });
    expect(tagsOf(trainRun)).toMatchObject({
      "cairn.stage": "train",
      "cairn.stage.cmd": "node train.mjs\nnode pack.mjs",
      "cairn.stage.state": "cached",
      "cairn.stage.restored_from": "f".repeat(32),
      "mlflow.parentRunId": tracker.parentRunId,
    });
    expect(tagsOf(trainRun)["cairn.stage.notes"]).toBeUndefined();
    expect(paramsOf(trainRun)).toEqual({ "train.lr": "0.1" });
    expect(metricsOf(trainRun)).toEqual({ acc: 0.9, "loss.train": 0.5, ok: 1, "scores.yaml/acc": 0.7, auc: 0.8 });
    expect(trainRun.data.metrics.every((metric: any) => metric.step === "0" || metric.step === 0)).toBe(true);
    expect(trainRun.data.metrics.every((metric: any) => Number(metric.timestamp) === 1_700_000_002_500)).toBe(true);
    const listing = await rest("artifacts/list", { run_id: trainRunId });
    expect(listing.files.map((file: any) => file.path).sort()).toEqual(["metrics.json", "plots", "scores.yaml"]);
    expect((await rest("artifacts/list", { run_id: trainRunId, path: "plots" })).files).toEqual([{ path: "plots/roc.json", is_dir: false, file_size: 19 }]);
    expect(await artifactText(trainRun, "plots/roc.json")).toBe('[{"fpr":0,"tpr":0}]');

    // The failed stage.
    const evalRun = await getRun(evalRunId);
    expect(evalRun.info).toMatchObject({ run_name: "evaluate", status: "FAILED", end_time: 1_700_000_004_000 });
    expect(tagsOf(evalRun)).toMatchObject({ "cairn.stage.state": "failed", "cairn.stage.error": "command exited with code 2" });
    expect(evalRun.data.metrics ?? []).toEqual([]);
    expect(evalRun.inputs.dataset_inputs.map((input: any) => [input.dataset.name, input.tags[0].value])).toEqual([["model.bin", "cairn.input"]]);

    // The summary on the parent.
    expect(JSON.parse(await artifactText(parent, "cairn-pipeline.json"))).toEqual({
      version: 1,
      pipeline_file: "dvc.yaml",
      git_commit: commit,
      stages: [
        {
          name: "prepare",
          cmd: "node prepare.mjs",
          state: "ran",
          run_id: prepareRunId,
          deps: [{ path: "data/raw", hash: HASH_A, size: 100 }],
          outs: [
            { path: "data/prepared", hash: HASH_B, size: 1200, nfiles: 3 },
            { path: "big.csv", hash: HASH_C, size: 10 * 1024 * 1024 + 1 },
          ],
        },
        {
          name: "train",
          cmd: ["node train.mjs", "node pack.mjs"],
          state: "cached",
          run_id: trainRunId,
          deps: [{ path: "data/prepared", hash: HASH_B, size: 1200, nfiles: 3 }],
          outs: [{ path: "model.bin", hash: HASH_D, size: 11 }],
        },
        { name: "evaluate", cmd: "node evaluate.mjs", state: "failed", run_id: evalRunId, deps: [{ path: "model.bin", hash: HASH_D, size: 11 }], outs: [] },
        {
          name: "report",
          cmd: "node report.mjs",
          state: "skipped",
          run_id: earlierReportRun,
          deps: [{ path: "metrics.json", hash: HASH_D, size: 12 }],
          outs: [{ path: "report.md", hash: HASH_C, size: 5 }],
        },
      ],
      edges: [
        { from: "prepare", to: "train", paths: ["data/prepared"] },
        { from: "train", to: "evaluate", paths: ["model.bin"] },
        { from: "train", to: "report", paths: ["metrics.json"] },
      ],
    });

    // The workspace remembers each stage's last run, for the next repro's skipped stages.
    expect(JSON.parse(await readFile(path.join(root, ".cairn", "tmp", "stage-runs.json"), "utf8"))).toEqual({
      report: earlierReportRun,
      prepare: prepareRunId,
      train: trainRunId,
      evaluate: evalRunId,
    });
  });

  it("uses MLFLOW_EXPERIMENT_NAME, the parent's extra tags and params, an existing experiment, and no git commit outside git", async () => {
    const parent = await mkdtemp(path.join(tmpdir(), "cairn-tracker-nogit-"));
    temps.push(parent);
    const existing = await client.experiments.create({ name: "from-env" });
    const only = stage("only", { outs: [out("m.yaml", "metric", false)] });
    await writeFile(path.join(parent, "m.yaml"), "- 1\n- 2\n");
    const tracker = createMlflowReproTracker(client, {
      root: parent,
      env: { MLFLOW_EXPERIMENT_NAME: "from-env" },
      runName: "exp lr-0.2",
      parentTags: { "cairn.experiment": "lr-0.2" },
      parentParams: [{ key: "train.lr", value: "0.2" }],
      user: "bob",
    });
    await tracker.begin({ root: parent, file: "cairn.yaml", stages: [only] }, [{ stage: "only", state: "will-run" }]);
    expect(tracker.experimentId).toBe(existing);
    await tracker.stageStarting(only);
    const outcome: StageOutcome = { stage: only, state: "ran", deps: [], outs: [], params: {}, startedAtMs: 1, endedAtMs: 2 };
    await tracker.stageEnded(outcome);
    await tracker.end("FINISHED", [outcome]);
    const run = await getRun(tracker.parentRunId as string);
    expect(run.info).toMatchObject({ run_name: "exp lr-0.2", status: "FINISHED", experiment_id: existing });
    expect(tagsOf(run)).toEqual({
      "mlflow.runName": "exp lr-0.2",
      "mlflow.user": "bob",
      "mlflow.source.name": "cairn.yaml",
      "mlflow.source.type": "LOCAL",
      "cairn.pipeline": "true",
      "cairn.pipeline.file": "cairn.yaml",
      "cairn.experiment": "lr-0.2",
    });
    expect(paramsOf(run)).toEqual({ "train.lr": "0.2" });
    const summary = JSON.parse(await artifactText(run, "cairn-pipeline.json"));
    expect(summary.git_commit).toBeNull();
    expect(summary.stages[0].state).toBe("ran");
  });

  it("keeps a param the stage's command logged itself, and notes the pipeline's value it could not log", async () => {
    const { root } = await workspace("self-logging");
    const train = stage("train", { params: [{ file: "params.yaml", key: "train" }] });
    const tracker = createMlflowReproTracker(client, { root, env: {}, user: "carol" });
    await tracker.begin({ root, file: "dvc.yaml", stages: [train] }, [{ stage: "train", state: "will-run" }]);
    const env = await tracker.stageStarting(train);
    // What an MLflow client in the command does with MLFLOW_RUN_ID.
    await client.runs.logParam(env.MLFLOW_RUN_ID as string, "train.lr", "999");
    const outcome: StageOutcome = { stage: train, state: "ran", deps: [], outs: [], params: { "params.yaml:train": { lr: 0.1, epochs: 3 } }, startedAtMs: 5, endedAtMs: 6 };
    await tracker.stageEnded(outcome);
    const run = await getRun(env.MLFLOW_RUN_ID as string);
    expect(paramsOf(run)).toEqual({ "train.lr": "999", "train.epochs": "3" });
    expect(tagsOf(run)["cairn.stage.notes"]).toMatch(/^param 'train\.lr': refused by the server \(.+\)$/);
    expect(run.info.status).toBe("FINISHED");
  });

  it("refuses a deleted experiment with a message saying how to restore it", async () => {
    const { root } = await workspace("gone-project");
    const id = await client.experiments.create({ name: "gone-project" });
    await client.experiments.delete(id);
    const tracker = createMlflowReproTracker(client, { root, pipelineFile: "dvc.yaml", env: {} });
    await expect(tracker.begin({ root, file: "dvc.yaml", stages: [] }, [])).rejects.toThrow(
      `the tracking experiment 'gone-project' is deleted: restore it (cairn experiments restore ${id}) or set MLFLOW_EXPERIMENT_NAME`,
    );
  });
});
