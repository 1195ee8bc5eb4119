import autocannon from "autocannon";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startPostgresCluster, type PostgresCluster } from "../src/stores/postgres/test-support/postgres-cluster.js";
import { startNginx, type LoadBalancer } from "../test/support/nginx-balancer.js";
import { parseReplicaBackend } from "../test/support/replica-backend.js";
import { startReplicaSet, type ReplicaSet } from "../test/support/replica-set.js";

/**
 * Issue 14's replica target, in one run on one machine: the same database and artifact folder served by
 *  - one replica alone behind its own nginx (the baseline: the same path as the three), and straight (for reference), and
 *  - three replicas behind nginx (round robin),
 * under (a) single runs/log-metric requests (target: three >= one, nothing lost to coordination) and (b) read traffic,
 * runs/search and registered-models/alias lookups in turn (target: three >= 1.3x one). Load from this process with
 * autocannon; the servers are `cairn server` child processes, nginx another. Figures per core divide by the cores.
 *
 * BENCH_REPLICAS_BACKEND=postgresql runs the replicas on a throw-away PostgreSQL 15 cluster with its real durability
 * (startPostgresCluster({ fast: false })); the default is one SQLite file (WAL) shared by the processes, which is not
 * what a team runs: its writers take turns on the file's lock. BENCH_SECONDS sets each measurement's length (8 s),
 * BENCH_ROUNDS how often each is repeated (3): on a shared 2-core machine the order, warm-up and neighbours move one
 * round's figures by tens of percent, so the configurations take turns (each round starting with the next one) and
 * each keeps its best round.
 */
const BACKEND = parseReplicaBackend(process.env.BENCH_REPLICAS_BACKEND, "sqlite");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
/** Each configuration is measured this many times, interleaved with the others; the best round counts. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 16;
const SEARCH_RUNS = 1_000;
const MODELS = 50;
const api = "/api/2.0/mlflow";
const json = { "content-type": "application/json" };

type RequestSpec = NonNullable<Parameters<typeof autocannon>[0]["requests"]>[number];

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

const post = async <T>(url: string, route: string, body: unknown): Promise<T> => {
  const response = await fetch(`${url}${api}/${route}`, { method: "POST", headers: json, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${route}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
};

/** Work in `count` items, `width` at a time. */
const inParallel = async (count: number, width: number, work: (i: number) => Promise<void>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
};

/** The read data set: 1,000 runs with metrics, params and tags; 50 registered models with @champion. */
const populate = async (url: string): Promise<{ experimentId: string }> => {
  const { experiment_id: experimentId } = await post<{ experiment_id: string }>(url, "experiments/create", { name: "bench-search" });
  await inParallel(SEARCH_RUNS, 8, async (i) => {
    const { run } = await post<{ run: { info: { run_id: string } } }>(url, "runs/create", { experiment_id: experimentId, start_time: 1_700_000_000_000 + i });
    await post(url, "runs/log-batch", {
      run_id: run.info.run_id,
      metrics: [0, 1, 2].map((m) => ({ key: `m${m}`, value: ((i * 7919 + m) % 1000) / 1000, timestamp: 1_700_000_000_000, step: 0 })),
      params: [0, 1, 2].map((p) => ({ key: `p${p}`, value: `v${(i + p) % 10}` })),
      tags: [{ key: "team", value: `t${i % 5}` }],
    });
  });
  await inParallel(MODELS, 4, async (i) => {
    const name = `bench-model-${i}`;
    await post(url, "registered-models/create", { name });
    await post(url, "model-versions/create", { name, source: `mlflow-artifacts:/${experimentId}/r${i}/artifacts/model` });
    await post(url, "registered-models/alias", { name, alias: "champion", version: "1" });
  });
  return { experimentId };
};

const createRuns = async (url: string, count: number): Promise<string[]> => {
  const { experiment_id: experimentId } = await post<{ experiment_id: string }>(url, "experiments/create", { name: `bench-metric-${Date.now()}-${Math.random()}` });
  const runIds: string[] = [];
  for (let i = 0; i < count; i += 1) {
    runIds.push((await post<{ run: { info: { run_id: string } } }>(url, "runs/create", { experiment_id: experimentId, start_time: Date.now() })).run.info.run_id);
  }
  return runIds;
};

interface Figures {
  requests: number;
  failed: number;
  requests_per_s: number;
  requests_per_s_per_core: number;
  p50_ms: number;
  p99_ms: number;
}

const load = async (url: string, requests: RequestSpec[]): Promise<Figures> => {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests });
  const perSecond = result["2xx"] / result.duration;
  return {
    requests: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
    requests_per_s: round(perSecond, 0),
    requests_per_s_per_core: round(perSecond / cpus().length, 0),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
  };
};

