import { readFile } from "node:fs/promises";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/test-support/run-cli.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../src/serving/test-support/onnx-models.js";
import { TestReceiver } from "../src/webhooks/test-support/receiver.js";
import { Journal, registryWorker, trackingWorker, verifyJournal, type AckedRegistryWrite } from "./support/mlflow-workload.js";
import { openSharedStores, type ReplicaBackend, type SharedStores } from "./support/replica-backend.js";
import { startReplicaSet, type ReplicaSet } from "./support/replica-set.js";
import { inFlightDuring, jsonInit, TrafficLog, type Exchange, type KillWindow } from "./support/traffic-log.js";

/**
 * Issue 14, part 3: three `cairn server` processes on one database and one artifact folder behind nginx behave as one
 * server. One scenario (beforeAll) drives through the load balancer, all at once: the MLflow client's tracking and
 * registry traffic, prediction load on a deployment that follows an alias while the alias moves v1 -> v2 -> v1 ..., a
 * webhook on the registry's events to a receiver on loopback, and a monitor on a 10 s schedule. Midway one replica
 * is SIGKILLed. Each `it` then proves one promise from what the scenario recorded.
 *
 * BACKEND is the one switch: "postgresql" runs the replicas on a fresh database of the test run's PostgreSQL cluster.
 */
const BACKEND: ReplicaBackend = "sqlite";

/**
 * Promises that wait for a part of the issue not on this branch yet: `it.fails` until it lands (the lead re-enables
 * each after merging: delete its entry). Empty when everything is built.
 */
const WAITING_FOR: Partial<Record<"switchWithinOneSecond" | "monitorWindowOnce" | "webhooksExactlyOnce" | "followEachMoveOnce", string>> = {
  // Replicas on SQLite only have the periodic deployment sync (every 5 s); within 1 s needs LISTEN/NOTIFY on
  // cairn_deployments from the PostgreSQL deployment store (helper "operations"), so this stays pending on SQLite.
  switchWithinOneSecond: "NOTIFY cairn_deployments (PostgreSQL deployment store)",
  // Each replica's scheduler runs a due monitor on its own: two or three runs per window until the window is claimed
  // in the database (helper "operations": monitor claims on both backends).
  monitorWindowOnce: "monitor window claims in the database",
  // Each replica follows a move it hears of (the request's replica) or finds in its sync (all of them), and writes the
  // switch from the deployment it read before loading the version: two replicas record the same move (history
  // "1>2, 1>2", two serving.deployment.switch events), and moves go unrecorded (9 acknowledged, 5 recorded). Needs a
  // compare-and-set on the stored deployment when switching (helper "operations": deployments across replicas).
  followEachMoveOnce: "a compare-and-set on the stored deployment when a replica follows an alias",
};

const REPLICAS = 3;
const KILLED = 1;
/** The load: tracking clients, prediction loops, and how long it runs; the kill comes at KILL_AT_MS. */
const TRACKING_WORKERS = 3;
const PREDICTION_LOOPS = 4;
const LOAD_MS = 24_000;
const KILL_AT_MS = 11_000;
const ALIAS_PERIOD_MS = 2_500;
const SWITCH_WITHIN_MS = 1_000;
/** How long a move is watched on each replica (past the promise, so a late switch is measured, not just missed). */
const SWITCH_WATCH_MS = 2_000;
const MONITOR_SCHEDULE_S = 10;
/** The webhook dispatcher's lease: the HTTP timeout (10 s) + 30 s; a dead replica's claims are retaken after it. */
const WEBHOOK_LEASE_MS = 40_000;

const MLFLOW = "/api/2.0/mlflow";
const CAIRN = "/api/2.0/cairn";
const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";
const MODEL = "churn";
const DEPLOYMENT = "churn-prod";
const FEATURES = ["x_0", "x_1", "x_2", "x_3"];
const ROWS = [
  [0.5, -1.25, 2, 0.75],
  [-0.3, 0.1, -2.5, 1.5],
  [3, 0, -0.5, 0.25],
];
const SEEDS = { v1: 1, v2: 7 };

interface Prediction extends Exchange {
  version?: string;
  probs?: number[];
  /** Set when a direct query of one replica, not a request through the balancer. */
  replica?: number;
  /** The x-request-id sent (the prediction log keeps it). */
  requestId?: string;
}

