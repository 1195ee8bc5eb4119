import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PipelineError } from "../errors.js";
import { buildGraph, resolveTargets } from "./graph.js";
import { loadPipeline } from "./load-pipeline.js";
import { missingDeps } from "./missing-deps.js";
import type { ResolvedPipeline, ResolvedStage } from "./resolved-pipeline.js";
import { flattenStageParams, loadStageParams } from "./stage-params.js";
import { tempProject, type TempProject } from "./test-support/temp-project.js";

const projects: TempProject[] = [];
afterEach(() => {
  for (const made of projects.splice(0)) made.cleanup();
});
const project = (files: Record<string, string>): TempProject => {
  const made = tempProject(files);
  projects.push(made);
  return made;
};

const PIPELINE = [
  "stages:",
  "  report: {cmd: x, deps: [metrics.json, data/prepared/stats.csv], outs: [report.md]}",
  "  prepare: {cmd: x, deps: [raw.csv], params: [prepare], outs: [data/prepared]}",
  "  features: {cmd: x, deps: [data/prepared/train.csv], outs: [data/features.csv]}",
  "  train: {cmd: x, deps: [data/features.csv, data], params: [train.lr], outs: [model.bin]}",
  "  evaluate: {cmd: x, deps: [model.bin, data/features.csv], metrics: [metrics.json]}",
  "  lonely: {cmd: x, outs: [lonely.txt]}",
].join("\n");

describe("buildGraph", () => {
  it("links producers to consumers (equal, inside or containing an output) in a stable topological order", async () => {
    const made = project({ "dvc.yaml": PIPELINE, "params.yaml": "prepare: {split: 0.2}\ntrain: {lr: 0.1}\n", "raw.csv": "a\n" });
    const graph = buildGraph(await loadPipeline(made.root));
    expect(graph.order).toEqual(["prepare", "features", "train", "evaluate", "report", "lonely"]);
    expect(graph.edges).toEqual([
      { from: "prepare", to: "features", paths: ["data/prepared/train.csv"] },
      { from: "prepare", to: "train", paths: ["data"] },
      { from: "prepare", to: "report", paths: ["data/prepared/stats.csv"] },
      { from: "features", to: "train", paths: ["data", "data/features.csv"] },
      { from: "features", to: "evaluate", paths: ["data/features.csv"] },
      { from: "train", to: "evaluate", paths: ["model.bin"] },
      { from: "evaluate", to: "report", paths: ["metrics.json"] },
    ]);
    expect(graph.upstreamOf(["train"])).toEqual(["prepare", "features", "train"]);
    expect(graph.downstreamOf(["features"])).toEqual(["features", "train", "evaluate", "report"]);
    expect(graph.downstreamOf(["lonely", "evaluate"])).toEqual(["evaluate", "report", "lonely"]);
    expect(() => graph.upstreamOf(["nope"])).toThrow(PipelineError);
  });

  it("a params file written by a stage makes an edge; groups resolve to their expanded stages", async () => {
    const made = project({
      "dvc.yaml": [
        "stages:",
        "  tune: {cmd: x, outs: [best.yaml]}",
        "  fit:",
        "    foreach: [a, b]",
        "    do:",
        "      cmd: fit ${item}",
        "      params: [{best.yaml: [lr]}]",
        "      outs: [\"m-${item}\"]",
      ].join("\n"),
    });
    const pipeline = await loadPipeline(made.root);
    const graph = buildGraph(pipeline);
    expect(graph.edges).toEqual([
      { from: "tune", to: "fit@a", paths: ["best.yaml"] },
      { from: "tune", to: "fit@b", paths: ["best.yaml"] },
    ]);
    expect(resolveTargets(pipeline, ["fit"])).toEqual(["fit@a", "fit@b"]);
    expect(graph.upstreamOf(["fit@b"])).toEqual(["tune", "fit@b"]);
    expect(() => resolveTargets(pipeline, ["fi"])).toThrow("dvc.yaml: unknown stage 'fi' (stages: tune, fit@a, fit@b)");
  });

  it("orders 2,000 chained stages quickly", () => {
    const stages: ResolvedStage[] = Array.from({ length: 2000 }, (_, i) => ({
      name: `s${i}`,
      cmd: "x",
      wdir: "",
      deps: i === 0 ? [] : [`o${i - 1}`],
      params: [],
      outs: [{ path: `o${i}`, kind: "out", cache: true, persist: false, push: true }],
      frozen: false,
      alwaysChanged: false,
    }));
    const pipeline: ResolvedPipeline = { root: "/nowhere", file: "dvc.yaml", stages: [...stages].reverse() };
    const started = performance.now();
    const graph = buildGraph(pipeline);
    expect(performance.now() - started).toBeLessThan(500);
    expect(graph.order[0]).toBe("s0");
    expect(graph.order[1999]).toBe("s1999");
    expect(graph.edges).toHaveLength(1999);
  });
});

describe("loadStageParams", () => {
  it("reads the values a stage uses now (file -> key -> value) and flattens them for tracking", async () => {
    const made = project({
      "params.yaml": "train:\n  lr: 0.1\n  opt: {name: adam, betas: [0.9, 0.99]}\nseed: 7\n",
      "conf.json": '{"depth": 3}',
      "dvc.yaml": "stages:\n  t:\n    cmd: x\n    params: [train, seed, {conf.json: [depth]}]\n",
    });
    const pipeline = await loadPipeline(made.root);
    const params = await loadStageParams(pipeline, "t");
    expect(params).toEqual({
      "params.yaml": { train: { lr: 0.1, opt: { name: "adam", betas: [0.9, 0.99] } }, seed: 7 },
      "conf.json": { depth: 3 },
    });
    expect(flattenStageParams(params)).toEqual({
      "params.yaml:train.lr": 0.1,
      "params.yaml:train.opt.name": "adam",
      "params.yaml:train.opt.betas": [0.9, 0.99],
      "params.yaml:seed": 7,
      "conf.json:depth": 3,
    });
    // A params file changed since the load: the current values are read; a key gone is an error naming it.
    writeFileSync(join(made.root, "params.yaml"), "train: 1\n");
    await expect(loadStageParams(pipeline, pipeline.stages[0] as ResolvedStage)).rejects.toThrow("stage 't', dvc.yaml: param 'seed' does not exist in 'params.yaml'");
  });
});

describe("missingDeps", () => {
  it("lists inputs that no stage writes and that are not on disk", async () => {
    const made = project({
      "dvc.yaml": "stages:\n  a: {cmd: x, deps: [raw.csv, gone.csv], outs: [data/x]}\n  b: {cmd: x, deps: [data/x/y, data, absent/file]}\n",
      "raw.csv": "1\n",
    });
    const pipeline = await loadPipeline(made.root);
    expect(await missingDeps(pipeline, "a")).toEqual(["gone.csv"]);
    expect(await missingDeps(pipeline, pipeline.stages[1] as ResolvedStage)).toEqual(["absent/file"]);
  });
});
