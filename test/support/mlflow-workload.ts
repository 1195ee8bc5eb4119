import { randomUUID } from "node:crypto";
import { jsonInit, type TrafficLog } from "./traffic-log.js";

/**
 * The MLflow client's tracking and registry traffic, as mlflow.start_run / log_param / log_metric / log_batch /
 * set_tag / log_artifact / end_run and register_model / set_registered_model_alias send it, through one URL (the load
 * balancer). Every write the server acknowledged (HTTP 200) is journaled; `verifyJournal` reads each one back and
 * reports every acknowledged write it cannot find. A write that failed is not journaled (it may or may not be stored:
 * the client was told it failed).
 */
export interface AckedRun {
  experimentName: string;
  experimentId: string;
  runId: string;
  params: Map<string, string>;
  tags: Map<string, string>;
  /** key -> "step:value:timestamp" of every acknowledged metric. */
  metrics: Map<string, Set<string>>;
  artifacts: Map<string, string>;
  finished: boolean;
}

/** An acknowledged registry write and the webhook event it must produce (request_id ties them together). */
export interface AckedRegistryWrite {
  requestId: string;
  eventType: "registered_model.created" | "model_version.created" | "alias.set";
  name: string;
  version?: string;
  alias?: string;
}

export class Journal {
  readonly runs: AckedRun[] = [];
  readonly registry: AckedRegistryWrite[] = [];
  /** Acknowledged writes of every kind, counted (what "no acknowledged write lost" covers). */
  writes = 0;
}

const API = "/api/2.0/mlflow";
const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

export interface WorkloadOptions {
  url: string;
  traffic: TrafficLog;
  journal: Journal;
  stopped: () => boolean;
}

const post = (options: WorkloadOptions, route: string, body: unknown, requestId?: string) =>
  options.traffic.call(`POST ${route}`, `${options.url}${API}/${route}`, jsonInit("POST", body, requestId));

/** One MLflow client training runs, one after the other, until stopped. */
export const trackingWorker = async (worker: number, options: WorkloadOptions): Promise<void> => {
  const { journal } = options;
  for (let i = 0; !options.stopped(); i += 1) {
    const experimentName = `replicas-w${worker}-e${i}`;
    const experiment = await post(options, "experiments/create", { name: experimentName });
    if (!experiment.ok) continue;
    journal.writes += 1;
    const experimentId = String(experiment.body.experiment_id);
    const created = await post(options, "runs/create", { experiment_id: experimentId, start_time: Date.now(), tags: [{ key: "mlflow.user", value: `w${worker}` }] });
    if (!created.ok) continue;
    journal.writes += 1;
    const info = created.body.run.info as { run_id: string; artifact_uri: string };
    const run: AckedRun = {
      experimentName,
      experimentId,
      runId: info.run_id,
      params: new Map(),
      tags: new Map([["mlflow.user", `w${worker}`]]),
      metrics: new Map(),
      artifacts: new Map(),
      finished: false,
    };
    journal.runs.push(run);
    const metric = (key: string, value: number, step: number, timestamp: number): void => {
      const set = run.metrics.get(key) ?? new Set<string>();
      set.add(`${step}:${value}:${timestamp}`);
      run.metrics.set(key, set);
    };
    if ((await post(options, "runs/log-parameter", { run_id: run.runId, key: "lr", value: `0.${worker}${i}` })).ok) {
      journal.writes += 1;
      run.params.set("lr", `0.${worker}${i}`);
    }
    for (let step = 0; step < 3; step += 1) {
      const value = worker + i / 10 + step / 100;
      const timestamp = Date.now();
      if ((await post(options, "runs/log-metric", { run_id: run.runId, key: "loss", value, timestamp, step })).ok) {
        journal.writes += 1;
        metric("loss", value, step, timestamp);
      }
    }
    const timestamp = Date.now();
    const batch = {
      run_id: run.runId,
      metrics: Array.from({ length: 5 }, (_, step) => ({ key: "acc", value: step / 5 + worker, timestamp, step })),
      params: [{ key: "batch", value: String(32 * (i + 1)) }],
      tags: [{ key: "phase", value: "train" }],
    };
    if ((await post(options, "runs/log-batch", batch)).ok) {
      journal.writes += 1;
      for (const m of batch.metrics) metric(m.key, m.value, m.step, m.timestamp);
      run.params.set("batch", String(32 * (i + 1)));
      run.tags.set("phase", "train");
    }
    if ((await post(options, "runs/set-tag", { run_id: run.runId, key: "note", value: `run ${i} of worker ${worker}` })).ok) {
      journal.writes += 1;
      run.tags.set("note", `run ${i} of worker ${worker}`);
    }
    // mlflow.log_artifact: a PUT below the run's mlflow-artifacts:/ URI, through the proxy.
    const artifactPath = info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
    const content = `notes of ${run.runId} ${randomUUID()}\n`.repeat(20);
    const put = await options.traffic.call("PUT artifact", `${options.url}${ARTIFACTS}/${artifactPath}/notes/notes.txt`, { method: "PUT", body: content });
    if (put.ok) {
      journal.writes += 1;
      run.artifacts.set(`${artifactPath}/notes/notes.txt`, content);
    }
    if ((await post(options, "runs/update", { run_id: run.runId, status: "FINISHED", end_time: Date.now() })).ok) {
      journal.writes += 1;
      run.finished = true;
    }
  }
};

