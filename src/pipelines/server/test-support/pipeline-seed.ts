import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { manifestHash, serializeManifest, type DirEntry } from "../../data/dir-manifest.js";
import {
  DATA_CONTEXT_INPUT,
  DATA_CONTEXT_OUTPUT,
  DATA_VERSION_SOURCE_TYPE,
  PIPELINE_SUMMARY_ARTIFACT,
  PIPELINE_TAGS,
  dataVersionUri,
} from "../../tracking/repro-tracker.js";
import { dataObjectKey } from "../data-object-key.js";

/**
 * Seeds a real server with what `cairn repro` + the tracker write over MLflow's REST API: an experiment, a
 * pipeline parent run (tags, cairn-pipeline.json artifact), three stage runs (prepare ran, train cached, evaluate
 * failed) with data versions as dataset inputs, a model version registered from the train run, and the prepared
 * directory's manifest among the server's data objects (as `cairn push` leaves it). Used by the route tests and
 * the browser test, so both check the same, exact world.
 */
const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

export const RAW_BYTES = "id,churn\n1,0\n2,1\n";
export const RAW_HASH = sha(RAW_BYTES);
export const PREPARED_FILES: DirEntry[] = [
  { relpath: "test.csv", sha256: sha("id\n2\n"), size: 5 },
  { relpath: "train.csv", sha256: sha("id\n1\n"), size: 5 },
];
export const PREPARED_MANIFEST = serializeManifest(PREPARED_FILES);
export const PREPARED_HASH = manifestHash(PREPARED_MANIFEST);
export const MODEL_MANIFEST = serializeManifest([{ relpath: "model.json", sha256: sha("{}"), size: 2 }]);
export const MODEL_HASH = manifestHash(MODEL_MANIFEST);
export const METRICS_HASH = sha('{"auc": 0.9}');

export interface SeededPipeline {
  experimentId: string;
  parentRunId: string;
  prepareRunId: string;
  trainRunId: string;
  evaluateRunId: string;
  modelName: string;
  version: string;
}

type Call = (method: "GET" | "POST", path: string, body?: unknown) => Promise<Record<string, any>>;

