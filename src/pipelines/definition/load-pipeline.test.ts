import { afterEach, describe, expect, it } from "vitest";
import { PipelineError } from "../errors.js";
import { loadPipeline } from "./load-pipeline.js";
import { tempProject, type TempProject } from "./test-support/temp-project.js";

const projects: TempProject[] = [];
const project = (files: Record<string, string>): TempProject => {
  const made = tempProject(files);
  projects.push(made);
  return made;
};
afterEach(() => {
  for (const made of projects.splice(0)) made.cleanup();
});

const load = (files: Record<string, string>) => loadPipeline(project(files).root);
const stage = async (files: Record<string, string>, name: string) => {
  const pipeline = await load(files);
  const found = pipeline.stages.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no stage ${name} in ${pipeline.stages.map((s) => s.name).join(",")}`);
  return found;
};
const failure = async (files: Record<string, string>): Promise<PipelineError> => {
  try {
    await load(files);
  } catch (error) {
    if (error instanceof PipelineError) return error;
    throw error;
  }
  throw new Error("expected a PipelineError");
};

describe("loadPipeline: the DVC schema", () => {
  it("resolves a plain stage with wdir-relative paths, output flags, metrics and plots", async () => {
    const made = project({
      "dvc.yaml": [
        "stages:",
        "  train:",
        "    cmd: node train.mjs",
        "    wdir: src",
        "    desc: trains",
        "    meta: {owner: me}",
        "    deps: [train.mjs, ../data/prepared]",
        "    outs:",
        "      - ../model.onnx",
        "      - cache-less.bin: {cache: false, persist: true, push: false, desc: x}",
        "    metrics:",
        "      - ../metrics.json: {cache: false}",
        "    plots:",
        "      - ../plots/loss.csv: {x: step, y: loss}",
        "    frozen: true",
        "    always_changed: true",
      ].join("\n"),
    });
    const pipeline = await loadPipeline(made.root);
    expect(pipeline.root).toBe(made.root);
    expect(pipeline.file).toBe("dvc.yaml");
    expect(pipeline.stages).toEqual([
      {
        name: "train",
        cmd: "node train.mjs",
        wdir: "src",
        desc: "trains",
        deps: ["src/train.mjs", "data/prepared"],
        params: [],
        outs: [
          { path: "model.onnx", kind: "out", cache: true, persist: false, push: true },
          { path: "src/cache-less.bin", kind: "out", cache: false, persist: true, push: false },
          { path: "metrics.json", kind: "metric", cache: false, persist: false, push: true },
          { path: "plots/loss.csv", kind: "plot", cache: true, persist: false, push: true },
        ],
        frozen: true,
        alwaysChanged: true,
      },
    ]);
  });

  it("prefers cairn.yaml over dvc.yaml, keeps a command list and file order", async () => {
    const pipeline = await load({
      "dvc.yaml": "stages:\n  ignored: {cmd: echo no}\n",
      "cairn.yaml": "stages:\n  b:\n    cmd: [echo one, echo two]\n  a:\n    cmd: echo a\n",
    });
    expect(pipeline.file).toBe("cairn.yaml");
    expect(pipeline.stages.map((s) => [s.name, s.cmd])).toEqual([
      ["b", ["echo one", "echo two"]],
      ["a", "echo a"],
    ]);
  });

  it("reads params by key from params.yaml in the wdir, from named files, and whole files", async () => {
    const s = await stage(
      {
        "params.yaml": "train:\n  lr: 0.1\n  epochs: 3\nseed: 7\n",
        "sub/params.yaml": "depth: 2\n",
        "conf/model.json": '{"layers": [4, 8], "act": "relu"}',
        "conf/all.yaml": "a: 1\nb: {c: 2}\n",
        "dvc.yaml": [
          "stages:",
          "  train:",
          "    cmd: x",
          "    params: [train.lr, seed, {conf/model.json: [layers.1, act]}, {conf/all.yaml: }, train.lr]",
          "  sub:",
          "    cmd: x",
          "    wdir: sub",
          "    params: [depth, {../conf/all.yaml: []}]",
        ].join("\n"),
      },
      "train",
    );
    expect(s.params).toEqual([
      { file: "params.yaml", key: "train.lr" },
      { file: "params.yaml", key: "seed" },
      { file: "conf/model.json", key: "layers.1" },
      { file: "conf/model.json", key: "act" },
      { file: "conf/all.yaml", key: "a" },
      { file: "conf/all.yaml", key: "b" },
    ]);
  });

  it("an empty pipeline file has no stages", async () => {
    expect((await load({ "dvc.yaml": "" })).stages).toEqual([]);
    expect((await load({ "dvc.yaml": "stages: {}\n" })).stages).toEqual([]);
  });
});

describe("loadPipeline: vars and ${} interpolation", () => {
  it("loads the root params.yaml as variables, then vars files, key picks and inline mappings", async () => {
    const s = await stage(
      {
        "params.yaml": "train:\n  lr: 0.001\n  epochs: 10\n  flag: true\nname: base\n",
        "extra.yaml": "data:\n  dir: data/raw\nunused: 1\n",
        "more.json": '{"grp": {"x": 5, "y": 6}, "other": 9}',
        "dvc.yaml": [
          "vars:",
          "  - extra.yaml",
          "  - more.json:grp.x,other",
          "  - inline: {word: hello}",
          "    grp: {z: 7}",
          "stages:",
          "  train:",
          "    cmd: python t.py --lr ${train.lr} --epochs ${ train.epochs } --flag ${train.flag} ${name}-${inline.word} ${grp.x} ${grp.z} ${other}",
          "    deps: [\"${data.dir}\"]",
          "    frozen: ${train.flag}",
        ].join("\n"),
      },
      "train",
    );
    expect(s.cmd).toBe("python t.py --lr 0.001 --epochs 10 --flag true base-hello 5 7 9");
    expect(s.deps).toEqual(["data/raw"]);
    expect(s.frozen).toBe(true);
  });

  it("renders values as DVC does: floats as Python, a mapping in cmd as options, \\${ as a literal", async () => {
    const s = await stage(
      {
        "params.yaml": [
          "small: 0.00001",
          "big: 1.0e+20",
          "half: 0.5",
          "nothing: null",
          "opts:",
          "  lr: 0.1",
          "  name: my model",
          "  verbose: true",
          "  quiet: false",
          "  layers: [1, 2]",
          "  nested: {a: x}",
        ].join("\n"),
        "dvc.yaml": "stages:\n  s:\n    cmd: run ${small} ${big} ${half} ${nothing} ${opts} \\${literal}\n",
      },
      "s",
    );
    expect(s.cmd).toBe("run 1e-05 1e+20 0.5 None --lr 0.1 --name 'my model' --verbose --layers 1 2 --nested.a x ${literal}");
  });

  it("refuses an undefined variable, a list rendered into a string, and a redefined variable", async () => {
    const undefinedVar = await failure({ "dvc.yaml": "stages:\n  s:\n    cmd: echo ${missing.key}\n" });
    expect(undefinedVar.message).toBe("stage 's', dvc.yaml: cmd: undefined variable '${missing.key}'");
    const list = await failure({ "params.yaml": "xs: [1, 2]\n", "dvc.yaml": "stages:\n  s:\n    cmd: x\n    outs: [\"out-${xs}\"]\n" });
    expect(list.message).toBe("stage 's', dvc.yaml: outs: cannot interpolate a list ('${xs}') into a string");
    const redefined = await failure({ "params.yaml": "a: {b: 1}\n", "dvc.yaml": "vars:\n  - a: {b: 2}\nstages:\n  s: {cmd: x}\n" });
    expect(redefined.message).toBe("dvc.yaml: vars: cannot redefine 'a.b' from 'vars[0]': it is already defined in 'params.yaml'");
    const missingVarsFile = await failure({ "dvc.yaml": "vars: [nope.yaml]\nstages:\n  s: {cmd: x}\n" });
    expect(missingVarsFile.message).toBe("dvc.yaml: vars[0]: params file 'nope.yaml' does not exist");
  });

  it("expands foreach over a list, a list of mappings, a mapping, and a ${} naming one", async () => {
    const pipeline = await load({
      "params.yaml": "models:\n  us: {threshold: 10}\n  uk: {threshold: 3}\n",
      "dvc.yaml": [
        "stages:",
        "  build:",
        "    foreach: [cpu, gpu, 1.5, true]",
        "    do:",
        "      cmd: make ${item}",
        "      outs: [\"out/${item}\"]",
        "  fit:",
        "    foreach: [{n: 1}, {n: 2}]",
        "    do: {cmd: \"fit ${item.n}\"}",
        "  region:",
        "    foreach: ${models}",
        "    do:",
        "      cmd: train '${key}' ${item.threshold}",
        "      outs: [\"model-${key}.bin\"]",
      ].join("\n"),
    });
    expect(pipeline.stages.map((s) => [s.name, s.cmd])).toEqual([
      ["build@cpu", "make cpu"],
      ["build@gpu", "make gpu"],
      ["build@1.5", "make 1.5"],
      ["build@true", "make true"],
      ["fit@0", "fit 1"],
      ["fit@1", "fit 2"],
      ["region@us", "train 'us' 10"],
      ["region@uk", "train 'uk' 3"],
    ]);
    expect(pipeline.stages[7]?.outs[0]?.path).toBe("model-uk.bin");
  });

  it("expands a matrix with DVC's names (plain values as text, others as key and index)", async () => {
    const pipeline = await load({
      "params.yaml": "oses: [linux, mac]\n",
      "dvc.yaml": [
        "stages:",
        "  t:",
        "    matrix:",
        "      os: ${oses}",
        "      pyv: ['3.9', 3.10]",
        "      cfg: [{a: 1}, [1, 2]]",
        "    cmd: run ${item.os} ${item.pyv} ${item.cfg.0}",
      ].join("\n"),
    }).catch((error: unknown) => error as PipelineError);
    // cfg1 is a list: `${item.cfg.0}` is 1 there, but cfg0 is a mapping without key "0".
    expect((pipeline as PipelineError).message).toBe("stage 't@linux-3.9-cfg0', dvc.yaml: cmd: undefined variable '${item.cfg.0}'");
    const ok = await load({
      "params.yaml": "oses: [linux, mac]\n",
      "dvc.yaml": [
        "stages:",
        "  t:",
        "    matrix:",
        "      os: ${oses}",
        "      pyv: ['3.9', 3.10]",
        "      cfg: [{a: 1}, {a: 2, b: [x, y z]}]",
        "    cmd: run ${item.os} ${item.pyv} ${item.cfg}",
      ].join("\n"),
    });
    expect(ok.stages[0]?.cmd).toBe("run linux 3.9 --a 1");
    expect(ok.stages[1]?.cmd).toBe("run linux 3.9 --a 2 --b x 'y z'");
    expect(ok.stages.map((s) => s.name)).toEqual([
      "t@linux-3.9-cfg0",
      "t@linux-3.9-cfg1",
      "t@linux-3.1-cfg0",
      "t@linux-3.1-cfg1",
      "t@mac-3.9-cfg0",
      "t@mac-3.9-cfg1",
      "t@mac-3.1-cfg0",
      "t@mac-3.1-cfg1",
    ]);
  });
});

describe("loadPipeline: params-file values used through ${} are params of the stage (as DVC tracks them)", () => {
  it("tracks direct uses, foreach items over a params mapping or list, and matrix axes; not inline vars", async () => {
    const pipeline = await load({
      "params.yaml": "train: {lr: 0.1, epochs: 3}\nmodels: {us: {t: 10}, uk: {t: 3}}\nsizes: [s, m]\nseed: 1\n",
      "extra.yaml": "batch: 32\n",
      "dvc.yaml": [
        "vars:",
        "  - extra.yaml",
        "  - inline: 5",
        "stages:",
        "  train:",
        "    cmd: t ${train.lr} ${batch} ${inline} ${train.epochs}",
        "    params: [train.epochs, seed]",
        "  region:",
        "    foreach: ${models}",
        "    do: {cmd: \"r ${key} ${item.t}\"}",
        "  size:",
        "    foreach: ${sizes}",
        "    do: {cmd: \"s ${item}\"}",
        "  grid:",
        "    matrix: {size: \"${sizes}\", n: [1, 2]}",
        "    cmd: g ${item.size} ${item.n}",
        "  whole:",
        "    cmd: w ${train.lr}",
        "    params: [train]",
      ].join("\n"),
    });
    const params = Object.fromEntries(pipeline.stages.map((s) => [s.name, s.params.map((p) => `${p.file}:${p.key}`)]));
    expect(params).toEqual({
      train: ["params.yaml:train.epochs", "params.yaml:seed", "params.yaml:train.lr", "extra.yaml:batch"],
      "region@us": ["params.yaml:models.us.t"],
      "region@uk": ["params.yaml:models.uk.t"],
      "size@s": ["params.yaml:sizes.0"],
      "size@m": ["params.yaml:sizes.1"],
      "grid@s-1": ["params.yaml:sizes.0"],
      "grid@s-2": ["params.yaml:sizes.0"],
      "grid@m-1": ["params.yaml:sizes.1"],
      "grid@m-2": ["params.yaml:sizes.1"],
      whole: ["params.yaml:train"],
    });
  });
});
