import { readFile } from "node:fs/promises";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { logisticRegressionModel, writeMlflowModelDir } from "../../src/serving/test-support/onnx-models.js";
import { TestReceiver } from "../../src/webhooks/test-support/receiver.js";
import { Journal, registryWorker, trackingWorker } from "./mlflow-workload.js";
import { openSharedStores, type ReplicaBackend, type SharedStores } from "./replica-backend.js";
import { startReplicaSet, type ReplicaSet } from "./replica-set.js";
import { jsonInit, TrafficLog, type Exchange, type KillWindow } from "./traffic-log.js";

/**
 * The scenario of test/replicas-end-to-end.test.ts: three `cairn server` processes on one database and one artifact
 * folder behind nginx, driven through the balancer all at once by the MLflow client's tracking and registry traffic,
 * prediction loops on a deployment that follows @champion while the alias moves v1 -> v2 -> v1 ... (each move watched
 * on every live replica directly), a webhook on the registry's events to a receiver on loopback, and a monitor on
 * its shortest schedule; one replica SIGKILLed midway. It records; the test judges.
 */
export const REPLICAS = 3;
export const KILLED = 1;
/** The load: tracking clients, prediction loops, and how long it runs; the kill comes at KILL_AT_MS. */
export const TRACKING_WORKERS = 3;
export const PREDICTION_LOOPS = 4;
export const LOAD_MS = 24_000;
export const KILL_AT_MS = 11_000;
export const ALIAS_PERIOD_MS = 2_500;
export const SWITCH_WITHIN_MS = 1_000;
/** How long a move is watched on each replica (past the promise, so a late switch is measured, not just missed). */
export const SWITCH_WATCH_MS = 2_000;
export const MONITOR_SCHEDULE_S = 10;
/** The webhook dispatcher's lease: the HTTP timeout (10 s) + 30 s; a dead replica's claims are retaken after it. */
export const WEBHOOK_LEASE_MS = 40_000;

const MLFLOW = "/api/2.0/mlflow";
export const CAIRN = "/api/2.0/cairn";
const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";
const MODEL = "churn";
export const DEPLOYMENT = "churn-prod";
const FEATURES = ["x_0", "x_1", "x_2", "x_3"];
const ROWS = [
  [0.5, -1.25, 2, 0.75],
  [-0.3, 0.1, -2.5, 1.5],
  [3, 0, -0.5, 0.25],
];
const SEEDS = { v1: 1, v2: 7 };

export interface Prediction extends Exchange {
  version?: string;
  probs?: number[];
  /** Set when a direct query of one replica, not a request through the balancer. */
  replica?: number;
  /** The x-request-id sent (the prediction log keeps it). */
  requestId?: string;
}

/** One alias move and, per replica alive through its watch, how long until it answered the new version (undefined: not seen). */
export interface Move {
  version: string;
  acked: number;
  switchedAfterMs: Map<number, number | undefined>;
}

export interface Scenario {
  stores: SharedStores;
  set: ReplicaSet;
  receiver: TestReceiver;
  traffic: TrafficLog;
  predictions: Prediction[];
  journal: Journal;
  kill: KillWindow;
  moves: Move[];
  versions: Record<"v1" | "v2", string>;
  /** Alias moves the setup made (v1 -> v2 -> v1, so every replica holds both versions), before the measured ones. */
  setupMoves: number;
  expected: Record<string, number[]>;
  monitorCreated: number;
  loadEnded: number;
  webhookId: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const must = async <T = any>(traffic: TrafficLog, what: string, url: string, init?: RequestInit): Promise<T> => {
  const answer = await traffic.call<T>(what, url, init);
  if (!answer.ok) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

/** What onnxruntime itself answers for ROWS with each seed's model: what every replica must repeat exactly. */
const direct = async (bytes: Uint8Array): Promise<number[]> => {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ x: new ort.Tensor("float32", Float32Array.from(ROWS.flat()), [ROWS.length, 4]) });
  await session.release();
  return Array.from(result.prob?.data as Float32Array);
};

/** One MLflow scoring request to `base` (the balancer or one replica): the version header and the probabilities. */
const score = async (traffic: TrafficLog, base: string, requestId?: string): Promise<{ exchange: Exchange; version?: string; probs?: number[] }> => {
  const answer = await traffic.call<{ predictions?: { prob: number[][] } }>(`invocations ${base}`, `${base}/deployments/${DEPLOYMENT}/invocations`, jsonInit("POST", { inputs: { x: ROWS } }, requestId));
  const exchange = traffic.exchanges.at(-1) as Exchange;
  if (!answer.ok) return { exchange };
  return { exchange, version: answer.headers?.get("x-cairn-model-version") ?? undefined, probs: answer.body.predictions?.prob.map((row) => row[0] as number) };
};