/**
 * register_model and set_registered_model_alias, one model after the other, each version from a run of the
 * tracking workload (`source` below the run's artifacts). Each write carries its own request id.
 */
export const registryWorker = async (options: WorkloadOptions & { source: { runId: string; artifactUri: string } }): Promise<void> => {
  const { journal } = options;
  for (let i = 0; !options.stopped(); i += 1) {
    const name = `replicas-model-${i}`;
    const createdId = `reg-${randomUUID()}`;
    if (!(await post(options, "registered-models/create", { name }, createdId)).ok) continue;
    journal.writes += 1;
    journal.registry.push({ requestId: createdId, eventType: "registered_model.created", name });
    const versionId = `ver-${randomUUID()}`;
    const version = await post(options, "model-versions/create", { name, source: `${options.source.artifactUri}/model`, run_id: options.source.runId }, versionId);
    if (!version.ok) continue;
    journal.writes += 1;
    const number = String(version.body.model_version.version);
    journal.registry.push({ requestId: versionId, eventType: "model_version.created", name, version: number });
    const aliasId = `alias-${randomUUID()}`;
    if ((await post(options, "registered-models/alias", { name, alias: "prod", version: number }, aliasId)).ok) {
      journal.writes += 1;
      journal.registry.push({ requestId: aliasId, eventType: "alias.set", name, version: number, alias: "prod" });
    }
  }
};

/** Every acknowledged write read back through `url`; each one missing or different is one line of the answer. */
export const verifyJournal = async (url: string, journal: Journal, traffic: TrafficLog): Promise<string[]> => {
  const missing: string[] = [];
  const get = (route: string, query: Record<string, string>) => traffic.call(`GET ${route}`, `${url}${API}/${route}?${new URLSearchParams(query)}`);
  for (const run of journal.runs) {
    const experiment = await get("experiments/get-by-name", { experiment_name: run.experimentName });
    if (experiment.body?.experiment?.experiment_id !== run.experimentId) missing.push(`experiment ${run.experimentName}`);
    const got = await get("runs/get", { run_id: run.runId });
    if (!got.ok) {
      missing.push(`run ${run.runId}: ${got.status}`);
      continue;
    }
    const data = got.body.run.data as { params?: Array<{ key: string; value: string }>; tags?: Array<{ key: string; value: string }> };
    const params = new Map((data.params ?? []).map((p) => [p.key, p.value]));
    const tags = new Map((data.tags ?? []).map((t) => [t.key, t.value]));
    for (const [key, value] of run.params) if (params.get(key) !== value) missing.push(`run ${run.runId} param ${key}=${value}`);
    for (const [key, value] of run.tags) if (tags.get(key) !== value) missing.push(`run ${run.runId} tag ${key}=${value}`);
    if (run.finished && got.body.run.info.status !== "FINISHED") missing.push(`run ${run.runId} status FINISHED`);
    for (const [key, points] of run.metrics) {
      const history = await get("metrics/get-history", { run_id: run.runId, metric_key: key });
      const stored = new Set(((history.body?.metrics ?? []) as Array<{ step: number; value: number; timestamp: number }>).map((m) => `${m.step}:${m.value}:${m.timestamp}`));
      for (const point of points) if (!stored.has(point)) missing.push(`run ${run.runId} metric ${key} ${point}`);
    }
    for (const [artifact, content] of run.artifacts) {
      const file = await traffic.call("GET artifact", `${url}${ARTIFACTS}/${artifact}`);
      if (file.body !== content) missing.push(`artifact ${artifact}`);
    }
  }
  for (const write of journal.registry) {
    if (write.eventType === "registered_model.created") {
      if (!(await get("registered-models/get", { name: write.name })).ok) missing.push(`registered model ${write.name}`);
    } else if (write.eventType === "model_version.created") {
      if (!(await get("model-versions/get", { name: write.name, version: write.version ?? "" })).ok) missing.push(`version ${write.name}/${write.version}`);
    } else if (write.name.startsWith("replicas-model-")) {
      const alias = await get("registered-models/alias", { name: write.name, alias: write.alias ?? "" });
      if (alias.body?.model_version?.version !== write.version) missing.push(`alias ${write.name}@${write.alias} -> ${write.version}`);
    }
  }
  return missing;
};
