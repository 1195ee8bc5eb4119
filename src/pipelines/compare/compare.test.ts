import { afterEach, describe, expect, it } from "vitest";
import { loadPipeline } from "../definition/load-pipeline.js";
import { tempProject, type TempProject } from "../definition/test-support/temp-project.js";
import { PipelineError } from "../errors.js";
import { metricsDiff, showMetrics } from "./metrics.js";
import { paramsDiff } from "./params-diff.js";
import { comparedSources, gitSource, workspaceSource } from "./revision-files.js";

const projects: TempProject[] = [];
afterEach(() => {
  for (const made of projects.splice(0)) made.cleanup();
});

/** Three commits: v1 (no metrics yet), v2 (metrics), v3 (params changed, a params key removed). */
const history = (): TempProject => {
  const made = tempProject({
    "dvc.yaml": "stages:\n  train:\n    cmd: x\n    params: [train, {conf.json: [depth]}]\n    metrics: [m.yaml]\n",
    "params.yaml": "train: {lr: 0.1, opt: {name: sgd}}\n",
    "conf.json": '{"depth": 2}',
  });
  projects.push(made);
  made.git("init", "-q");
  made.git("add", ".");
  made.git("commit", "-qm", "v1");
  made.git("tag", "v1");
  made.write({ "m.yaml": "acc: 0.5\nper_class: {a: 0.4, b: 0.6}\n" });
  made.git("add", ".");
  made.git("commit", "-qm", "v2");
  made.git("tag", "v2");
  made.write({ "params.yaml": "train: {lr: 0.2, opt: {name: adam, beta: 0.9}}\n", "m.yaml": "acc: 0.75\nper_class: {a: 0.4, b: 0.9}\n" });
  made.git("add", ".");
  made.git("commit", "-qm", "v3");
  return made;
};

describe("params diff and metrics between revisions", () => {
  it("compares two revisions without touching the workspace, leaf by leaf", async () => {
    const made = history();
    made.write({ "params.yaml": "train: {lr: 9}\n" }); // uncommitted: must not be read for rev-to-rev
    const pipeline = await loadPipeline(made.root);
    const [a, b] = await comparedSources(made.root, ["v1", "HEAD"]);
    expect(await paramsDiff(pipeline, a, b, { all: false })).toEqual([
      { file: "params.yaml", key: "train.lr", old: 0.1, new: 0.2, change: 0.1 },
      { file: "params.yaml", key: "train.opt.name", old: "sgd", new: "adam" },
      { file: "params.yaml", key: "train.opt.beta", new: 0.9 },
    ]);
    expect(await paramsDiff(pipeline, a, b, { all: true })).toContainEqual({ file: "conf.json", key: "depth", old: 2, new: 2, change: 0 });
    expect(await metricsDiff(pipeline, await gitSource(made.root, "v1"), await gitSource(made.root, "v2"), { all: false })).toEqual([
      { file: "m.yaml", key: "acc", new: 0.5 },
      { file: "m.yaml", key: "per_class.a", new: 0.4 },
      { file: "m.yaml", key: "per_class.b", new: 0.6 },
    ]);
    expect(await metricsDiff(pipeline, await gitSource(made.root, "v2"), await gitSource(made.root, "HEAD"), { all: false })).toEqual([
      { file: "m.yaml", key: "acc", old: 0.5, new: 0.75, change: 0.25 },
      { file: "m.yaml", key: "per_class.b", old: 0.6, new: 0.9, change: 0.3 },
    ]);
    expect(await showMetrics(pipeline, await gitSource(made.root, "v1"))).toEqual([{ file: "m.yaml", values: undefined }]);
    expect(await showMetrics(pipeline, workspaceSource(made.root))).toEqual([{ file: "m.yaml", values: { acc: 0.75, "per_class.a": 0.4, "per_class.b": 0.9 } }]);
  });

  it("names an unknown revision, a folder outside git, and a file that does not parse at a revision", async () => {
    const made = history();
    await expect(gitSource(made.root, "v9")).rejects.toThrow(new PipelineError("unknown revision 'v9'"));
    await expect(gitSource(made.root, "-p")).rejects.toThrow(new PipelineError("unknown revision '-p'"));
    const plain = tempProject({});
    projects.push(plain);
    await expect(gitSource(plain.root, "HEAD")).rejects.toThrow(`cannot read revision 'HEAD': ${plain.root} is not in a git repository`);
    made.write({ "m.yaml": "acc: [\n" });
    made.git("commit", "-qam", "broken");
    const pipeline = await loadPipeline(made.root);
    await expect(metricsDiff(pipeline, await gitSource(made.root, "v2"), await gitSource(made.root, "HEAD"), { all: false })).rejects.toThrow(
      /^m\.yaml: at revision 'HEAD': malformed metrics file: /,
    );
  });
});
