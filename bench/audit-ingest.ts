import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import pg from "pg";
import { AuditService } from "../src/audit/service.js";
import type { WriteContext } from "../src/core/actor.js";
import { startPostgresCluster, type PostgresCluster } from "../src/stores/postgres/test-support/postgres-cluster.js";
import { openSqliteMetadataStores } from "../src/stores/sqlite/open-stores.js";
import { TrackingService } from "../src/tracking/service.js";
import { postmasterPid, readProcesses, treeCpuMs } from "./proc-cpu.js";
import { createBenchDatabase } from "./pg-bench-database.js";

/**
 * Issue 14 part 6: an audit trail that scales with ingestion.
 *  1. Single log-metric requests/s over HTTP against three server processes on SQLite, in alternating rounds:
 *     "digest" (the trail as it is now: run data summed into digest events), "off" (--no-tracking-audit: the
 *     baseline), "per-write" (a digest every write, i.e. one chained event per request as before). Target: digest >=
 *     0.95 x off.
 *  2. `audit verify` after 1,000,000 logged metric requests (through TrackingService over a real SQLite file, 8
 *     concurrent writers): a full verify from genesis, then 10,000 more requests and an incremental verify from the
 *     checkpoint the first left. Target: incremental < 1 s.
 * BENCH_SECONDS: a round's length (default 4); BENCH_ROUNDS (default 7); BENCH_METRIC_REQUESTS: part 2's count
 * (default 1,000,000); BENCH_AUDIT_PARTS: "requests", "verify" or both (default); BENCH_AUDIT_BACKEND=postgresql runs
 * part 1's servers each on its own database of one throw-away PostgreSQL cluster (default durability).
 *
 * On a shared machine the rate of one arm moves by a third from one round to the next (other processes' load), so
 * the figure to read is the median over rounds of the ratio between the arms' rounds run back to back (the order
 * rotates every round), with its spread; the medians of each arm's rates are printed beside it.
 * Each round also reads from /proc the CPU time the arm's server process and (PostgreSQL) the cluster's processes
 * spent on it: CPU ms per request moves much less with other agents' load than requests/s does, and
 * `cpu_ratio_off_to_digest` (off's CPU per request over the arm's) is the rate ratio the arms would have on cores
 * they had to themselves, where this load is CPU-bound.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PARTS = new Set((process.env.BENCH_AUDIT_PARTS ?? "requests,verify").split(","));
const BACKEND = process.env.BENCH_AUDIT_BACKEND === "postgresql" ? "postgresql" : "sqlite";
const CONNECTIONS = 8;
const REQUESTS = Number(process.env.BENCH_METRIC_REQUESTS ?? 1_000_000);
const WRITERS = 8;
const api = "/api/2.0/mlflow";
const json = { "content-type": "application/json" };
const round = (value: number, digits = 3): number => Number(value.toFixed(digits));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

type Mode = "digest" | "off" | "per-write" | "off-als";

/** Each arm's database: a file, or its own database on the cluster. */
const databaseOf = async (dir: string, mode: Mode, cluster: PostgresCluster | undefined): Promise<string> => {
  if (cluster === undefined) return `sqlite:///${path.join(dir, `${mode}.db`)}`;
  return createBenchDatabase(cluster.adminUrl, `cairn_bench_${mode.replace(/-/g, "_")}`);
};

interface ArmServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** CPU ms used so far by the server process and by the PostgreSQL cluster (0 on SQLite). */
const cpuMs = (server: ArmServer, cluster: PostgresCluster | undefined): { server: number; postgres: number } => {
  const processes = readProcesses();
  return {
    server: server.child.pid === undefined ? 0 : treeCpuMs(processes, server.child.pid),
    postgres: cluster === undefined ? 0 : treeCpuMs(processes, postmasterPid(cluster.dataDir)),
  };
};

