import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempProject, type TempProject } from "../pipelines/definition/test-support/temp-project.js";
import { runCli } from "./test-support/run-cli.js";

/** A real workspace in a real git repository: one commit, then workspace edits. */
let made: TempProject;
beforeAll(() => {
  made = tempProject({
    "dvc.yaml": [
      "stages:",
      "  prepare:",
      "    cmd: node prepare.mjs",
      "    params: [prepare]",
      "    outs: [data/prepared]",
      "  train:",
      "    cmd: node train.mjs",
      "    deps: [data/prepared]",
      "    params: [train.lr, train.epochs]",
      "    outs: [model.bin]",
      "  evaluate:",
      "    cmd: node evaluate.mjs",
      "    deps: [model.bin, data/prepared]",
      "    metrics: [{metrics.json: {cache: false}}, {eval/scores.yaml: {cache: false}}]",
    ].join("\n"),
    "params.yaml": "prepare: {split: 0.2}\ntrain: {lr: 0.1, epochs: 10, unused: x}\nother: 1\n",
    "metrics.json": '{"accuracy": 0.8, "loss": {"train": 0.5, "test": 0.6}, "name": "m1"}',
  });
  mkdirSync(join(made.root, ".cairn"));
  made.git("init", "-q");
  made.git("add", ".");
  made.git("commit", "-qm", "first");
  made.write({
    "params.yaml": "prepare: {split: 0.2}\ntrain: {lr: 0.3, epochs: 10, unused: y}\nother: 2\n",
    "metrics.json": '{"accuracy": 0.85, "loss": {"train": 0.5, "test": 0.55}, "f1": 0.7}',
    "eval/scores.yaml": "auc: 0.9\n",
  });
});
afterAll(() => made.cleanup());

const cli = (...args: string[]) => runCli(args, { cwd: join(made.root) });

describe("cairn dag", () => {
  it("prints stages in run order with arrows to their consumers, and exact dot, mermaid and JSON", async () => {
    const text = await cli("dag");
    expect(text.stderr).toBe("");
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      [
        "prepare",
        "  +-> train  (data/prepared)",
        "  `-> evaluate  (data/prepared)",
        "train",
        "  `-> evaluate  (model.bin)",
        "evaluate",
        "",
      ].join("\n"),
    );
    const dot = await cli("dag", "--dot");
    expect(dot.stdout).toBe(
      'strict digraph {\n\t"prepare";\n\t"train";\n\t"evaluate";\n\t"prepare" -> "train";\n\t"prepare" -> "evaluate";\n\t"train" -> "evaluate";\n}\n',
    );
    const mermaid = await cli("dag", "--mermaid", "train");
    expect(mermaid.stdout).toBe('flowchart TD\n\tnode1["prepare"]\n\tnode2["train"]\n\tnode1-->node2\n');
    const json = await cli("dag", "--json", "--downstream", "train");
    expect(JSON.parse(json.stdout)).toEqual({ stages: ["train", "evaluate"], edges: [{ from: "train", to: "evaluate", paths: ["model.bin"] }] });
    const both = await cli("dag", "--dot", "--json");
    expect([both.code, both.stderr]).toEqual([2, "cairn: error: choose one of --dot, --mermaid and --json\n"]);
    const unknown = await cli("dag", "nope");
    expect([unknown.code, unknown.stderr]).toEqual([1, "cairn: error: dvc.yaml: unknown stage 'nope' (stages: prepare, train, evaluate)\n"]);
  });
});

describe("cairn params diff and metrics show|diff", () => {
  it("params diff: HEAD against the workspace by default, only the keys the stages use, changed ones unless --all", async () => {
    const changed = await cli("params", "diff", "--json");
    expect(changed.stderr).toBe("");
    expect(JSON.parse(changed.stdout)).toEqual({ "params.yaml": { "train.lr": { old: 0.1, new: 0.3, diff: 0.2 } } });
    const table = await cli("params", "diff");
    expect(table.stdout).toBe(
      ["PATH         PARAM     OLD (HEAD)  NEW (workspace)  CHANGE", "params.yaml  train.lr  0.1         0.3              +0.2", ""].join("\n"),
    );
    const all = await cli("params", "diff", "HEAD", "--all", "--json");
    expect(JSON.parse(all.stdout)).toEqual({
      "params.yaml": {
        "prepare.split": { old: 0.2, new: 0.2, diff: 0 },
        "train.lr": { old: 0.1, new: 0.3, diff: 0.2 },
        "train.epochs": { old: 10, new: 10, diff: 0 },
        "train.unused": { old: "x", new: "y" },
        other: { old: 1, new: 2, diff: 1 },
      },
    });
    const same = await cli("params", "diff", "HEAD", "HEAD");
    expect(same.stdout).toBe("No param changed between HEAD and HEAD (--all lists unchanged ones too).\n");
  });

  it("metrics show flattens nested keys and marks a missing file; metrics diff compares with the numeric change", async () => {
    const show = await cli("metrics", "show", "--json");
    expect(JSON.parse(show.stdout)).toEqual({
      "metrics.json": { accuracy: 0.85, "loss.train": 0.5, "loss.test": 0.55, f1: 0.7 },
      "eval/scores.yaml": { auc: 0.9 },
    });
    const diff = await cli("metrics", "diff");
    expect(diff.stdout).toBe(
      [
        "PATH              METRIC     OLD (HEAD)  NEW (workspace)  CHANGE",
        "metrics.json      accuracy   0.8         0.85             +0.05",
        "metrics.json      loss.test  0.6         0.55             -0.05",
        "metrics.json      name       m1          -                -",
        "metrics.json      f1         -           0.7              -",
        "eval/scores.yaml  auc        -           0.9              -",
        "",
      ].join("\n"),
    );
  });

  it("names an unknown revision and an unparsable metrics file", async () => {
    const rev = await cli("metrics", "diff", "no-such-branch");
    expect([rev.code, rev.stderr]).toEqual([1, "cairn: error: unknown revision 'no-such-branch'\n"]);
    const dash = await cli("params", "diff", "--", "--output=/tmp/x");
    expect([dash.code, dash.stderr]).toEqual([1, "cairn: error: unknown revision '--output=/tmp/x'\n"]);
    made.write({ "eval/scores.yaml": "auc: [\n" });
    const bad = await cli("metrics", "show");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^cairn: error: eval\/scores\.yaml: in the workspace: malformed metrics file: /);
    made.write({ "eval/scores.yaml": "auc: 0.9\n" });
  });

  it("outside a workspace: not a Cairn workspace", async () => {
    const outside = tempProject({ "dvc.yaml": "stages: {}\n" });
    try {
      const result = await runCli(["dag"], { cwd: outside.root });
      expect([result.code, result.stderr]).toEqual([1, `cairn: error: ${outside.root}: not a Cairn workspace (run \`cairn init\`)\n`]);
    } finally {
      outside.cleanup();
    }
  });
});
