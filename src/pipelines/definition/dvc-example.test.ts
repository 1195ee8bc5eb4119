import { afterEach, describe, expect, it } from "vitest";
import { buildGraph } from "./graph.js";
import { loadPipeline } from "./load-pipeline.js";
import { missingDeps } from "./missing-deps.js";
import { loadStageParams } from "./stage-params.js";
import { tempProject, type TempProject } from "./test-support/temp-project.js";

const projects: TempProject[] = [];
afterEach(() => {
  for (const made of projects.splice(0)) made.cleanup();
});

/** The shape of DVC's "get started" project (stages, top-level metrics and plots), unchanged. */
const DVC_YAML = `stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps:
    - data/data.xml
    - src/prepare.py
    params:
    - prepare.seed
    - prepare.split
    outs:
    - data/prepared
  featurize:
    cmd: python src/featurization.py data/prepared data/features
    deps:
    - data/prepared
    - src/featurization.py
    params:
    - featurize.max_features
    - featurize.ngrams
    outs:
    - data/features
  train:
    cmd: python src/train.py data/features model.pkl
    deps:
    - data/features
    - src/train.py
    params:
    - train.min_split
    - train.n_est
    - train.seed
    outs:
    - model.pkl
  evaluate:
    cmd: python src/evaluate.py model.pkl data/features
    deps:
    - data/features
    - model.pkl
    - src/evaluate.py
    outs:
    - eval
metrics:
- eval/metrics.json
plots:
- ROC:
    template: simple
    x: fpr
    y:
      eval/plots/sklearn/roc/train.json: tpr
      eval/plots/sklearn/roc/test.json: tpr
- eval/importance.png
`;

const PARAMS = `prepare:
  split: 0.20
  seed: 20170428
featurize:
  max_features: 100
  ngrams: 1
train:
  seed: 20170428
  n_est: 50
  min_split: 0.01
`;

describe("a DVC project, unchanged", () => {
  it("loads, orders, links and reads its params", async () => {
    const made = tempProject({ "dvc.yaml": DVC_YAML, "params.yaml": PARAMS, "src/prepare.py": "", "src/featurization.py": "", "src/train.py": "", "src/evaluate.py": "" });
    projects.push(made);
    const pipeline = await loadPipeline(made.root);
    const graph = buildGraph(pipeline);
    expect(graph.order).toEqual(["prepare", "featurize", "train", "evaluate"]);
    expect(graph.edges.map((edge) => `${edge.from}->${edge.to}:${edge.paths.join(",")}`)).toEqual([
      "prepare->featurize:data/prepared",
      "featurize->train:data/features",
      "featurize->evaluate:data/features",
      "train->evaluate:model.pkl",
    ]);
    expect(await loadStageParams(pipeline, "train")).toEqual({ "params.yaml": { "train.min_split": 0.01, "train.n_est": 50, "train.seed": 20170428 } });
    expect(await missingDeps(pipeline, "prepare")).toEqual(["data/data.xml"]);
    expect(pipeline.stages[3]?.outs).toEqual([{ path: "eval", kind: "out", cache: true, persist: false, push: true }]);
    expect(pipeline.metrics).toEqual(["eval/metrics.json"]);
  });

  it("top-level metrics and params (DVC 3) count for metrics show and params diff", async () => {
    const made = tempProject({
      "dvc.yaml": "vars: [{dir: eval}]\nstages:\n  s: {cmd: x, outs: [eval]}\nmetrics: [\"${dir}/metrics.json\"]\nparams: [extra.yaml]\n",
      "extra.yaml": "a: 1\nb: {c: 2}\n",
      "eval/metrics.json": '{"auc": 0.9}',
    });
    projects.push(made);
    const pipeline = await loadPipeline(made.root);
    expect([pipeline.metrics, pipeline.paramsFiles]).toEqual([["eval/metrics.json"], ["extra.yaml"]]);
    const { showMetrics } = await import("../compare/metrics.js");
    const { paramsDiff } = await import("../compare/params-diff.js");
    const { workspaceSource } = await import("../compare/revision-files.js");
    const source = workspaceSource(made.root);
    expect(await showMetrics(pipeline, source)).toEqual([{ file: "eval/metrics.json", values: { auc: 0.9 } }]);
    const empty = { label: "empty", read: async () => undefined };
    expect(await paramsDiff(pipeline, empty, source, { all: false })).toEqual([
      { file: "extra.yaml", key: "a", new: 1 },
      { file: "extra.yaml", key: "b.c", new: 2 },
    ]);
  });
});