const startServer = async (dir: string, mode: Mode, database: string): Promise<ArmServer> => {
  const main = fileURLToPath(new URL("./audit-ingest-server.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", main, database, path.join(dir, `${mode}-artifacts`), mode], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /LISTENING (\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
};

const createRuns = async (url: string, count: number): Promise<string[]> => {
  const experiment = (await (await fetch(`${url}${api}/experiments/create`, { method: "POST", headers: json, body: JSON.stringify({ name: "bench" }) })).json()) as {
    experiment_id: string;
  };
  const runIds: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${url}${api}/runs/create`, { method: "POST", headers: json, body: JSON.stringify({ experiment_id: experiment.experiment_id, start_time: 1 }) });
    runIds.push(((await response.json()) as { run: { info: { run_id: string } } }).run.info.run_id);
  }
  return runIds;
};

/** One round of single log-metric requests, to the runs in turn, each a new row (steps never repeat). */
const logMetricRound = async (url: string, runIds: string[], stepBase: number): Promise<{ rps: number; failed: number; p99: number; requests: number }> => {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: "POST",
        path: `${api}/runs/log-metric`,
        headers: json,
        // A counter of this round's requests, not autocannon's per-connection context: autocannon resets that context
        // every time a connection comes back to the first of its requests (here: every request), so a step kept in it
        // repeated one row per connection and round, which the store skipped as a duplicate (before 2026-12-05).
        setupRequest: (request) => {
          const i = next++;
          const runId = runIds[i % runIds.length] ?? "";
          const step = stepBase + i;
          request.body = `{"run_id":"${runId}","key":"loss","value":${1 / (step + 1)},"timestamp":${1_700_000_000_000 + step},"step":${step}}`;
          return request;
        },
      },
    ],
  });
  return { rps: result["2xx"] / result.duration, failed: result.non2xx + result.errors + result.timeouts, p99: result.latency.p99, requests: result["2xx"] };
};

const benchRequests = async (dir: string) => {
  // "off" is the baseline and always measured.
  const modes: Mode[] = (process.env.BENCH_MODES?.split(",") as Mode[] | undefined) ?? ["digest", "off", "per-write"];
  if (!modes.includes("off")) modes.push("off");
  const servers = new Map<Mode, ArmServer>();
  const cluster = BACKEND === "postgresql" ? await startPostgresCluster({ fast: false }) : undefined;
  try {
    const databases = new Map<Mode, string>();
    for (const mode of modes) databases.set(mode, await databaseOf(dir, mode, cluster));
    for (const mode of modes) servers.set(mode, await startServer(dir, mode, databases.get(mode) ?? ""));
    const runs = new Map<Mode, string[]>();
    for (const mode of modes) runs.set(mode, await createRuns(servers.get(mode)?.url ?? "", CONNECTIONS));
    const rates = new Map<Mode, number[]>(modes.map((m) => [m, []]));
    const p99s = new Map<Mode, number[]>(modes.map((m) => [m, []]));
    const cpus = new Map<Mode, Array<{ server: number; postgres: number; total: number }>>(modes.map((m) => [m, []]));
    let failed = 0;
    // Warm-up round each (JIT, page cache), not counted.
    for (const mode of modes) await logMetricRound(servers.get(mode)?.url ?? "", runs.get(mode) ?? [], 0);
    for (let r = 1; r <= ROUNDS; r += 1) {
      // Rotate the order so that no arm always runs first after a pause.
      for (const mode of [...modes.slice(r % modes.length), ...modes.slice(0, r % modes.length)]) {
        const server = servers.get(mode) as ArmServer;
        const before = cpuMs(server, cluster);
        const figures = await logMetricRound(server.url, runs.get(mode) ?? [], r * 10_000_000);
        const after = cpuMs(server, cluster);
        const perRequest = (part: "server" | "postgres") => (after[part] - before[part]) / Math.max(1, figures.requests);
        cpus.get(mode)?.push({ server: perRequest("server"), postgres: perRequest("postgres"), total: perRequest("server") + perRequest("postgres") });
        rates.get(mode)?.push(figures.rps);
        p99s.get(mode)?.push(figures.p99);
        failed += figures.failed;
      }
    }
    const digestDatabase = databases.get("digest");
    const coverage = cluster !== undefined && digestDatabase !== undefined ? await digestCoverage(digestDatabase) : undefined;
    const rps = (mode: Mode) => round(median(rates.get(mode) ?? []), 0);
    const perMode = (pick: (mode: Mode) => unknown) => Object.fromEntries(modes.map((mode) => [mode, pick(mode)]));
    // Round r of each arm against round r of "off": the rounds of one r run back to back.
    const roundRatios = (mode: Mode) => (rates.get(mode) ?? []).map((rate, r) => rate / (rates.get("off")?.[r] ?? Number.NaN));
    const cpuOf = (mode: Mode, part: "server" | "postgres" | "total") => (cpus.get(mode) ?? []).map((c) => c[part]);
    const cpuRatios = (mode: Mode) => cpuOf(mode, "total").map((total, r) => (cpuOf("off", "total")[r] ?? Number.NaN) / total);
    return {
      backend: BACKEND,
      connections: CONNECTIONS,
      rounds: ROUNDS,
      seconds_per_round: SECONDS,
      failed_requests: failed,
      requests_per_s_median: perMode(rps),
      requests_per_s_rounds: perMode((mode) => (rates.get(mode) ?? []).map((r) => round(r, 0))),
      p99_ms_median: perMode((mode) => median(p99s.get(mode) ?? [])),
      ratio_to_off_of_medians: perMode((mode) => round(rps(mode) / rps("off"))),
      ratio_to_off_median_of_rounds: perMode((mode) => round(median(roundRatios(mode)))),
      ratio_to_off_rounds: perMode((mode) => roundRatios(mode).map((ratio) => round(ratio))),
      cpu_ms_per_request_median: perMode((mode) => ({
        server: round(median(cpuOf(mode, "server"))),
        postgres: round(median(cpuOf(mode, "postgres"))),
        total: round(median(cpuOf(mode, "total"))),
      })),
      cpu_ms_per_request_total_rounds: perMode((mode) => cpuOf(mode, "total").map((ms) => round(ms))),
      cpu_ratio_off_to_digest_median_of_rounds: perMode((mode) => round(median(cpuRatios(mode)))),
      target: "digest >= 0.95 x off (median of the rounds' ratios)",
      ...(coverage === undefined ? {} : { digest_arm_coverage_at_end: coverage }),
    };
  } finally {
    for (const server of servers.values()) await server.stop();
    cluster?.stop();
  }
};

/**
 * The digest arm's proof of work on PostgreSQL, read right after its last round: its digests are collected from the
 * rows in the background (one collection a second), so every metric row it stored is in a digest event, in a pending
 * digest, or among the last second's rows not yet collected; nothing else.
 */
const digestCoverage = async (uri: string) => {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    const one = async (sql: string): Promise<number> => Number(Object.values((await client.query(sql)).rows[0] ?? {})[0] ?? 0);
    const stored = await one("SELECT count(*) FROM metrics");
    const inEvents = await one("SELECT COALESCE(sum((after_json::jsonb->>'metrics')::bigint), 0) FROM audit_events WHERE action = 'tracking.run.data_digest'");
    const pending = await one("SELECT COALESCE(sum(metrics), 0) FROM audit_pending_digests");
    const notYet = await one("SELECT count(*) FROM metrics WHERE audit_xid >= (SELECT collected_xid FROM audit_digest_collection)");
    const events = await one("SELECT count(*) FROM audit_events WHERE action = 'tracking.run.data_digest'");
    if (inEvents + pending + notYet !== stored) throw new Error(`digest arm: ${stored} metric rows, ${inEvents} in digests, ${pending} pending, ${notYet} not collected yet`);
    return { metric_rows: stored, in_digest_events: inEvents, digest_events: events, pending: pending, not_collected_yet: notYet };
  } finally {
    await client.end();
  }
};

const benchVerify = async (dir: string) => {
  const stores = await openSqliteMetadataStores(path.join(dir, "verify.db"));
  try {
    const audit = new AuditService(stores.audit);
    const tracking = new TrackingService(stores.tracking, { defaultArtifactRoot: "mlflow-artifacts:/", audit });
    const ctx: WriteContext = { actor: { name: "bench", verified: false }, requestId: "bench" };
    const experimentId = await tracking.createExperiment({ name: "bench", tags: [] }, ctx);
    const runIds: string[] = [];
    for (let i = 0; i < WRITERS; i += 1) runIds.push((await tracking.createRun({ experimentId, tags: [], startTime: 1 }, ctx)).info.run_id);
    const log = async (count: number, firstStep: number): Promise<number> => {
      let next = 0;
      const began = performance.now();
      await Promise.all(
        runIds.map(async (runId) => {
          for (;;) {
            const i = next++;
            if (i >= count) return;
            const step = firstStep + i;
            await tracking.logMetric(runId, { key: "loss", value: 1 / (step + 1), timestamp: 1_700_000_000_000 + step, step }, ctx);
          }
        }),
      );
      return (performance.now() - began) / 1000;
    };
    const loggingSeconds = await log(REQUESTS, 0);
    const eventsAfterLogging = await stores.audit.lastAssignedSeq();
    let began = performance.now();
    const full = await audit.verify({ full: true });
    const fullSeconds = (performance.now() - began) / 1000;
    // The same walk on the event loop (no worker start-up: from source, the worker loads tsx first, about 1 s).
    const inThread = new AuditService(Object.assign(Object.create(stores.audit) as typeof stores.audit, { verifyOffThread: undefined }));
    began = performance.now();
    const fullInThread = await inThread.verify({ full: true });
    const fullInThreadSeconds = (performance.now() - began) / 1000;
    await log(10_000, REQUESTS);
    for (const runId of runIds) await tracking.updateRun(runId, { status: "FINISHED", endTime: 2 }, ctx);
    began = performance.now();
    const incremental = await audit.verify();
    const incrementalSeconds = (performance.now() - began) / 1000;
    return {
      metric_requests: REQUESTS + 10_000,
      logging_requests_per_s: round(REQUESTS / loggingSeconds, 0),
      chain_events_after_logging: eventsAfterLogging,
      full_verify: { ...full, seconds: round(fullSeconds) },
      full_verify_in_thread: { ...fullInThread, seconds: round(fullInThreadSeconds) },
      incremental_verify_after_10000_more_and_run_ends: { ...incremental, seconds: round(incrementalSeconds) },
      target: "incremental verify < 1 s",
    };
  } finally {
    await stores.close();
  }
};

export const runAuditIngestBenchmarks = async (): Promise<unknown> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-audit-ingest-"));
  try {
    const requests = PARTS.has("requests") ? await benchRequests(dir) : "skipped";
    const verify = PARTS.has("verify") ? await benchVerify(dir) : "skipped";
    return { log_metric_requests: requests, audit_verify: { backend: "sqlite", result: verify } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