/** One alias move and, per replica alive through its watch, how long until it answered the new version (undefined: not seen). */
interface Move {
  version: string;
  acked: number;
  switchedAfterMs: Map<number, number | undefined>;
}

interface Scenario {
  stores: SharedStores;
  set: ReplicaSet;
  receiver: TestReceiver;
  traffic: TrafficLog;
  predictions: Prediction[];
  journal: Journal;
  kill: KillWindow;
  moves: Move[];
  versions: Record<"v1" | "v2", string>;
  expected: Record<string, number[]>;
  monitorCreated: number;
  loadEnded: number;
  webhookId: string;
}

let scenario: Scenario | undefined;
const cleanup: Array<() => Promise<unknown>> = [];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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

const runScenario = async (): Promise<Scenario> => {
  const traffic = new TrafficLog();
  const journal = new Journal();
  const predictions: Prediction[] = [];
  const stores = await openSharedStores(BACKEND);
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
  for (const replica of set.replicas) {
    const deadline = Date.now() + 15_000;
    while ((await score(traffic, replica.url)).version !== versions.v1) {
      if (Date.now() > deadline) throw new Error(`replica ${replica.index} never served ${DEPLOYMENT}: ${replica.output()}`);
      await sleep(100);
    }
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
  return { stores, set, receiver, traffic, predictions, journal, kill, moves, versions, expected, monitorCreated, loadEnded, webhookId };
};

const ready = (): Scenario => {
  if (scenario === undefined) throw new Error("the scenario did not run");
  return scenario;
};

/** Cairn-format deliveries as the receiver got them: event id, delivery id, event type, request id. */
const received = (receiver: TestReceiver) =>
  receiver.requests.map((request) => {
    const body = JSON.parse(request.body) as { id: string; type: string; request_id: string; payload: Record<string, unknown> };
    return { delivery: String(request.headers["x-cairn-delivery"]), event: body.id, type: body.type, requestId: body.request_id, payload: body.payload, status: request.status };
  });


const promise = (key: keyof typeof WAITING_FOR) => (WAITING_FOR[key] === undefined ? it : it.fails);

beforeAll(async () => {
  scenario = await runScenario();
}, 120_000);

afterAll(async () => {
  for (const step of cleanup) await step().catch(() => undefined);
});

describe(`three replicas behind nginx on one ${BACKEND} database, one killed midway`, () => {
  it("lost no acknowledged write of the MLflow client workload", async () => {
    const { set, journal, traffic } = ready();
    expect(journal.runs.length).toBeGreaterThan(TRACKING_WORKERS * 3);
    expect(journal.writes).toBeGreaterThan(200);
    expect(await verifyJournal(set.url, journal, traffic)).toEqual([]);
  });

  it("failed no request outside the killed replica's in-flight ones, and at most one per concurrent client", () => {
    const { traffic, kill, set } = ready();
    // The switch watch's direct queries of the killed replica fail once it is dead: they never went through nginx.
    const killedDirectly = `invocations ${set.replicas[KILLED]?.url}`;
    const failures = traffic.failures().filter((exchange) => !(exchange.what === killedDirectly && exchange.end >= kill.from));
    expect(failures.filter((exchange) => !inFlightDuring(exchange, kill))).toEqual([]);
    // Each concurrent client (tracking, registry, prediction loops, the alias mover) had at most one request in flight.
    const clients = TRACKING_WORKERS + 1 + PREDICTION_LOOPS + 1;
    expect(failures.length).toBeLessThanOrEqual(clients);
  });

  it("answered every prediction exactly as onnxruntime does for the version that answered", () => {
    const { predictions, expected, versions, kill } = ready();
    const answered = predictions.filter((p) => p.status === 200);
    expect(answered.length).toBeGreaterThan(200);
    expect(new Set(answered.map((p) => p.version))).toEqual(new Set([versions.v1, versions.v2]));
    for (const p of answered) expect(p.probs, `version ${p.version}`).toEqual(expected[p.version ?? ""]);
    const failed = predictions.filter((p) => p.status !== 200 && p.replica === undefined);
    expect(failed.filter((p) => !inFlightDuring(p, kill))).toEqual([]);
    expect(failed.length).toBeLessThanOrEqual(PREDICTION_LOOPS);
  });

  it("logged every prediction the replicas answered once in the shared prediction log, from every replica", async () => {
    const { set, predictions, kill, loadEnded } = ready();
    // The log is written in batches (every 500 ms): what the killed replica answered in its last moments may be lost.
    await sleep(Math.max(0, loadEnded + 1_500 - Date.now()));
    const logged = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await fetch(`${set.url}${CAIRN}/serving/predictions?${new URLSearchParams({ deployment: DEPLOYMENT, max_results: "1000", ...(token ? { page_token: token } : {}) })}`);
      const body = (await page.json()) as { predictions: Array<{ request_id: string }>; next_page_token?: string };
      for (const p of body.predictions) logged.set(p.request_id, (logged.get(p.request_id) ?? 0) + 1);
      token = body.next_page_token;
    } while (token !== undefined);
    const balanced = predictions.filter((p) => p.status === 200 && p.replica === undefined);
    const mustBeLogged = balanced.filter((p) => p.end < kill.from - 1_500 || p.start > kill.to);
    expect(mustBeLogged.length).toBeGreaterThan(100);
    const requestIdOf = (p: Prediction): string => p.requestId ?? "";
    expect(mustBeLogged.filter((p) => logged.get(requestIdOf(p)) !== 1).map(requestIdOf)).toEqual([]);
    // Nothing logged twice, whichever replica flushed it.
    expect([...logged].filter(([, count]) => count !== 1)).toEqual([]);
  });

  promise("followEachMoveOnce")("recorded each alias move once in the deployment's history, whichever replica followed it", async () => {
    const { set, moves, traffic, versions } = ready();
    const answer = await fetch(`${set.url}${CAIRN}/deployments/history?name=${DEPLOYMENT}`);
    const history = ((await answer.json()) as { history: Array<{ role: string; from_version: string | null; to_version: string | null; reason: string }> }).history;
    const followed = history.filter((entry) => entry.role === "primary" && entry.reason === "alias-moved");
    // One chain v1 > v2 > v1 ...: a move followed twice (by two replicas) would repeat a link or switch to itself.
    const chain = [versions.v1, ...followed.map((entry) => entry.to_version)];
    const errors = set.replicas.flatMap((replica) => replica.output().split("\n").filter((line) => /"level":(40|50)/.test(line)).map((line) => `${replica.index}: ${line.slice(0, 400)}`));
    const deployment = await (await fetch(`${set.url}${CAIRN}/deployments/get?name=${DEPLOYMENT}`)).text();
    const audits = ((await (await fetch(`${set.url}${CAIRN}/audit/events?max_results=1000`)).json()) as { events: Array<{ action: string; request_id: string; after?: unknown }> }).events
      .filter((e) => e.action.startsWith("serving."))
      .map((e) => `${e.action} ${e.request_id} ${JSON.stringify(e.after ?? null).slice(0, 200)}`);
    errors.push(deployment, ...audits);
    const told = `${moves.length} moves: ${moves.map((m) => m.version).join(",")}; history: ${history.map((entry) => `${entry.role} ${entry.from_version ?? "-"}>${entry.to_version ?? "-"} ${entry.reason}`).join("; ")}\n${errors.join("\n")}`;
    expect(followed.map((entry) => entry.from_version), told).toEqual(chain.slice(0, -1));
    expect(followed.filter((entry) => entry.from_version === entry.to_version)).toEqual([]);
    // Every acknowledged move is there; a move whose request failed in flight may be too (its write may have committed).
    const unacknowledged = traffic.exchanges.filter((e) => e.what === "POST registered-models/alias" && e.status !== 200).length;
    expect(followed.length).toBeGreaterThanOrEqual(moves.length);
    expect(followed.length).toBeLessThanOrEqual(moves.length + unacknowledged);
  });

  promise("switchWithinOneSecond")(`served every alias move on every live replica within ${SWITCH_WITHIN_MS} ms`, () => {
    const { moves, set } = ready();
    expect(moves.length).toBeGreaterThanOrEqual(6);
    // Each surviving replica is watched on every move, the killed one until it died.
    expect(moves.map((move) => move.switchedAfterMs.size)).toContain(REPLICAS - 1);
    expect(moves[0]?.switchedAfterMs.size).toBe(REPLICAS);
    const late = moves.flatMap((move, n) =>
      [...move.switchedAfterMs].flatMap(([replica, ms]) => (ms !== undefined && ms <= SWITCH_WITHIN_MS ? [] : [`move ${n} to v${move.version}: replica ${replica} ${ms ?? "never"} ms`])),
    );
    expect(late, set.replicas.map((r) => r.output().slice(-2000)).join("\n")).toEqual([]);
  });

  promise("webhooksExactlyOnce")("delivered the event of every acknowledged registry write exactly once, waiting out the killed replica's leases", async () => {
    const { receiver, journal } = ready();
    const expectedWrites = new Map<string, AckedRegistryWrite>(journal.registry.map((write) => [write.requestId, write]));
    const deadline = Date.now() + WEBHOOK_LEASE_MS + 10_000;
    const deliveredIds = () => new Set(received(receiver).map((r) => r.requestId));
    while ([...expectedWrites.keys()].some((id) => !deliveredIds().has(id)) && Date.now() < deadline) await sleep(200);
    const deliveries = received(receiver);
    // One event per acknowledged write, of its type, with its facts.
    for (const [requestId, write] of expectedWrites) {
      const events = new Set(deliveries.filter((d) => d.requestId === requestId).map((d) => d.event));
      expect(events.size, `${write.eventType} ${requestId}`).toBe(1);
      const delivered = deliveries.find((d) => d.requestId === requestId);
      expect(delivered?.type).toBe(write.eventType);
      expect(delivered?.payload).toMatchObject({ name: write.name, ...(write.version !== undefined ? { version: write.version } : {}) });
    }
    // Each event has one delivery id; the receiver dedups by it: the count per event is one.
    const perEvent = new Map<string, Set<string>>();
    for (const d of deliveries) perEvent.set(d.event, (perEvent.get(d.event) ?? new Set()).add(d.delivery));
    expect([...perEvent.entries()].filter(([, ids]) => ids.size !== 1)).toEqual([]);
    // A delivery may reach the receiver twice only when the killed replica sent it and died before recording it.
    const repeats = deliveries.length - new Set(deliveries.map((d) => d.delivery)).size;
    expect(repeats).toBeLessThanOrEqual(16);
  }, WEBHOOK_LEASE_MS + 20_000);

  promise("monitorWindowOnce")("evaluated every monitor window once, whichever replica ran it", async () => {
    const { set, monitorCreated, loadEnded } = ready();
    const times = new Set<number>();
    let token: string | undefined;
    do {
      const page = await fetch(`${set.url}${CAIRN}/monitors/history?${new URLSearchParams({ name: "churn-watch", check: "data_tests", max_results: "1000", ...(token ? { page_token: token } : {}) })}`);
      const body = (await page.json()) as { results: Array<{ time: number }>; next_page_token?: string };
      for (const result of body.results) times.add(result.time);
      token = body.next_page_token;
    } while (token !== undefined);
    const runs = [...times].sort((a, b) => a - b);
    const windows = Math.floor((loadEnded - monitorCreated) / (MONITOR_SCHEDULE_S * 1000));
    expect(runs.length).toBeGreaterThanOrEqual(windows);
    // No window twice (two runs closer than a schedule), none skipped (two runs two schedules apart).
    const gaps = runs.slice(1).map((time, i) => time - (runs[i] as number));
    expect(gaps.filter((gap) => gap < MONITOR_SCHEDULE_S * 1000 - 100 || gap >= 2 * MONITOR_SCHEDULE_S * 1000), `runs at ${runs.join(", ")}`).toEqual([]);
  });

  it("kept one valid audit chain: cairn audit verify through the balancer passes", async () => {
    const { set } = ready();
    const verified = await runCli(["audit", "verify", "--tracking-uri", set.url]);
    expect(verified.stderr).toBe("");
    expect(verified.stdout).toMatch(/^Audit trail intact: \d+ events checked\.\n$/);
    expect(verified.code).toBe(0);
  });
});
