import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initWorkspace } from "../data/init-workspace.js";
import { openWorkspace } from "../data/workspace.js";
import { pipelineStatus } from "./pipeline-status.js";
import { reproduce } from "./reproduce.js";
import { makeGitWorkspace, readLines, readText, removeWorkspace, write } from "./test-support/repro-fixture.js";

let root: string;
beforeEach(async () => {
  root = await makeGitWorkspace("cairn-reproduce-");
  await initWorkspace(root);
  await write(root, "raw.txt", "a\nb\nc\n");
  await write(root, "params.yaml", "prepare:\n  keep: 2\ntrain:\n  lr: 0.1\n");
  await write(
    root,
    "dvc.yaml",
    [
      "stages:",
      "  prepare:",
      "    cmd: echo prepare >> runs.log && mkdir -p data && head -n ${prepare.keep} raw.txt > data/kept.txt",
      "    deps: [raw.txt]",
      "    params: [prepare.keep]",
      "    outs: [data]",
      "  train:",
      "    cmd: echo train >> runs.log && (grep lr params.yaml; cat data/kept.txt) > model.txt",
      "    deps: [data]",
      "    params: [train.lr]",
      "    outs: [model.txt]",
      "    metrics:",
      "    - metrics.json:",
      "        cache: false",
      "",
    ].join("\n"),
  );
});
afterEach(async () => {
  await removeWorkspace(root);
});

describe("reproduce (workspace, pipeline file)", () => {
  it("loads dvc.yaml from the workspace found from a subfolder, reports reasons, and pipelineStatus agrees", async () => {
    await write(root, "sub/keep.txt", "");
    // train declares metrics.json but its command does not write it: an error naming the out.
    await expect(reproduce({ cwd: `${root}/sub` })).rejects.toThrow("stage 'train', dvc.yaml: command failed (it did not create its out 'metrics.json')");
    await write(
      root,
      "dvc.yaml",
      (await readText(root, "dvc.yaml")).replace("> model.txt", "> model.txt && echo 1 > metrics.json"),
    );
    const first = await reproduce({ cwd: root });
    expect(first.stages.map((s) => [s.stage, s.state])).toEqual([
      ["prepare", "skipped"],
      ["train", "ran"],
    ]);
    expect(await readLines(root, "runs.log")).toEqual(["prepare", "train", "train"]);
    const ws = await openWorkspace(root);
    try {
      expect(await pipelineStatus(ws)).toEqual({
        pipelineFile: "dvc.yaml",
        stages: [
          { stage: "prepare", state: "up to date", reasons: [] },
          { stage: "train", state: "up to date", reasons: [] },
        ],
      });
      await write(root, "params.yaml", "prepare:\n  keep: 3\ntrain:\n  lr: 0.1\n");
      await write(root, "model.txt", "edited\n");
      expect((await pipelineStatus(ws))?.stages).toEqual([
        { stage: "prepare", state: "changed", reasons: ["cmd changed", "param prepare.keep changed"] },
        { stage: "train", state: "changed", reasons: ["out model.txt modified"] },
      ]);
    } finally {
      ws.close();
    }
    const second = await reproduce({ cwd: root });
    expect(second.stages.map((s) => [s.stage, s.state, s.reasons])).toEqual([
      ["prepare", "ran", ["cmd changed", "param prepare.keep changed"]],
      ["train", "ran", ["dep data modified", "out model.txt modified"]],
    ]);
    expect(await readText(root, "model.txt")).toBe("  lr: 0.1\na\nb\nc\n");
  });

  it("a workspace without a pipeline file: pipelineStatus is undefined, repro says what is missing", async () => {
    await removeWorkspace(`${root}/dvc.yaml`);
    const ws = await openWorkspace(root);
    try {
      expect(await pipelineStatus(ws)).toBeUndefined();
    } finally {
      ws.close();
    }
    await expect(reproduce({ cwd: root })).rejects.toThrow("no pipeline file: neither cairn.yaml nor dvc.yaml exists in");
  });
});
