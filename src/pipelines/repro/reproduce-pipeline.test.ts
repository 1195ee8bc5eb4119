import { chmod, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { objectPath } from "../data/cache-layout.js";
import { readLock } from "../lock/lock-store.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ResolvedPipeline } from "../definition/resolved-pipeline.js";
import type { ReproEvent } from "./repro-events.js";
import { reproducePipeline, type ReproOptions } from "./reproduce-pipeline.js";
import type { ReproIo } from "./repro-io.js";
import { loadStageParams } from "../definition/stage-params.js";
import { initWorkspace } from "../data/init-workspace.js";
import { openWorkspace, type Workspace } from "../data/workspace.js";
import { workspaceIo } from "./workspace-io.js";
import { exists, makeGitWorkspace, out, readLines, readText, removeWorkspace, snapshotTree, stage, write } from "./test-support/repro-fixture.js";

let root: string;
let io: ReproIo;
let ws: Workspace;
beforeEach(async () => {
  root = await makeGitWorkspace("cairn-repro-");
  await initWorkspace(root);
  ws = await openWorkspace(root);
  io = workspaceIo(ws, (s, files) => loadStageParams({ root, file: "dvc.yaml", stages: [s] }, s, files));
  await write(root, "raw.txt", "hello\n");
  await write(root, "params.yaml", "train:\n  lr: 0.1\n  epochs: 3\n");
});
afterEach(async () => {
  ws.close();
  await removeWorkspace(root);
});

/**
 * prepare -> train -> evaluate, and report beside them. Each command appends its name to runs.log (outside every
 * out) so a test can tell what ran.
 */
const pipeline = (): ResolvedPipeline => ({
  root,
  file: "dvc.yaml",
  stages: [
    stage("prepare", "echo prepare >> runs.log && mkdir -p prepared && tr a-z A-Z < raw.txt > prepared/upper.txt", {
      deps: ["raw.txt"],
      outs: [out("prepared")],
    }),
    stage("train", "echo train >> runs.log && grep lr params.yaml > model.txt && cat prepared/upper.txt >> model.txt", {
      deps: ["prepared"],
      params: [{ file: "params.yaml", key: "train.lr" }],
      outs: [out("model.txt")],
    }),
    stage("evaluate", "echo evaluate >> runs.log && wc -c < model.txt | tr -d ' ' > metrics.json", {
      deps: ["model.txt"],
      outs: [out("metrics.json", { kind: "metric" })],
    }),
    stage("report", "echo report >> runs.log && cat raw.txt > report.txt", { deps: ["raw.txt"], outs: [out("report.txt")] }),
  ],
});

const repro = async (p: ResolvedPipeline, options: ReproOptions = {}) => {
  const events: ReproEvent[] = [];
  const result = await reproducePipeline(p, io, { ...options, onEvent: (event) => events.push(event) });
  return { result, events, states: Object.fromEntries(result.stages.map((s) => [s.stage, s.state])) };
};

describe("reproducePipeline", () => {
  it("runs every stage the first time, none the second", async () => {
    const first = await repro(pipeline());
    expect(first.states).toEqual({ prepare: "ran", train: "ran", evaluate: "ran", report: "ran" });
    expect(await readLines(root, "runs.log")).toEqual(["prepare", "train", "evaluate", "report"]);
    expect(await readText(root, "model.txt")).toBe("  lr: 0.1\nHELLO\n");
    expect(first.result.stages.find((s) => s.stage === "train")?.reasons).toEqual(["never ran (no lock entry)"]);
    const lock = await readText(root, "cairn.lock");
    expect(lock).toContain("train.lr: 0.1");

    const second = await repro(pipeline());
    expect(second.states).toEqual({ prepare: "skipped", train: "skipped", evaluate: "skipped", report: "skipped" });
    expect(second.events.map((e) => e.kind)).toEqual(["skipped", "skipped", "skipped", "skipped"]);
    expect(await readLines(root, "runs.log")).toHaveLength(4);
    expect(await readText(root, "cairn.lock")).toBe(lock);
  });

  it("a param change re-runs exactly the stages downstream; switching back restores from the run cache without running", async () => {
    await repro(pipeline());
    const lockBefore = await readText(root, "cairn.lock");
    await write(root, "params.yaml", "train:\n  lr: 0.2\n  epochs: 3\n");
    const changed = await repro(pipeline());
    expect(changed.states).toEqual({ prepare: "skipped", train: "ran", evaluate: "ran", report: "skipped" });
    expect(changed.result.stages.find((s) => s.stage === "train")?.reasons).toEqual(["param train.lr changed"]);
    expect(changed.result.stages.find((s) => s.stage === "evaluate")?.reasons).toEqual(["dep model.txt modified"]);
    expect((await readLines(root, "runs.log")).slice(4)).toEqual(["train", "evaluate"]);
    expect(await readText(root, "model.txt")).toBe("  lr: 0.2\nHELLO\n");

    // An unrelated param does not count: the stage uses train.lr only.
    await write(root, "params.yaml", "train:\n  lr: 0.1\n  epochs: 4\n");
    const back = await repro(pipeline());
    expect(back.states).toEqual({ prepare: "skipped", train: "cached", evaluate: "cached", report: "skipped" });
    expect(await readLines(root, "runs.log")).toHaveLength(6);
    expect(await readText(root, "model.txt")).toBe("  lr: 0.1\nHELLO\n");
    expect(await readText(root, "cairn.lock")).toBe(lockBefore);
    expect((await repro(pipeline())).states.train).toBe("skipped");
  });

  it("--no-run-cache and -f run the commands", async () => {
    await repro(pipeline());
    await write(root, "params.yaml", "train:\n  lr: 0.2\n");
    await repro(pipeline());
    await write(root, "params.yaml", "train:\n  lr: 0.1\n");
    expect((await repro(pipeline(), { useRunCache: false })).states).toEqual({ prepare: "skipped", train: "ran", evaluate: "ran", report: "skipped" });
    expect((await repro(pipeline(), { force: true })).states).toEqual({ prepare: "ran", train: "ran", evaluate: "ran", report: "ran" });
    expect(await readLines(root, "runs.log")).toHaveLength(4 + 2 + 2 + 4);
  });

  it("targets bring their upstream only; a dry run says what would run and changes nothing", async () => {
    expect((await repro(pipeline(), { targets: ["train"] })).states).toEqual({ prepare: "ran", train: "ran" });
    await write(root, "raw.txt", "bye\n");
    // The state db remembers what was hashed (that is its job); nothing else may change.
    const files = async () => Object.fromEntries(Object.entries(await snapshotTree(root)).filter(([file]) => !file.startsWith(".cairn/state.db")));
    const before = await files();
    const dry = await repro(pipeline(), { dryRun: true });
    expect(dry.result.stages).toEqual([
      { stage: "prepare", state: "would-run", reasons: ["dep raw.txt modified"] },
      { stage: "train", state: "would-run", reasons: ["upstream stage will run"] },
      { stage: "evaluate", state: "would-run", reasons: ["never ran (no lock entry)"] },
      { stage: "report", state: "would-run", reasons: ["never ran (no lock entry)"] },
    ]);
    expect(await files()).toEqual(before);
    await expect(repro(pipeline(), { targets: ["trian"] })).rejects.toThrow("dvc.yaml: unknown stage 'trian' (stages: prepare, train, evaluate, report)");
  });

  it("-j 2 runs independent stages at the same time", async () => {
    const timed = (name: string) =>
      stage(name, `date +%s%N > ${name}.start && sleep 0.5 && date +%s%N > ${name}.end && echo ${name} > ${name}.out`, { outs: [out(`${name}.out`)] });
    const p: ResolvedPipeline = { root, file: "dvc.yaml", stages: [timed("a"), timed("b")] };
    expect((await repro(p, { jobs: 2, commandOutput: { stdout: process.stdout, stderr: process.stderr } })).states).toEqual({ a: "ran", b: "ran" });
    const t = async (file: string): Promise<bigint> => BigInt((await readText(root, file)).trim());
    expect(await t("a.start")).toBeLessThan(await t("b.end"));
    expect(await t("b.start")).toBeLessThan(await t("a.end"));
  });

  it("a failing or killed command leaves the cache and the lock file byte-equal and starts nothing after it", async () => {
    await repro(pipeline());
    const cacheBefore = await snapshotTree(path.join(root, ".cairn", "cache"));
    const lockBefore = await readText(root, "cairn.lock");
    for (const [cmd, why, reasons] of [
      ["echo train >> runs.log && echo partial > model.txt && exit 3", "exit code 3", ["cmd changed"]],
      // The failed run's partial output is in the workspace, not in the cache: the next repro sees it as modified.
      ["echo train >> runs.log && echo partial > model.txt && kill -KILL $$", "killed by SIGKILL", ["cmd changed", "out model.txt modified"]],
    ] as const) {
      const p = pipeline();
      p.stages[1] = { ...p.stages[1]!, cmd };
      const events: ReproEvent[] = [];
      await expect(reproducePipeline(p, io, { onEvent: (e) => events.push(e) })).rejects.toThrow(
        `stage 'train', dvc.yaml: command failed (${why}); its outputs were not cached and cairn.lock was not updated`,
      );
      expect(events.filter((e) => e.kind !== "skipped")).toEqual([
        { kind: "running", stage: "train", reasons, cmd },
        { kind: "failed", stage: "train", why },
      ]);
      expect(await snapshotTree(path.join(root, ".cairn", "cache"))).toEqual(cacheBefore);
      expect(await readText(root, "cairn.lock")).toBe(lockBefore);
    }
    expect((await readLines(root, "runs.log")).slice(4)).toEqual(["train", "train"]);
  });

  it("an out the command did not create is an error naming it; nothing is cached for the stage", async () => {
    const p: ResolvedPipeline = { root, file: "dvc.yaml", stages: [stage("make", "echo a > a.txt", { outs: [out("a.txt"), out("b.txt")] })] };
    await expect(repro(p)).rejects.toThrow("stage 'make', dvc.yaml: command failed (it did not create its out 'b.txt')");
    expect(await exists(root, "cairn.lock")).toBe(false);
    expect(await snapshotTree(path.join(root, ".cairn", "cache"))).toEqual({});
  });

  it("a missing dependency that no stage produces is an error before anything runs", async () => {
    const p = pipeline();
    p.stages[3] = { ...p.stages[3]!, deps: ["raw.txt", "data/missing.csv"] };
    await expect(repro(p)).rejects.toThrow("stage 'report', dvc.yaml: dependency 'data/missing.csv' does not exist and no stage produces it");
    expect(await exists(root, "runs.log")).toBe(false);
  });

  it("frozen stages never run but their outs must exist; always_changed runs every time, never from the run cache", async () => {
    await repro(pipeline());
    await write(root, "raw.txt", "changed\n");
    const p = pipeline();
    p.stages[0] = { ...p.stages[0]!, frozen: true };
    p.stages[3] = { ...p.stages[3]!, alwaysChanged: true };
    expect((await repro(p)).states).toEqual({ prepare: "skipped", train: "skipped", evaluate: "skipped", report: "ran" });
    expect((await repro(p)).states.report).toBe("ran");
    expect((await readLines(root, "runs.log")).slice(4)).toEqual(["report", "report"]);
    await removeWorkspace(path.join(root, "prepared"));
    await expect(repro(p)).rejects.toThrow("stage 'prepare', dvc.yaml: the stage is frozen and its out 'prepared' is missing");
  });

  it("a persist out is not removed before the command runs; others are", async () => {
    const p: ResolvedPipeline = {
      root,
      file: "dvc.yaml",
      stages: [stage("log", "echo run >> history.txt && echo run >> fresh.txt", { outs: [out("history.txt", { persist: true }), out("fresh.txt")] })],
    };
    await repro(p);
    await repro(p, { force: true });
    expect(await readLines(root, "history.txt")).toEqual(["run", "run"]);
    expect(await readLines(root, "fresh.txt")).toEqual(["run"]);
  });

  it("an uncached out is hashed in the lock but the stage gets no run-cache entry", async () => {
    const p: ResolvedPipeline = {
      root,
      file: "dvc.yaml",
      stages: [stage("m", "echo m >> runs.log && grep lr params.yaml > m.json", { params: [{ file: "params.yaml", key: "train.lr" }], outs: [out("m.json", { kind: "metric", cache: false })] })],
    };
    await repro(p);
    expect(await readText(root, "cairn.lock")).toContain("path: m.json");
    await write(root, "params.yaml", "train:\n  lr: 0.3\n");
    await repro(p);
    await write(root, "params.yaml", "train:\n  lr: 0.1\n  epochs: 3\n");
    expect((await repro(p)).states).toEqual({ m: "ran" });
    expect(await readLines(root, "runs.log")).toEqual(["m", "m", "m"]);
  });

  it("a run-cache object whose bytes do not match its name is never linked: the stage runs instead, with a warning", async () => {
    await repro(pipeline());
    const model = (await io.hashPath("model.txt")).hash;
    await write(root, "params.yaml", "train:\n  lr: 0.2\n");
    await repro(pipeline());
    const object = objectPath(io.cacheDir, model);
    await chmod(object, 0o644);
    await writeFile(object, "tampered\n");
    await write(root, "params.yaml", "train:\n  lr: 0.1\n");
    const back = await repro(pipeline());
    expect(back.states.train).toBe("ran");
    expect(back.events.filter((e) => e.kind === "warning")).toHaveLength(1);
    expect(back.events.find((e) => e.kind === "warning")).toMatchObject({ message: expect.stringContaining("stage 'train': the run cache's outputs could not be restored") });
    expect(await readText(root, "model.txt")).toBe("  lr: 0.1\nHELLO\n");
  });

  it("a malformed lock file is an error naming it, and nothing runs", async () => {
    await write(root, "cairn.lock", "schema: '2.0'\nstages:\n  train:\n    cmd: [1]\n");
    await expect(repro(pipeline())).rejects.toThrow("stage 'train', cairn.lock: malformed lock file: cmd must be a string or a list of strings");
    expect(await exists(root, "runs.log")).toBe(false);
  });

  it("an out that is a link leading out of the workspace is refused naming it; the lock file is not written", async () => {
    const p: ResolvedPipeline = { root, file: "dvc.yaml", stages: [stage("escape", "ln -s /etc/hostname out.txt", { outs: [out("out.txt")] })] };
    const events: ReproEvent[] = [];
    await expect(reproducePipeline(p, io, { onEvent: (e) => events.push(e) })).rejects.toThrow("out.txt");
    expect(events.at(-1)).toMatchObject({ kind: "failed", stage: "escape", why: expect.stringContaining("its outputs could not be saved: ") });
    expect(await exists(root, "cairn.lock")).toBe(false);
  });

  it("nothing changed re-hashes nothing: a dependency is known by (inode, mtime, size) from the state db", async () => {
    const raw = path.join(root, "raw.txt");
    const stamp = new Date("2026-01-01T00:00:00Z");
    await utimes(raw, stamp, stamp);
    await repro(pipeline());
    // Same inode, size and mtime, other bytes: only a re-hash could see it, and a no-op repro must not re-hash.
    await writeFile(raw, "HELLO\n");
    await utimes(raw, stamp, stamp);
    expect((await repro(pipeline())).states).toEqual({ prepare: "skipped", train: "skipped", evaluate: "skipped", report: "skipped" });
    // A real edit changes the mtime: seen.
    await writeFile(raw, "world\n");
    expect((await repro(pipeline(), { dryRun: true })).result.stages[0]).toEqual({ stage: "prepare", state: "would-run", reasons: ["dep raw.txt modified"] });
  });

  it("with -j 2, a failure lets the running stage finish (and records it) but starts no other", async () => {
    const p: ResolvedPipeline = {
      root,
      file: "dvc.yaml",
      stages: [
        // "fails" fails only once "slow" has started (a loaded machine may start the two in either order).
        stage("slow", "touch started.txt && sleep 0.6 && echo slow > slow.txt", { outs: [out("slow.txt")] }),
        stage("fails", "while [ ! -f started.txt ]; do sleep 0.02; done; exit 5", { outs: [out("never.txt")] }),
        stage("later", "echo later > later.txt", { outs: [out("later.txt")] }),
      ],
    };
    const events: ReproEvent[] = [];
    const silent = { stdout: process.stderr, stderr: process.stderr };
    await expect(reproducePipeline(p, io, { jobs: 2, commandOutput: silent, onEvent: (e) => events.push(e) })).rejects.toThrow(
      "stage 'fails', dvc.yaml: command failed (exit code 5)",
    );
    expect(events.map((e) => `${e.kind} ${"stage" in e ? e.stage : ""}`)).toEqual(["running slow", "running fails", "failed fails", "ran slow"]);
    expect(Object.keys((await readLock(root, "dvc.yaml")).stages)).toEqual(["slow"]);
    expect(await exists(root, "later.txt")).toBe(false);
  });
});
