import { parsePostgresUri } from "../src/stores/postgres/connection-uri.js";
import { ensurePostgresSchema } from "../src/stores/postgres/migrations.js";
import { PgDatabase } from "../src/stores/postgres/pg-database.js";
import { LOADER_SQL } from "../src/stores/postgres/pg-run-loader.js";
import { PgTrackingStore } from "../src/stores/postgres/pg-tracking-store.js";
import { startPostgresCluster } from "../src/stores/postgres/test-support/postgres-cluster.js";
import { postmasterPid, readProcesses, treeCpuMs } from "./proc-cpu.js";
import { percentile } from "./stats.js";
import { createBenchDatabase } from "./pg-bench-database.js";

/**
 * get-run on PostgreSQL: the store's loader (its statements named, prepared once per connection) against the same
 * statements sent unnamed, as the loader sent them before (planned on every call), on the same data in the same run,
 * in alternating rounds: 8 concurrent readers over 100 runs of 10 metrics, a param and 2 tags each. Prints get-runs/s
 * and PostgreSQL's CPU ms per get-run for both, and their ratios (median of the rounds).
 * BENCH_ROUNDS (default 5), BENCH_GETS per reader and round (default 1,500).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const GETS = Number(process.env.BENCH_GETS ?? 1500);
const READERS = 8;
const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);
const RUNS = 100;

/** The loader's statements for one run, unnamed: what getPgRun sent before they were named. */
const unnamedGetRun = async (db: PgDatabase, runId: string): Promise<number> => {
  const [row] = await db.query<{ run_key: number }>("SELECT run_key FROM runs WHERE run_uuid = $1", [runId]);
  const keys = [[row?.run_key ?? 0]];
  // input_tags is read only for runs with inputs, and these have none.
  const statements = [LOADER_SQL.runs, LOADER_SQL.latestMetrics, LOADER_SQL.params, LOADER_SQL.tags, LOADER_SQL.inputs, LOADER_SQL.modelLinks];
  let rows = 0;
  await db.transaction(
    async () => {
      for (const sql of statements) rows += (await db.query(sql, keys)).length;
    },
    { readOnlySnapshot: true },
  );
  return rows;
};

export const runPgRunReadBenchmarks = async (): Promise<unknown> => {
  const cluster = await startPostgresCluster({ fast: false });
  const db = new PgDatabase(parsePostgresUri(await createBenchDatabase(cluster.adminUrl, "cairn_bench_reads")));
  try {
    await ensurePostgresSchema(db);
    const store = new PgTrackingStore(db);
    const experimentId = await store.createExperiment({ name: "reads", defaultArtifactLocation: (id) => `/tmp/${id}`, tags: [], now: 1 });
    const runIds: string[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      const runId = `r${String(r).padStart(4, "0")}`.padEnd(32, "0");
      await store.createRun({ runId, experimentId, userId: "u", runName: `run-${r}`, status: "RUNNING", startTime: 1, artifactUri: "/tmp", tags: [{ key: "a", value: "b" }] });
      const metrics = Array.from({ length: 10 }, (_, i) => ({ key: `m${i}`, value: i / 3, timestamp: 1, step: 1 }));
      await store.logBatch(runId, { metrics, params: [{ key: "lr", value: "0.1" }], tags: [] });
      runIds.push(runId);
    }
    const arms = {
      named: (runId: string) => store.getRun(runId).then((run) => run?.data.metrics.length ?? 0),
      unnamed: (runId: string) => unnamedGetRun(db, runId),
    };
    const rates: Record<keyof typeof arms, number[]> = { named: [], unnamed: [] };
    const cpus: Record<keyof typeof arms, number[]> = { named: [], unnamed: [] };
    for (let round = 0; round <= ROUNDS; round += 1) {
      const order = (round % 2 === 0 ? ["named", "unnamed"] : ["unnamed", "named"]) as Array<keyof typeof arms>;
      for (const arm of order) {
        const cpuBefore = treeCpuMs(readProcesses(), postmasterPid(cluster.dataDir));
        const began = performance.now();
        await Promise.all(
          Array.from({ length: READERS }, async (_, reader) => {
            for (let i = 0; i < GETS; i += 1) await arms[arm](runIds[(reader * GETS + i) % RUNS] ?? "");
          }),
        );
        const seconds = (performance.now() - began) / 1000;
        const cpu = treeCpuMs(readProcesses(), postmasterPid(cluster.dataDir)) - cpuBefore;
        // Round 0 warms both arms up (connections, prepared statements, caches) and is not counted.
        if (round === 0) continue;
        rates[arm].push((READERS * GETS) / seconds);
        cpus[arm].push(cpu / (READERS * GETS));
      }
    }
    const round2 = (n: number, digits = 3) => Number(n.toFixed(digits));
    const ratios = rates.named.map((rate, i) => rate / (rates.unnamed[i] ?? Number.NaN));
    return {
      readers: READERS,
      rounds: ROUNDS,
      gets_per_round: READERS * GETS,
      get_runs_per_s_median: { named: Math.round(median(rates.named)), unnamed: Math.round(median(rates.unnamed)) },
      postgres_cpu_ms_per_get_median: { named: round2(median(cpus.named)), unnamed: round2(median(cpus.unnamed)) },
      rate_ratio_named_to_unnamed_median_of_rounds: round2(median(ratios)),
      rate_ratio_rounds: ratios.map((r) => round2(r)),
    };
  } finally {
    await db.close();
    cluster.stop();
  }
};
