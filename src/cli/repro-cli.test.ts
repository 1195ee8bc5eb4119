import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { initWorkspace } from "../pipelines/data/init-workspace.js";
import { PIPELINE_TAGS } from "../pipelines/tracking/repro-tracker.js";
import { exists, makeGitWorkspace, readLines, readText, removeWorkspace, write } from "../pipelines/repro/test-support/repro-fixture.js";
import { CairnClient } from "../sdk/client.js";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { runCli, spawnCli, type CliResult } from "./test-support/run-cli.js";

/** `cairn repro` as a user runs it: a real process in a temporary git repository holding a workspace. */
let root: string;
let server: TempServer;

const PIPELINE = [
  "stages:",
  "  prepare:",
  "    cmd: echo prepare >> runs.log && tr a-z A-Z < raw.txt > prepared.txt",
  "    deps: [raw.txt]",
  "    outs: [prepared.txt]",
  "  train:",
  "    cmd: echo train >> runs.log && echo $MLFLOW_RUN_ID > run-id.txt && (grep lr params.yaml; cat prepared.txt) > model.txt",
  "    deps: [prepared.txt]",
  "    params: [train.lr]",
  "    outs: [model.txt, run-id.txt]",
  "",
].join("\n");

beforeAll(async () => {
  server = await startTempServer("cairn-repro-cli-");
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  root = await makeGitWorkspace("cairn-repro-cli-");
  await initWorkspace(root);
  await write(root, "raw.txt", "data\n");
  await write(root, "params.yaml", "train:\n  lr: 0.1\n");
  await write(root, "dvc.yaml", PIPELINE);
});
afterEach(async () => {
  await removeWorkspace(root);
});

/** The real CLI, started in the workspace. */
const start = (args: readonly string[]) => spawnCli(args, { cwd: root });
const cairn = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: root });
const unreachable = ["--tracking-uri", "http://127.0.0.1:9"];

describe("cairn repro", () => {
  it("runs every stage, then nothing; --json prints the states; nothing changed contacts no server", async () => {
    const first = await cairn("repro", "--no-track");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("Ran 2 stages (prepare, train), 0 unchanged.\n");
    expect(first.stderr).toContain("Running stage 'prepare' (never ran (no lock entry)):\n> echo prepare >> runs.log");
    expect(await readLines(root, "runs.log")).toEqual(["prepare", "train"]);

    // An unreachable server is never asked: nothing runs, nothing is tracked.
    const second = await cairn(...unreachable, "repro", "--json");
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({
      pipeline_file: "dvc.yaml",
      stages: [
        { stage: "prepare", state: "skipped", reasons: [] },
        { stage: "train", state: "skipped", reasons: [] },
      ],
    });
    expect(second.stderr).toBe("Stage 'prepare' didn't change, skipping\nStage 'train' didn't change, skipping\n");
    expect((await cairn("repro", "--dry")).stdout).toBe("Nothing to do: 2 stages up to date.\n");
  });

  it("tracks the stages that run as MLflow runs, the command logging into its own run; an unreachable server is a warning", async () => {
    const tracked = await cairn("--tracking-uri", server.url, "repro", "--experiment", "repro-cli");
    expect(tracked.code, tracked.stderr).toBe(0);
    const client = new CairnClient({ trackingUri: server.url });
    const experiment = await client.experiments.getByName("repro-cli");
    const runs = (await client.runs.search({ experimentIds: [experiment.experiment_id] })).items;
    const train = runs.find((run) => run.data.tags?.some((tag) => tag.key === PIPELINE_TAGS.stage && tag.value === "train"));
    expect(train?.info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect((await readText(root, "run-id.txt")).trim()).toBe(train?.info.run_id);
    expect(runs.filter((run) => run.data.tags?.some((tag) => tag.key === PIPELINE_TAGS.pipelineParent))).toHaveLength(1);

    await write(root, "params.yaml", "train:\n  lr: 0.2\n");
    const offline = await cairn(...unreachable, "repro", "train");
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stderr).toMatch(/Warning: tracking failed \(stage start\): .*; continuing without tracking\n/);
    expect(offline.stdout).toBe("Ran 1 stage (train), 1 unchanged.\n");
  });

  it("a failing command exits 1 naming the stage and the exit code; bad -j is a usage error", async () => {
    await write(root, "dvc.yaml", PIPELINE.replace("echo train >> runs.log", "echo train >> runs.log && exit 4"));
    const failed = await cairn("repro", "--no-track");
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr.split("\n").slice(-2)).toEqual([
      "cairn: error: stage 'train', dvc.yaml: command failed (exit code 4); its outputs were not cached and cairn.lock was not updated",
      "",
    ]);
    expect(await cairn("repro", "-j", "0")).toEqual({ code: 2, stdout: "", stderr: "cairn: error: --jobs must be an integer from 1 to 64, got '0'\n" });
    expect((await cairn("repro", "nope", "--no-track")).stderr).toBe("cairn: error: dvc.yaml: unknown stage 'nope' (stages: prepare, train)\n");
  });

  it("SIGINT reaches the running command's process group; repro exits 1 and the lock file is unchanged", async () => {
    await cairn("repro", "--no-track");
    const lock = await readText(root, "cairn.lock");
    // A command whose real work is a grandchild of repro (sh -> node), and a background job the shell starts with
    // SIGINT ignored (POSIX): both must stop.
    await write(root, "slow.mjs", "import { writeFileSync } from 'node:fs';\nwriteFileSync('pid.txt', String(process.pid));\nsetTimeout(() => writeFileSync('survived.txt', 'x'), 20000);\n");
    await write(root, "dvc.yaml", PIPELINE.replace("echo train >> runs.log", "echo train >> runs.log && (sleep 20; echo bg > survived-bg.txt) & node slow.mjs"));
    const child = start(["repro", "--no-track"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    for (let i = 0; i < 300 && !(await exists(root, "pid.txt")); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    child.kill("SIGINT");
    expect(await exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stderr).toContain("cairn: error: stage 'train', dvc.yaml: command failed (killed by SIGINT)");
    expect(await readText(root, "cairn.lock")).toBe(lock);
    const pid = Number((await readText(root, "pid.txt")).trim());
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await exists(root, "survived.txt")).toBe(false);
    expect(await exists(root, "survived-bg.txt")).toBe(false);
  });
});
