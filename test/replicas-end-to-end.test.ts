import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/test-support/run-cli.js";
import type { TestReceiver } from "../src/webhooks/test-support/receiver.js";
import { verifyJournal, type AckedRegistryWrite } from "./support/mlflow-workload.js";
import { parseReplicaBackend, type ReplicaBackend } from "./support/replica-backend.js";
import {
  CAIRN,
  DEPLOYMENT,
  KILLED,
  MONITOR_SCHEDULE_S,
  PREDICTION_LOOPS,
  REPLICAS,
  runScenario,
  sleep,
  SWITCH_WITHIN_MS,
  TRACKING_WORKERS,
  WEBHOOK_LEASE_MS,
  type Prediction,
  type Scenario,
} from "./support/replica-scenario.js";
import { inFlightDuring } from "./support/traffic-log.js";

/**
 * Issue 14, part 3: three `cairn server` processes on one database and one artifact folder behind nginx behave as one
 * server. One scenario (beforeAll) drives through the load balancer, all at once: the MLflow client's tracking and
 * registry traffic, prediction load on a deployment that follows an alias while the alias moves v1 -> v2 -> v1 ..., a
 * webhook on the registry's events to a receiver on loopback, and a monitor on a 10 s schedule. Midway one replica
 * is SIGKILLed. Each `it` then proves one promise from what the scenario recorded.
 *
 * BACKEND is the one switch: "postgresql" runs the replicas on a fresh database of the test run's PostgreSQL cluster.
 * The issue's promise is PostgreSQL's, so that is the default; CAIRN_TEST_BACKEND=sqlite runs the same scenario on one
 * SQLite file shared by the three processes (where the switch within 1 s is not promised: no NOTIFY).
 */
const BACKEND: ReplicaBackend = parseReplicaBackend(process.env.CAIRN_TEST_BACKEND, "postgresql");

/**
 * Promises that wait for a part of the issue not on this branch yet: `it.fails` until it lands (the lead re-enables
 * each after merging: delete its entry). Empty when everything is built.
 */
const WAITING_FOR: Partial<Record<"switchWithinOneSecond" | "monitorWindowOnce" | "webhooksExactlyOnce" | "followEachMoveOnce", string>> = {
  // Replicas on SQLite only have the periodic deployment sync (every 5 s); within 1 s needs LISTEN/NOTIFY on
  // cairn_deployments from the PostgreSQL deployment store (helper "operations"): a promise of PostgreSQL only.
  ...(BACKEND === "sqlite" ? { switchWithinOneSecond: "NOTIFY cairn_deployments (PostgreSQL deployment store)" } : {}),
  // On PostgreSQL every replica hears a move within tens of milliseconds and holds both versions loaded (primary
  // and warm standby; the scenario's setup moved v1 -> v2 -> v1 so that it does): the promise is kept.
};


let scenario: Scenario | undefined;
const cleanup: Array<() => Promise<unknown>> = [];

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


// A promise not kept yet is skipped with its reason in the report (it.fails would fail CI on a lucky fast run).
const promise = (key: keyof typeof WAITING_FOR) => (WAITING_FOR[key] === undefined ? it : it.skip);

beforeAll(async () => {
  scenario = await runScenario(BACKEND, cleanup);
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
    const { set, moves, traffic, versions, setupMoves } = ready();
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
    // A move that the next one superseded before any replica had loaded its version was never served, so it is not
    // in the history (the registry's audit trail has it); the deployment ends on the last move's version.
    expect(followed.length).toBeLessThanOrEqual(setupMoves + moves.length + unacknowledged);
    expect(followed.length).toBeGreaterThanOrEqual(Math.ceil(moves.length / 2));
    expect(followed[followed.length - 1]?.to_version).toBe(moves[moves.length - 1]?.version);
  });

  promise("switchWithinOneSecond")(`served every alias move on every live replica within ${SWITCH_WITHIN_MS} ms`, () => {
    const { moves, set } = ready();
    expect(moves.length).toBeGreaterThanOrEqual(6);
    // Each surviving replica is watched on every move, the killed one until it died.
    expect(moves.map((move) => move.switchedAfterMs.size)).toContain(REPLICAS - 1);
    expect(moves[0]?.switchedAfterMs.size).toBe(REPLICAS);
    // The measured figures, for the report and docs (ms from the move's acknowledgement to the replica answering it).
    console.info(`switch times per move (ms): ${moves.map((move, n) => `${n}:v${move.version} ${[...move.switchedAfterMs].map(([replica, ms]) => `r${replica}=${ms ?? "never"}`).join(" ")}`).join("; ")}`);
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

  promise("monitorWindowOnce")("evaluated every monitor window once: none twice, none skipped (a window the killed replica held is retaken after its lease)", async () => {
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
    const schedule = MONITOR_SCHEDULE_S * 1000;
    const windows = Math.floor((loadEnded - monitorCreated) / schedule);
    expect(runs.length).toBeGreaterThanOrEqual(windows);
    const gaps = runs.slice(1).map((time, i) => ({ from: runs[i] as number, gap: time - (runs[i] as number) }));
    // No window twice (two runs closer than a schedule).
    expect(gaps.filter(({ gap }) => gap < schedule - 100), `runs at ${runs.join(", ")}`).toEqual([]);
    // None skipped (two runs two schedules apart): a window whose claimer was killed mid-run is retaken by another
    // replica once its lease (half the schedule) expires, so consecutive runs are at most a schedule, a lease and a
    // scheduler tick apart.
    expect(gaps.filter(({ gap }) => gap >= 2 * schedule), `runs at ${runs.join(", ")}`).toEqual([]);
  });

  it("kept one valid audit chain: cairn audit verify through the balancer passes", async () => {
    const { set } = ready();
    const verified = await runCli(["audit", "verify", "--tracking-uri", set.url]);
    expect(verified.stderr).toBe("");
    expect(verified.stdout).toMatch(/^Audit trail intact: \d+ events checked\.\n$/);
    expect(verified.code).toBe(0);
  });
});
