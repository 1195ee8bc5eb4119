/** A pipeline as the tracker records it (cairn-pipeline.json) and its parent run, for the pipeline pages' tests. */
export const HASH = {
  raw: "1".repeat(64),
  prepared: `${"2".repeat(64)}.dir`,
  model: `${"3".repeat(64)}.dir`,
};
export const RUN = { parent: "a".repeat(32), prepare: "b".repeat(32), train: "c".repeat(32), evaluate: "d".repeat(32) };

export const SUMMARY_JSON = {
  version: 1,
  pipeline_file: "dvc.yaml",
  git_commit: "0123456789abcdef0123456789abcdef01234567",
  stages: [
    { name: "prepare", cmd: "node prepare.mjs", state: "ran", run_id: RUN.prepare, deps: [{ path: "data/raw.csv", hash: HASH.raw, size: 17 }], outs: [{ path: "data/prepared", hash: HASH.prepared, size: 10, nfiles: 2 }] },
    { name: "train", cmd: "node train.mjs", state: "cached", run_id: RUN.train, deps: [{ path: "data/prepared", hash: HASH.prepared, size: 10, nfiles: 2 }], outs: [{ path: "model", hash: HASH.model, size: 2, nfiles: 1 }] },
    { name: "evaluate", cmd: "node evaluate.mjs", state: "failed", run_id: RUN.evaluate, deps: [{ path: "model", hash: HASH.model, size: 2, nfiles: 1 }], outs: [] },
    { name: "report", cmd: "node report.mjs", state: "skipped", run_id: null, deps: [], outs: [] },
  ],
  edges: [
    { from: "prepare", to: "train", paths: ["data/prepared"] },
    { from: "train", to: "evaluate", paths: ["model"] },
    { from: "evaluate", to: "report", paths: ["metrics.json"] },
  ],
};

export const parentRun = (status = "FAILED") => ({
  info: {
    run_id: RUN.parent,
    run_uuid: RUN.parent,
    run_name: "repro",
    experiment_id: "1",
    user_id: "ada",
    status,
    start_time: 1_700_000_000_000,
    artifact_uri: `mlflow-artifacts:/1/${RUN.parent}/artifacts`,
    lifecycle_stage: "active",
  },
  data: { metrics: [], params: [], tags: [{ key: "cairn.pipeline", value: "true" }, { key: "cairn.pipeline.file", value: "dvc.yaml" }] },
  inputs: { dataset_inputs: [] },
});