/** mlflow.onnx.log_model into a run (MLflow 2's layout: runs/<run>/artifacts/model), then register_model: the version. */
const registerOnnx = async (traffic: TrafficLog, url: string, dir: string, experimentId: string, seed: number, journal: Journal): Promise<string> => {
  const run = (await must(traffic, "runs/create", `${url}${MLFLOW}/runs/create`, jsonInit("POST", { experiment_id: experimentId, start_time: Date.now() }))).run.info as {
    run_id: string;
    artifact_uri: string;
  };
  const bytes = logisticRegressionModel(seed);
  const modelDir = await writeMlflowModelDir(path.join(dir, `model-${seed}`), bytes, { runId: run.run_id });
  const root = run.artifact_uri.replace(/^mlflow-artifacts:\//, "");
  for (const [file, content] of [
    ["MLmodel", await readFile(path.join(modelDir, "MLmodel"))],
    ["model.onnx", bytes],
  ] as const) {
    await must(traffic, `PUT ${file}`, `${url}${ARTIFACTS}/${root}/model/${file}`, { method: "PUT", body: content });
  }
  const requestId = `setup-version-${seed}`;
  const created = await must(
    traffic,
    "model-versions/create",
    `${url}${MLFLOW}/model-versions/create`,
    jsonInit("POST", { name: MODEL, source: `${run.artifact_uri}/model`, run_id: run.run_id }, requestId),
  );
  const version = String(created.model_version.version);
  journal.registry.push({ requestId, eventType: "model_version.created", name: MODEL, version });
  return version;
};

/** Polls one replica directly until it answers with `version`; ms after `since`, or undefined past the watch. */
const switchTime = async (traffic: TrafficLog, base: string, version: string, since: number, predictions: Prediction[], replica: number): Promise<number | undefined> => {
  while (Date.now() - since < SWITCH_WATCH_MS) {
    const answer = await score(traffic, base);
    predictions.push({ ...answer.exchange, replica, ...(answer.version !== undefined ? { version: answer.version } : {}), ...(answer.probs ? { probs: answer.probs } : {}) });
    if (answer.version === version) return Date.now() - since;
    await sleep(25);
  }
  return undefined;
};

/**
 * Sets the scene (replicas, webhook, model versions, deployment, monitor), runs the load with the kill midway, and
 * answers what it recorded. Whatever it started is put on `cleanup` (the replicas first) as it starts, so a failure midway leaves nothing running.
 */
export const runScenario = async (backend: ReplicaBackend, cleanup: Array<() => Promise<unknown>>): Promise<Scenario> => {
  const traffic = new TrafficLog();
  const journal = new Journal();
  const predictions: Prediction[] = [];
  const stores = await openSharedStores(backend);
  cleanup.push(() => stores.close());
  const receiver = new TestReceiver();
  await receiver.listen();
  cleanup.push(() => receiver.close());
  const set = await startReplicaSet({
    count: REPLICAS,
    backendStoreUri: stores.backendStoreUri,
    artifactsDestination: stores.artifactsDestination,
    serverArgs: ["--webhook-allowed-targets", "127.0.0.0/8"],
  });
  cleanup.unshift(() => set.stop());
  const url = set.url;

  // A webhook on the registry's events (Cairn's format: the envelope names the event id and the request id).
  const hook = await must(
    traffic,
    "webhooks/create",
    `${url}${CAIRN}/webhooks/create`,
    jsonInit("POST", { name: "registry", url: receiver.url, events: ["registered_model.created", "model_version.created", "alias.set"] }),
  );
  const webhookId = String(hook.webhook.id);

  // Two versions of a real ONNX model, @champion on v1, a deployment following it.
  const experimentId = String((await must(traffic, "experiments/create", `${url}${MLFLOW}/experiments/create`, jsonInit("POST", { name: "churn-training" }))).experiment_id);
  const created = "setup-registered-model";
  await must(traffic, "registered-models/create", `${url}${MLFLOW}/registered-models/create`, jsonInit("POST", { name: MODEL }, created));
  journal.registry.push({ requestId: created, eventType: "registered_model.created", name: MODEL });
  const versions = {
    v1: await registerOnnx(traffic, url, stores.dir, experimentId, SEEDS.v1, journal),
    v2: await registerOnnx(traffic, url, stores.dir, experimentId, SEEDS.v2, journal),
  };
  const expected = { [versions.v1]: await direct(logisticRegressionModel(SEEDS.v1)), [versions.v2]: await direct(logisticRegressionModel(SEEDS.v2)) };
  const setAlias = async (version: string, requestId: string): Promise<boolean> => {
    const answer = await traffic.call("POST registered-models/alias", `${url}${MLFLOW}/registered-models/alias`, jsonInit("POST", { name: MODEL, alias: "champion", version }, requestId));
    if (answer.ok) {
      journal.registry.push({ requestId, eventType: "alias.set", name: MODEL, version, alias: "champion" });
      journal.writes += 1;
    }
    return answer.ok;
  };
  if (!(await setAlias(versions.v1, "setup-alias"))) throw new Error("setting @champion failed");
  await must(traffic, "deployments/create", `${url}${CAIRN}/deployments/create`, jsonInit("POST", { name: DEPLOYMENT, model_uri: `models:/${MODEL}@champion` }));
  // Every replica loads the deployment (the others at their next sync).
  const everyReplicaServes = async (version: string): Promise<void> => {
    for (const replica of set.replicas) {
      const deadline = Date.now() + 15_000;
      while ((await score(traffic, replica.url)).version !== version) {
        if (Date.now() > deadline) throw new Error(`replica ${replica.index} never served ${DEPLOYMENT} v${version}: ${replica.output()}`);
        await sleep(100);
      }
    }
  };
  await everyReplicaServes(versions.v1);
  // The 1 s switch is a promise about versions a replica holds loaded: the primary and its warm standby (the primary
  // it replaced last). The first move to a version a replica never loaded costs one model load there (1.8-2.4 s on
  // this busy machine), which no NOTIFY can hide. So, as an operator rolls a new version out before relying on
  // instant rollback, the setup moves @champion v1 -> v2 -> v1 and waits for every replica to serve each: every
  // replica then holds v1 (primary) and v2 (standby), and every measured move below is a switch between loaded versions.
  for (const [version, requestId] of [
    [versions.v2, "setup-alias-v2"],
    [versions.v1, "setup-alias-back"],
  ] as const) {
    if (!(await setAlias(version, requestId))) throw new Error(`moving @champion to v${version} failed`);
    await everyReplicaServes(version);
  }
  // A monitor of the deployment's traffic on the shortest schedule, with a data test that runs on any window.
  const suite = `suite: live\nexpectations:\n  - expectation: expect_column_values_to_be_between\n    column: x_0\n    min_value: -10\n    max_value: 10\n`;
  await must(
    traffic,
    "monitors/create",
    `${url}${CAIRN}/monitors/create`,
    jsonInit("POST", { name: "churn-watch", deployment: DEPLOYMENT, window: { last_rows: 1000 }, schedule_seconds: MONITOR_SCHEDULE_S, features: FEATURES, min_rows: 1, checks: { data_tests: { suite } } }),
  );
  const monitorCreated = Date.now();

  // Everything that checks afterwards what the set did must not count the setup's own requests as load failures.
  traffic.exchanges.length = 0;
  const started = Date.now();
  let stopped = false;
  const options = { url, traffic, journal, stopped: () => stopped };
  const trackers = Array.from({ length: TRACKING_WORKERS }, (_, worker) => trackingWorker(worker, options));
  const registrar = (async () => {
    // The registry client registers versions of a run the tracking clients made.
    while (journal.runs.length === 0 && !stopped) await sleep(50);
    const run = journal.runs[0];
    if (run === undefined) return;
    await registryWorker({ ...options, source: { runId: run.runId, artifactUri: `mlflow-artifacts:/${run.experimentId}/${run.runId}/artifacts` } });
  })();
  const predictors = Array.from({ length: PREDICTION_LOOPS }, async (_, loop) => {
    for (let i = 0; !stopped; i += 1) {
      const requestId = `p${loop}-${i}`;
      const answer = await score(traffic, url, requestId);
      predictions.push({ ...answer.exchange, requestId, ...(answer.version !== undefined ? { version: answer.version } : {}), ...(answer.probs ? { probs: answer.probs } : {}) });
    }
  });
  const moves: Move[] = [];
  const alive = new Set(set.replicas.map((replica) => replica.index));
  const mover = (async () => {
    for (let n = 0; Date.now() - started < LOAD_MS - SWITCH_WATCH_MS; n += 1) {
      const version = n % 2 === 0 ? versions.v2 : versions.v1;
      const periodStart = Date.now();
      if (!(await setAlias(version, `move-${n}`))) continue;
      const acked = Date.now();
      const watched = set.replicas.filter((replica) => alive.has(replica.index));
      const times = await Promise.all(watched.map((replica) => switchTime(traffic, replica.url, version, acked, predictions, replica.index)));
      // A replica killed while it was watched has no figure: it is not a live replica of this move.
      const switchedAfterMs = new Map<number, number | undefined>();
      watched.forEach((replica, i) => alive.has(replica.index) && switchedAfterMs.set(replica.index, times[i]));
      moves.push({ version, acked, switchedAfterMs });
      await sleep(Math.max(0, ALIAS_PERIOD_MS - (Date.now() - periodStart)));
    }
  })();
  await sleep(KILL_AT_MS);
  alive.delete(KILLED);
  const kill = { from: Date.now(), to: 0 };
  await set.kill(KILLED);
  kill.to = Date.now();
  await sleep(Math.max(0, LOAD_MS - (Date.now() - started)));
  stopped = true;
  await Promise.all([...trackers, registrar, ...predictors, mover]);
  const loadEnded = Date.now();
  return { stores, set, receiver, traffic, predictions, journal, kill, moves, versions, setupMoves: 2, expected, monitorCreated, loadEnded, webhookId };
};

