import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PipelineError } from "../errors.js";
import { loadPipeline } from "./load-pipeline.js";
import { tempProject, type TempProject } from "./test-support/temp-project.js";

const projects: TempProject[] = [];
afterEach(() => {
  for (const made of projects.splice(0)) made.cleanup();
});

const messageOf = async (files: Record<string, string>, prepare?: (made: TempProject) => void): Promise<string> => {
  const made = tempProject(files);
  projects.push(made);
  prepare?.(made);
  try {
    await loadPipeline(made.root);
  } catch (error) {
    if (error instanceof PipelineError) return error.message.replaceAll(made.root, "ROOT");
    throw error;
  }
  throw new Error("expected a PipelineError");
};

const dvc = (...lines: string[]) => ({ "dvc.yaml": lines.join("\n") });

describe("loadPipeline refuses bad pipelines, naming the stage and the file", () => {
  it("no pipeline file", async () => {
    expect(await messageOf({})).toBe("no pipeline file: neither cairn.yaml nor dvc.yaml exists in ROOT");
  });

  it("malformed YAML and a wrong top-level shape", async () => {
    expect(await messageOf({ "dvc.yaml": "stages: [\n" })).toMatch(/^dvc\.yaml: malformed pipeline file: /);
    expect(await messageOf({ "dvc.yaml": "- a\n" })).toBe("dvc.yaml: malformed pipeline file: expected a mapping with 'stages'");
    expect(await messageOf({ "cairn.yaml": "stage: {}\n" })).toBe(
      "cairn.yaml: unknown top-level key 'stage' (known: stages, vars, plots, metrics, params, artifacts, datasets)",
    );
    expect(await messageOf(dvc("stages: [a]"))).toBe("dvc.yaml: 'stages' must be a mapping of stage names to stages");
  });

  it("unknown keys in a stage and in an output's options, and wrong types", async () => {
    expect(await messageOf(dvc("stages:", "  train:", "    cmd: x", "    dep: [a]"))).toBe(
      "stage 'train', dvc.yaml: unknown key 'dep' (known: cmd, wdir, deps, params, outs, metrics, plots, frozen, always_changed, desc, meta, vars, or foreach/do, matrix)",
    );
    expect(await messageOf(dvc("stages:", "  train:", "    cmd: x", "    outs: [{m.bin: {cashe: false}}]"))).toBe(
      "stage 'train', dvc.yaml: outs[0]: unknown option 'cashe' for 'm.bin' (known: cache, persist, push, remote, desc, type, labels, meta)",
    );
    expect(await messageOf(dvc("stages:", "  train:", "    cmd: x", "    frozen: yes"))).toBe(
      `stage 'train', dvc.yaml: frozen must be true or false, not "yes"`,
    );
    expect(await messageOf(dvc("stages:", "  train:", "    cmd: x", "    deps: a"))).toBe("stage 'train', dvc.yaml: deps must be a list");
    expect(await messageOf(dvc("stages:", "  a@b: {cmd: x}"))).toBe("stage 'a@b', dvc.yaml: a stage name must be non-empty and hold none of \\ / @ :");
    expect(await messageOf(dvc("stages:", "  f:", "    foreach: [a]", "    do: {cmd: x}", "    deps: [y]"))).toBe(
      "stage 'f', dvc.yaml: 'deps' is not allowed beside foreach/do (put it inside 'do')",
    );
    expect(await messageOf(dvc("stages:", "  f:", "    foreach: [a, a]", "    do: {cmd: x}"))).toBe("stage 'f@a', dvc.yaml: two stages have this name");
  });

  it("a missing or empty cmd", async () => {
    expect(await messageOf(dvc("stages:", "  train:", "    deps: [a]"))).toBe("stage 'train', dvc.yaml: missing 'cmd'");
    expect(await messageOf(dvc("stages:", "  train:", "    cmd: [x, '']"))).toBe(
      "stage 'train', dvc.yaml: 'cmd' must be a non-empty string or a list of non-empty strings",
    );
  });

  it("a cycle, naming its stages, and a stage reading its own output", async () => {
    expect(
      await messageOf(
        dvc(
          "stages:",
          "  first: {cmd: x, deps: [c], outs: [a]}",
          "  second: {cmd: x, deps: [a], outs: [b]}",
          "  third: {cmd: x, deps: [b/file], outs: [c]}",
          "  free: {cmd: x, outs: [d]}",
        ),
      ),
    ).toBe("stage 'first', dvc.yaml: the stages form a cycle: first -> second -> third -> first");
    expect(await messageOf(dvc("stages:", "  s: {cmd: x, deps: [a], outs: [a]}"))).toBe(
      "stage 's', dvc.yaml: 'a' is both a dependency and an output of this stage (a cycle)",
    );
  });

  it("two stages writing one output, an output listed twice, an output inside another", async () => {
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, outs: [model.bin]}", "  b: {cmd: x, metrics: [./model.bin]}"))).toBe(
      "stage 'b', dvc.yaml: output 'model.bin' is also written by stage 'a' (two stages cannot write one output)",
    );
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, outs: [m, m/]}"))).toBe("stage 'a', dvc.yaml: output 'm' is listed twice");
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, outs: [data/sub/file]}", "  b: {cmd: x, outs: [data]}"))).toBe(
      "stage 'a', dvc.yaml: output 'data/sub/file' (stage 'a') is inside output 'data' (stage 'b'): outputs cannot overlap",
    );
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, outs: [dvc.yaml]}"))).toBe(
      "stage 'a', dvc.yaml: output 'dvc.yaml' would overwrite the pipeline file or its lock file",
    );
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, outs: [.cairn/cache]}"))).toBe(
      "stage 'a', dvc.yaml: output '.cairn/cache' is inside or holds '.cairn', which Cairn and git manage",
    );
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, outs: [.]}"))).toBe("stage 'a', dvc.yaml: an output cannot be the workspace root");
  });

  it("paths outside the workspace: ../, absolute, through a symlink, a dangling symlink, a URL", async () => {
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, outs: [../escape]}"))).toBe("stage 'a', dvc.yaml: outs[0]: '../escape' is outside the workspace");
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, wdir: sub, deps: [../../etc/passwd]}"))).toBe(
      "stage 'a', dvc.yaml: deps[0]: '../../etc/passwd' is outside the workspace",
    );
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, deps: [/etc/passwd]}"))).toBe("stage 'a', dvc.yaml: deps[0]: '/etc/passwd' is outside the workspace");
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, wdir: ../up}"))).toBe("stage 'a', dvc.yaml: wdir: '../up' is outside the workspace");
    const linkOut = (made: TempProject) => symlinkSync("/tmp", join(made.root, "link"));
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, outs: [link/model.bin]}"), linkOut)).toBe(
      "stage 'a', dvc.yaml: outs: 'link/model.bin' leads outside the workspace through a symbolic link",
    );
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, deps: [link]}"), linkOut)).toBe(
      "stage 'a', dvc.yaml: deps[0]: 'link' leads outside the workspace through a symbolic link",
    );
    const dangling = (made: TempProject) => symlinkSync("/nonexistent-cairn-target/x", join(made.root, "out.bin"));
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, outs: [out.bin]}"), dangling)).toBe(
      "stage 'a', dvc.yaml: outs: 'out.bin' leads outside the workspace through a symbolic link",
    );
    expect(await messageOf(dvc("stages:", "  a: {cmd: x, deps: ['https://example.com/data.csv']}"))).toBe(
      "stage 'a', dvc.yaml: deps[0]: 'https://example.com/data.csv' is a URL; only paths inside the workspace are supported",
    );
  });

  it("params: a missing key, a missing or malformed file, a file written by a stage", async () => {
    expect(await messageOf({ "params.yaml": "train: {lr: 1}\n", ...dvc("stages:", "  t: {cmd: x, params: [train.epochs]}") })).toBe(
      "stage 't', dvc.yaml: param 'train.epochs' does not exist in 'params.yaml'",
    );
    expect(await messageOf(dvc("stages:", "  t: {cmd: x, params: [lr]}"))).toBe("stage 't', dvc.yaml: params file 'params.yaml' does not exist");
    expect(await messageOf({ "conf.yaml": "a: [\n", ...dvc("stages:", "  t:", "    cmd: x", "    params: [{conf.yaml: [a]}]") })).toMatch(
      /^conf\.yaml: malformed params file: /,
    );
    expect(await messageOf({ "conf.json": "{oops", ...dvc("stages:", "  t:", "    cmd: x", "    params: [{conf.json: [a]}]") })).toMatch(
      /^conf\.json: malformed params file: /,
    );
    expect(await messageOf({ "params.yaml": "- 1\n", ...dvc("stages:", "  t: {cmd: x, params: [a]}") })).toBe(
      "params.yaml: malformed params file: expected a mapping of names to values",
    );
    expect(await messageOf({ "conf.toml": "a = 1\n", ...dvc("stages:", "  t:", "    cmd: x", "    params: [{conf.toml: [a]}]") })).toBe(
      "conf.toml: params files in TOML or Python are not supported (use YAML or JSON)",
    );
    // Written by an upstream stage: keys are checked at run time; "all keys" cannot be known before it runs.
    const generated = dvc("stages:", "  gen: {cmd: x, outs: [gen.yaml]}", "  use:", "    cmd: x", "    params: [{gen.yaml: [a]}]");
    const made = tempProject(generated);
    projects.push(made);
    const pipeline = await loadPipeline(made.root);
    expect(pipeline.stages[1]?.params).toEqual([{ file: "gen.yaml", key: "a" }]);
    expect(await messageOf(dvc("stages:", "  gen: {cmd: x, outs: [gen.yaml]}", "  use:", "    cmd: x", "    params: [{gen.yaml: }]"))).toBe(
      "stage 'use', dvc.yaml: params file 'gen.yaml' is written by stage 'gen': list the keys this stage uses",
    );
  });

  it("bounds: an oversized pipeline file and a matrix too large", async () => {
    expect(await messageOf({ "dvc.yaml": `# ${"x".repeat(4 * 1024 * 1024)}\n` })).toBe("dvc.yaml: the pipeline file is larger than 4194304 bytes");
    const axis = `[${Array.from({ length: 101 }, (_, i) => i).join(", ")}]`;
    expect(await messageOf(dvc("stages:", "  m:", "    matrix:", `      a: ${axis}`, `      b: ${axis}`, "    cmd: x"))).toBe(
      "stage 'm', dvc.yaml: 'matrix' makes 10201 stages, more than 10000",
    );
    // 100 copies of a 1 MiB command, each with its own ${item}: 100 MiB of text from a 1 MiB file.
    const items = `[${Array.from({ length: 100 }, (_, i) => `i${i}`).join(", ")}]`;
    const started = performance.now();
    expect(await messageOf(dvc("stages:", "  big:", `    foreach: ${items}`, "    do:", `      cmd: "\${item} ${"x".repeat(1024 * 1024)}"`))).toMatch(
      /^stage 'big@i\d+', dvc\.yaml: cmd: the pipeline expands to more than 67108864 characters of interpolated text$/,
    );
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("keys named __proto__ stay data", () => {
  it("is an unknown stage key, and a params key like any other", async () => {
    expect(await messageOf(dvc("stages:", "  a:", "    __proto__: {cmd: hidden}"))).toBe(
      "stage 'a', dvc.yaml: unknown key '__proto__' (known: cmd, wdir, deps, params, outs, metrics, plots, frozen, always_changed, desc, meta, vars, or foreach/do, matrix)",
    );
    const made = tempProject({ "params.yaml": "__proto__: {x: 1}\n", ...dvc("stages:", "  a:", "    cmd: echo ${__proto__.x}") });
    projects.push(made);
    const pipeline = await loadPipeline(made.root);
    expect(pipeline.stages[0]?.cmd).toBe("echo 1");
    expect(pipeline.stages[0]?.params).toEqual([{ file: "params.yaml", key: "__proto__.x" }]);
    const { loadStageParams, flattenStageParams } = await import("./stage-params.js");
    const values = await loadStageParams(pipeline, "a");
    expect(Object.keys(values["params.yaml"] ?? {})).toEqual(["__proto__.x"]);
    expect(flattenStageParams(values)).toEqual(JSON.parse('{"params.yaml:__proto__.x": 1}'));
  });
});