/** (a) Each connection logs to its own fresh run, steps never repeating (the MLflow client's log_metric). */
const logMetric = async (url: string): Promise<Figures> => {
  const runIds = await createRuns(url, CONNECTIONS);
  let next = 0;
  return load(url, [
    {
      method: "POST",
      path: `${api}/runs/log-metric`,
      headers: json,
      setupRequest: (request, context) => {
        if (typeof context.runId !== "string") {
          context.runId = runIds[next++ % runIds.length];
          context.step = 0;
        }
        const step = context.step as number;
        context.step = step + 1;
        // A template, not JSON.stringify: the load generator shares the cores with the servers it measures.
        request.body = `{"run_id":"${String(context.runId)}","key":"loss","value":${1 / (step + 1)},"timestamp":${1_700_000_000_000 + step},"step":${step}}`;
        return request;
      },
    },
  ]);
};

/** (b) runs/search (a filter, an order, a page of 50) and models:/NAME@champion lookups in turn. */
const reads = async (url: string, experimentId: string): Promise<Figures> => {
  const search = JSON.stringify({ experiment_ids: [experimentId], filter: "metrics.m0 > 0.5 AND params.p0 = 'v3'", order_by: ["metrics.m1 DESC"], max_results: 50 });
  let model = 0;
  return load(url, [
    { method: "POST", path: `${api}/runs/search`, headers: json, body: search },
    {
      method: "GET",
      setupRequest: (request) => {
        request.path = `${api}/registered-models/alias?name=bench-model-${model++ % MODELS}&alias=champion`;
        return request;
      },
    },
  ]);
};

/** The database every replica shares: a file, or a fresh database on a cluster started for this run. */
const openBackend = async (dir: string): Promise<{ uri: string; cluster?: PostgresCluster }> => {
  if (BACKEND === "sqlite") return { uri: `sqlite:///${path.join(dir, "cairn.db")}` };
  const cluster = await startPostgresCluster({ fast: false });
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query("CREATE DATABASE cairn_bench TEMPLATE template0 ENCODING 'UTF8'");
  await admin.end();
  const uri = new URL(cluster.adminUrl);
  uri.pathname = "/cairn_bench";
  return { uri: uri.toString(), cluster };
};

export const runReplicaBenchmarks = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-replicas-"));
  let set: ReplicaSet | undefined;
  let single: LoadBalancer | undefined;
  const backend = await openBackend(dir);
  try {
    set = await startReplicaSet({ count: 3, backendStoreUri: backend.uri, artifactsDestination: path.join(dir, "artifacts") });
    const one = set.replicas[0];
    if (one === undefined) throw new Error("no replica");
    single = await startNginx([one.port]);
    const { experimentId } = await populate(set.url);

    const targets = { one_replica: one.url, one_replica_behind_nginx: single.url, three_replicas_behind_nginx: set.url };
    type Target = keyof typeof targets;
    /** Every target in turn, ROUNDS times; each keeps its best round (a short warm-up of the same path before each). */
    const measure = async (work: (url: string) => Promise<Figures>): Promise<Record<Target, Figures>> => {
      const best: Partial<Record<Target, Figures>> = {};
      for (let round = 0; round < ROUNDS; round += 1) {
        const order = Object.keys(targets) as Target[];
        for (const target of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
          const url = targets[target];
          await autocannon({ url, connections: 4, duration: 1, requests: [{ method: "GET", path: "/health" }] });
          const figures = await work(url);
          if ((best[target]?.requests_per_s ?? -1) < figures.requests_per_s) best[target] = figures;
        }
      }
      return best as Record<Target, Figures>;
    };
    const metric = await measure(logMetric);
    const read = await measure((url) => reads(url, experimentId));
    // The baseline is one replica behind the same nginx: the same path as the three. autocannon straight at a
    // replica measured it 1.3x to 6x slower than through nginx in every run (p50 up to 149 ms against 3-18 ms: the
    // client's connections, not the server's work), so that figure is kept for reference only.
    const ratio = (figures: typeof metric) => ({
      three_to_one: round(figures.three_replicas_behind_nginx.requests_per_s / figures.one_replica_behind_nginx.requests_per_s),
      three_to_one_direct: round(figures.three_replicas_behind_nginx.requests_per_s / figures.one_replica.requests_per_s),
    });
    return {
      backend: BACKEND,
      cores: cpus().length,
      seconds_each: SECONDS,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      log_metric: { ...metric, ...ratio(metric), target: "three_to_one >= 1" },
      reads: { ...read, ...ratio(read), target: "three_to_one >= 1.3", mix: "runs/search (filter, order, 50 of 1,000 runs) and registered-models/alias in turn" },
    };
  } finally {
    await single?.stop();
    await set?.stop();
    backend.cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  }
};