const caller =
  (url: string): Call =>
  async (method, apiPath, body) => {
    const response = await fetch(`${url}/api/2.0/${apiPath}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${method} ${apiPath}: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, any>;
  };

/** POST to MLflow's REST API of a test server; anything but a 200 throws, naming the route and the answer. */
export const mlflowPost = (url: string, apiPath: string, body: unknown): Promise<Record<string, any>> => caller(url)("POST", `mlflow/${apiPath}`, body);

export const dataInput = (name: string, hash: string, context: string, sizes?: { size: number; nfiles?: number }) => ({
  tags: [{ key: "mlflow.data.context", value: context }],
  dataset: {
    name,
    digest: hash.slice(0, 32),
    source_type: DATA_VERSION_SOURCE_TYPE,
    source: JSON.stringify({ uri: dataVersionUri(hash) }),
    ...(sizes === undefined ? {} : { profile: JSON.stringify(sizes) }),
  },
});

export const pipelineSummary = (ids: Pick<SeededPipeline, "prepareRunId" | "trainRunId" | "evaluateRunId">) => ({
  version: 1,
  pipeline_file: "dvc.yaml",
  git_commit: "0123456789abcdef0123456789abcdef01234567",
  stages: [
    {
      name: "prepare",
      cmd: "node prepare.mjs",
      state: "ran",
      run_id: ids.prepareRunId,
      deps: [{ path: "data/raw.csv", hash: RAW_HASH, size: RAW_BYTES.length }],
      outs: [{ path: "data/prepared", hash: PREPARED_HASH, size: 10, nfiles: 2 }],
    },
    {
      name: "train",
      cmd: "node train.mjs",
      state: "cached",
      run_id: ids.trainRunId,
      deps: [{ path: "data/prepared", hash: PREPARED_HASH, size: 10, nfiles: 2 }],
      outs: [{ path: "model", hash: MODEL_HASH, size: 2, nfiles: 1 }],
    },
    {
      name: "evaluate",
      cmd: "node evaluate.mjs",
      state: "failed",
      run_id: ids.evaluateRunId,
      deps: [{ path: "model", hash: MODEL_HASH, size: 2, nfiles: 1 }],
      outs: [],
    },
    { name: "report", cmd: "node report.mjs", state: "skipped", run_id: null, deps: [], outs: [] },
  ],
  edges: [
    { from: "prepare", to: "train", paths: ["data/prepared"] },
    { from: "train", to: "evaluate", paths: ["model"] },
    { from: "evaluate", to: "report", paths: ["metrics.json"] },
  ],
});

export const seedPipeline = async (server: { url: string; dir: string }, startTime = 1_700_000_000_000): Promise<SeededPipeline> => {
  const call = caller(server.url);
  const { experiment_id: experimentId } = (await call("POST", "mlflow/experiments/create", { name: "churn-pipeline" })) as { experiment_id: string };
  const createRun = async (name: string, offset: number, tags: Array<{ key: string; value: string }>): Promise<string> =>
    ((await call("POST", "mlflow/runs/create", { experiment_id: experimentId, run_name: name, start_time: startTime + offset, tags })).run.info
      .run_id as string);
  const parentRunId = await createRun("repro", 0, [
    { key: PIPELINE_TAGS.pipelineParent, value: "true" },
    { key: PIPELINE_TAGS.pipelineFile, value: "dvc.yaml" },
  ]);
  const stage = (name: string, state: string) => [
    { key: "mlflow.parentRunId", value: parentRunId },
    { key: PIPELINE_TAGS.stage, value: name },
    { key: PIPELINE_TAGS.stageState, value: state },
    { key: PIPELINE_TAGS.stageCmd, value: `node ${name}.mjs` },
  ];
  const prepareRunId = await createRun("prepare", 1000, stage("prepare", "ran"));
  const trainRunId = await createRun("train", 2000, stage("train", "cached"));
  const evaluateRunId = await createRun("evaluate", 3000, stage("evaluate", "failed"));
  await call("POST", "mlflow/runs/log-inputs", {
    run_id: prepareRunId,
    datasets: [dataInput("data/raw.csv", RAW_HASH, DATA_CONTEXT_INPUT, { size: RAW_BYTES.length }), dataInput("data/prepared", PREPARED_HASH, DATA_CONTEXT_OUTPUT, { size: 10, nfiles: 2 })],
  });
  await call("POST", "mlflow/runs/log-inputs", {
    run_id: trainRunId,
    datasets: [dataInput("data/prepared", PREPARED_HASH, DATA_CONTEXT_INPUT, { size: 10, nfiles: 2 }), dataInput("model", MODEL_HASH, DATA_CONTEXT_OUTPUT, { size: 2, nfiles: 1 })],
  });
  await call("POST", "mlflow/runs/log-inputs", { run_id: evaluateRunId, datasets: [dataInput("model", MODEL_HASH, DATA_CONTEXT_INPUT, { size: 2, nfiles: 1 })] });
  for (const [runId, status] of [[prepareRunId, "FINISHED"], [trainRunId, "FINISHED"], [evaluateRunId, "FAILED"], [parentRunId, "FAILED"]] as const) {
    await call("POST", "mlflow/runs/update", { run_id: runId, status, end_time: startTime + 5000 });
  }
  const summary = JSON.stringify(pipelineSummary({ prepareRunId, trainRunId, evaluateRunId }));
  const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${parentRunId}/artifacts/${PIPELINE_SUMMARY_ARTIFACT}`, {
    method: "PUT",
    body: summary,
  });
  if (put.status !== 200) throw new Error(`artifact upload: ${put.status} ${await put.text()}`);
  const modelName = "churn";
  await call("POST", "mlflow/registered-models/create", { name: modelName });
  const created = await call("POST", "mlflow/model-versions/create", { name: modelName, source: `runs:/${trainRunId}/model`, run_id: trainRunId });
  // As `cairn push` leaves it: the prepared directory's manifest among the server's data objects.
  const manifestPath = path.join(server.dir, "artifacts", ...dataObjectKey(PREPARED_HASH).split("/"));
  await mkdir(path.dirname(manifestPath), { recursive: true });
  await writeFile(manifestPath, PREPARED_MANIFEST);
  return { experimentId, parentRunId, prepareRunId, trainRunId, evaluateRunId, modelName, version: created.model_version.version as string };
};
