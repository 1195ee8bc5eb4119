import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { Metric, MetricWithRunId } from "../src/protocol/mlflow/entities.js";
import { parsePostgresUri } from "../src/stores/postgres/connection-uri.js";
import { ensurePostgresSchema } from "../src/stores/postgres/migrations.js";
import { PgDatabase } from "../src/stores/postgres/pg-database.js";
import { PgTrackingStore } from "../src/stores/postgres/pg-tracking-store.js";
import { startPostgresCluster, type PostgresCluster } from "../src/stores/postgres/test-support/postgres-cluster.js";
import { openSqliteTrackingStore } from "../src/stores/sqlite/index.js";
import { orderSampledHistory, sampleMetricHistory } from "../src/tracking/metric-sampling.js";
import type { CompiledQuery } from "../src/stores/sql/dialect.js";
import { compileRunSearch, compileRunSearchTiers, runQueryTiers } from "../src/stores/sql/run-search-compiler.js";
import { postgresDialect } from "../src/stores/postgres/postgres-dialect.js";
import { sqliteDialect } from "../src/stores/sqlite/sqlite-dialect.js";
import { parseRunFilter } from "../src/tracking/search/parse-filter.js";
import { parseRunOrderBy } from "../src/tracking/search/parse-order-by.js";
import type { RunSearch, TrackingStore } from "../src/tracking/store.js";
import { type ServerProcess, spawnServer } from "../test/support/spawn-server.js";
import { percentile } from "./stats.js";
import { createBenchDatabase } from "./pg-bench-database.js";

/**
 * The PostgreSQL tracking benchmarks of issue 14, on a cluster of their own with PostgreSQL's default durability:
 *  (a) log-batch (1000 metrics a call, 8 concurrent writers, one run each) through the PostgreSQL tracking store,
 *      against the raw rate of the same rows inserted through `pg` into the same schema (one multi-row INSERT per
 *      batch into metrics and latest_metrics, in one transaction);
 *  (b) run search over 1,000,000 runs generated with generate_series: p50 of the usual queries through the store
 *      (and the ordering by a metric as one query, before compileRunSearchTiers, with the tiers' plan); (d) the same
 *      data set and metric ordering on SQLite (BENCH_PARTS=d);
 *  (c) get-history-bulk-interval for 10 runs x 100,000 steps on both backends: today's path (every row loaded, then
 *      sampled in JS) against the sampling in the database; p50 and the process's RSS growth; and one 100,000-step
 *      get-history in one page against the same rows in pages of 10,000.
 * BENCH_PARTS=a,b,c picks parts; BENCH_SEARCH_RUNS and BENCH_SECONDS shrink them for a quick look.
 */
const PARTS = new Set((process.env.BENCH_PARTS ?? "a,b,c").split(","));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SEARCH_RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 1_000_000);
const WRITERS = 8;
const BATCH = 1000;
const HISTORY_RUNS = 10;
const HISTORY_STEPS = 100_000;

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);

const createDatabase = async (cluster: PostgresCluster, name: string): Promise<{ uri: string; db: PgDatabase; store: PgTrackingStore }> => {
  const uri = await createBenchDatabase(cluster.adminUrl, name);
  const db = new PgDatabase(parsePostgresUri(uri), { maxConnections: WRITERS + 2, statementTimeoutMs: 0 });
  await ensurePostgresSchema(db);
  const store = new PgTrackingStore(db);
  await store.ensureDefaultExperiment("mlflow-artifacts:/0", Date.now());
  return { uri, db, store };
};

const batchOf = (firstStep: number): Metric[] =>
  Array.from({ length: BATCH }, (_, i) => ({ key: `m${i % 10}`, value: (firstStep + i) * 0.001, timestamp: 1_700_000_000_000 + firstStep + i, step: firstStep + i }));

/** Runs `writers` loops of `work(writer, iteration)` for `seconds`; the number of completed calls. */
const saturate = async (seconds: number, work: (writer: number, iteration: number) => Promise<void>): Promise<number> => {
  const deadline = Date.now() + seconds * 1000;
  let calls = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      for (let iteration = 0; Date.now() < deadline; iteration += 1) {
        await work(writer, iteration);
        calls += 1;
      }
    }),
  );
  return calls;
};

const logBatchBench = async (cluster: PostgresCluster): Promise<object> => {
  const { uri, db, store } = await createDatabase(cluster, "bench_log_batch");
  const experimentId = await store.createExperiment({ name: "log-batch", defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], now: Date.now() });
  const runIds = Array.from({ length: WRITERS * 2 }, (_, i) => `${String(i).padStart(2, "0")}${"a".repeat(30)}`);
  for (const runId of runIds) {
    await store.createRun({ runId, experimentId, userId: "bench", runName: runId, status: "RUNNING", startTime: Date.now(), artifactUri: "x", tags: [] });
  }
  const runKeys = (await db.query<{ run_key: number }>("SELECT run_key FROM runs WHERE run_uuid = ANY($1::text[]) ORDER BY run_uuid", [runIds])).map((row) => row.run_key);

  // Raw: the same rows, the two multi-row statements a batch needs at least, one transaction, straight through pg.
  const rawPool = new pg.Pool({ connectionString: uri, max: WRITERS });
  const raw = await saturate(SECONDS, async (writer, iteration) => {
    const metrics = batchOf(iteration * BATCH);
    const columns = [runKeys[WRITERS + writer], metrics.map((m) => m.key), metrics.map((m) => m.step), metrics.map((m) => m.timestamp), metrics.map((m) => m.value), metrics.map(() => 0)];
    const client = await rawPool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        "INSERT INTO metrics (run_key, key, step, timestamp, value, is_nan) SELECT $1, k, s, t, v, n FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::int[]) AS u(k, s, t, v, n) ON CONFLICT DO NOTHING",
        columns,
      );
      const latest = metrics.slice(-10);
      await client.query(
        "INSERT INTO latest_metrics (run_key, key, step, timestamp, value, is_nan) SELECT $1, k, s, t, v, n FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::int[]) AS u(k, s, t, v, n) " +
          "ON CONFLICT (run_key, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan",
        [columns[0], latest.map((m) => m.key), latest.map((m) => m.step), latest.map((m) => m.timestamp), latest.map((m) => m.value), latest.map(() => 0)],
      );
      await client.query("COMMIT");
    } finally {
      client.release();
    }
  });
  await rawPool.end();

  const cairn = await saturate(SECONDS, async (writer, iteration) => {
    await store.logBatch(runIds[writer] as string, { metrics: batchOf(iteration * BATCH), params: [], tags: [] });
  });
  await db.close();
  const rawRate = (raw * BATCH) / SECONDS;
  const storeRate = (cairn * BATCH) / SECONDS;
  return {
    writers: WRITERS,
    batch: BATCH,
    rawPgMetricsPerSecond: Math.round(rawRate),
    cairnStoreMetricsPerSecond: Math.round(storeRate),
    ratio: round(storeRate / rawRate),
    http: await httpLogBatch(uri, runIds.slice(0, WRITERS), rawRate),
  };
};

/**
 * The same batches through a Cairn server process on this database (runs/log-batch over HTTP, 8 concurrent clients).
 * The server opens every store on PostgreSQL: until each domain's PostgreSQL factory exists, start-up refuses, and
 * this part reports why instead of a figure.
 */
const httpLogBatch = async (uri: string, runIds: readonly string[], rawRate: number): Promise<object> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-pg-http-"));
  let server: ServerProcess | undefined;
  try {
    server = await spawnServer(uri, path.join(dir, "artifacts"));
    const url = `${server.url}/api/2.0/mlflow/runs/log-batch`;
    const calls = await saturate(SECONDS, async (writer, iteration) => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ run_id: runIds[writer], metrics: batchOf(1_000_000_000 + iteration * BATCH) }),
      });
      if (!response.ok) throw new Error(`log-batch answered ${response.status}: ${await response.text()}`);
    });
    const rate = (calls * BATCH) / SECONDS;
    return { cairnHttpMetricsPerSecond: Math.round(rate), ratio: round(rate / rawRate) };
  } catch (error) {
    return { notMeasured: String(error).slice(0, 300) };
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
};

const searchBench = async (cluster: PostgresCluster): Promise<object> => {
  const { db, store } = await createDatabase(cluster, "bench_search");
  const generateStarted = Date.now();
  // Two experiments: the searched one holds every run; 1 % of them deleted. Run keys are 1..N (identity).
  await db.query("INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES ('search', 'x', 'active', 1, 1), ('other', 'y', 'active', 1, 1)");
  const experimentId = (await db.one<{ experiment_id: number }>("SELECT experiment_id FROM experiments WHERE name = 'search'"))?.experiment_id as number;
  await db.query(
    "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri) " +
      "SELECT md5(g::text), $1, 'run-' || g, 'user' || (g % 10), 'FINISHED', 1700000000000 + g * 1000, 1700000000000 + g * 1000 + 500, " +
      "CASE WHEN g % 100 = 0 THEN 'deleted' ELSE 'active' END, 'mlflow-artifacts:/' || g FROM generate_series(1, $2) g",
    [experimentId, SEARCH_RUNS],
  );
  await db.query(
    "INSERT INTO latest_metrics (run_key, key, step, timestamp, value, is_nan) SELECT r.run_key, k, 100, r.start_time, " +
      "((hashint8(r.run_key * 7 + length(k)) & 2147483647) % 1000000) / 1000000.0, 0 FROM runs r CROSS JOIN (VALUES ('m0'), ('m1')) AS keys(k)",
  );
  await db.query("INSERT INTO params (run_key, key, value) SELECT r.run_key, k, 'v' || ((r.run_key + length(k)) % 50) FROM runs r CROSS JOIN (VALUES ('p0'), ('p1')) AS keys(k)");
  await db.query("INSERT INTO tags (run_key, key, value) SELECT run_key, 'mlflow.runName', name FROM runs");
  await db.query("VACUUM ANALYZE");
  const generateSeconds = (Date.now() - generateStarted) / 1000;
  const queries: Record<string, Partial<RunSearch>> = {
    "one experiment, default order": {},
    "order by start_time ASC": { orderBy: parseRunOrderBy(["attributes.start_time ASC"]) },
    "metric filter (metrics.m0 > 0.999)": { filter: parseRunFilter("metrics.m0 > 0.999") },
    "param filter (params.p0 = 'v3')": { filter: parseRunFilter("params.p0 = 'v3'") },
    "metric order (metrics.m1 DESC)": { orderBy: parseRunOrderBy(["metrics.m1 DESC"]) },
  };
  const results: Record<string, object> = {};
  for (const [name, query] of Object.entries(queries)) {
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < 15; i += 1) {
      const started = performance.now();
      const page = await store.searchRuns({ experimentIds: [String(experimentId)], viewType: "ACTIVE_ONLY", orderBy: [], maxResults: 100, ...query });
      times.push(performance.now() - started);
      items = page.items.length;
    }
    times.sort((a, b) => a - b);
    results[name] = { p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)), items };
  }
  // The ordering by a metric as one query over every run (before the tiers of compileRunSearchTiers), beside the
  // tiers' first query: the run keys of the page only, the same rows.
  const orderScope = { experimentIds: [experimentId], stages: ["active" as const], orderBy: parseRunOrderBy(["metrics.m1 DESC"]), limit: 101, offset: 0 };
  const keysOnly = async (compiled: CompiledQuery): Promise<number> => (await db.query(compiled.sql, compiled.params)).length;
  results["metric order keys, one query (before)"] = await timeQuery(() => keysOnly(compileRunSearch(postgresDialect, orderScope)), 5);
  results["metric order keys, tiers (after)"] = await timeQuery(async () => {
    const queries = compileRunSearchTiers(postgresDialect, orderScope);
    return (await runQueryTiers(queries, orderScope, async (compiled) => (await db.query<{ run_key: number }>(compiled.sql, compiled.params)).map((row) => row.run_key))).length;
  }, 15);
  const plan = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN ANALYZE ${compileRunSearchTiers(postgresDialect, orderScope)[0]?.sql ?? ""}`, compileRunSearchTiers(postgresDialect, orderScope)[0]?.params ?? []);
  await db.close();
  return { runs: SEARCH_RUNS, maxResults: 100, generateSeconds: round(generateSeconds, 1), queries: results, metricOrderPlan: plan.map((row) => row["QUERY PLAN"]) };
};

const timeQuery = async (work: () => Promise<number> | number, repeats: number): Promise<object> => {
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < repeats; i += 1) {
    const started = performance.now();
    items = await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)), items };
};

/** The same data set and the metric ordering on SQLite (part d): the search through the store, and its key query before. */
const sqliteSearchBench = async (): Promise<object> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-search-"));
  const store = await openSqliteTrackingStore(path.join(dir, "cairn.db"));
  try {
    const generateStarted = Date.now();
    const experimentId = await store.createExperiment({ name: "search", defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], now: 1 });
    const db = store.database;
    db.transaction(() => {
      db.prepare(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?) " +
          "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri) " +
          "SELECT printf('%032x', n), ?, 'run-' || n, 'user' || (n % 10), 'FINISHED', 1700000000000 + n * 1000, 1700000000000 + n * 1000 + 500, " +
          "CASE WHEN n % 100 = 0 THEN 'deleted' ELSE 'active' END, 'mlflow-artifacts:/' || n FROM g",
      ).run(SEARCH_RUNS, Number(experimentId));
      db.prepare(
        "INSERT INTO latest_metrics (run_key, key, step, timestamp, value, is_nan) SELECT r.run_key, k.k, 100, r.start_time, " +
          "((r.run_key * 2654435761 + length(k.k) * 40503) % 1000000) / 1000000.0, 0 FROM runs r, (SELECT 'm0' AS k UNION ALL SELECT 'm1') k",
      ).run();
    })();
    db.exec("ANALYZE");
    const generateSeconds = (Date.now() - generateStarted) / 1000;
    const search: Partial<RunSearch> = { orderBy: parseRunOrderBy(["metrics.m1 DESC"]) };
    const through = await timeQuery(
      async () => (await store.searchRuns({ experimentIds: [experimentId], viewType: "ACTIVE_ONLY", orderBy: [], maxResults: 100, ...search })).items.length,
      15,
    );
    const orderScope = { experimentIds: [Number(experimentId)], stages: ["active" as const], orderBy: parseRunOrderBy(["metrics.m1 DESC"]), limit: 101, offset: 0 };
    const single = compileRunSearch(sqliteDialect, orderScope);
    const before = await timeQuery(() => db.prepare(single.sql).all(...single.params).length, 3);
    return { runs: SEARCH_RUNS, generateSeconds: round(generateSeconds, 1), "metric order (metrics.m1 DESC), through the store": through, "metric order keys, one query (before)": before };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
};

const measure = async (label: string, work: () => Promise<number>, repeats = 5): Promise<object> => {
  const times: number[] = [];
  let peakGrowth = 0;
  let rows = 0;
  for (let i = 0; i < repeats; i += 1) {
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const started = performance.now();
    rows = await work();
    times.push(performance.now() - started);
    clearInterval(sampler);
    peakGrowth = Math.max(peakGrowth, Math.max(peak, process.memoryUsage().rss) - before);
  }
  times.sort((a, b) => a - b);
  return { label, p50Ms: round(percentile(times, 50)), maxMs: round(times[times.length - 1] ?? 0), rssGrowthMb: mb(peakGrowth), rows };
};

const historyBench = async (store: TrackingStore, runIds: string[]): Promise<object> => {
  const before = await measure("all rows into JS, then sampled (before)", async () => {
    const history: MetricWithRunId[] = await store.getMetricHistoryForRuns({ runIds, key: "loss", startStep: Number.MIN_SAFE_INTEGER, endStep: Number.MAX_SAFE_INTEGER });
    return sampleMetricHistory(runIds, history, 320, undefined).length;
  }, 3);
  const after = await measure("sampled in the database (after)", async () =>
    orderSampledHistory(runIds, await store.getSampledMetricHistory({ runIds, key: "loss", maxResults: 320 })).length,
  );
  const whole = async (): Promise<number> => (await store.getMetricHistory(runIds[0] as string, "loss", { maxResults: Number.MAX_SAFE_INTEGER })).items.length;
  const inPages = async (): Promise<number> => {
    let count = 0;
    let pageToken: string | undefined;
    do {
      const page = await store.getMetricHistory(runIds[0] as string, "loss", { maxResults: 10_000, ...(pageToken ? { pageToken } : {}) });
      count += page.items.length;
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    return count;
  };
  const onePage = await measure("get-history, one page of 100,000", whole);
  const paged = await measure("get-history, pages of 10,000", inPages);
  // The two differ by a few percent, less than one measurement's spread: rounds alternate the order and the
  // median of the per-round ratios is the figure.
  const ratios: number[] = [];
  for (let i = 0; i < 11; i += 1) {
    const first = i % 2 === 0 ? whole : inPages;
    const t0 = performance.now();
    await first();
    const t1 = performance.now();
    await (first === whole ? inPages : whole)();
    const t2 = performance.now();
    ratios.push(first === whole ? (t1 - t0) / (t2 - t1) : (t2 - t1) / (t1 - t0));
  }
  ratios.sort((a, b) => a - b);
  const onePageToPaged = { medianRatio: round(percentile(ratios, 50), 3), rounds: ratios.map((r) => round(r, 3)), target: "<= 1 (one page no slower than pages)" };
  return { bulkInterval: { before, after }, getHistory: { onePage, paged, onePageToPaged } };
};

const historyRunIds = Array.from({ length: HISTORY_RUNS }, (_, i) => `${String(i).padStart(2, "0")}${"b".repeat(30)}`);

const pgHistoryBench = async (cluster: PostgresCluster): Promise<object> => {
  const { db, store } = await createDatabase(cluster, "bench_history");
  const experimentId = await store.createExperiment({ name: "history", defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], now: Date.now() });
  for (const runId of historyRunIds) {
    await store.createRun({ runId, experimentId, userId: "bench", runName: runId, status: "RUNNING", startTime: Date.now(), artifactUri: "x", tags: [] });
  }
  await db.query(
    "INSERT INTO metrics (run_key, key, step, timestamp, value, is_nan) SELECT r.run_key, 'loss', g, 1700000000000 + g, g * 0.001, 0 " +
      "FROM runs r CROSS JOIN generate_series(0, $1 - 1) g WHERE r.run_uuid = ANY($2::text[])",
    [HISTORY_STEPS, historyRunIds],
  );
  await db.query("VACUUM ANALYZE");
  const result = await historyBench(store, historyRunIds);
  await db.close();
  return result;
};

const sqliteHistoryBench = async (): Promise<object> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-history-"));
  const store = await openSqliteTrackingStore(path.join(dir, "cairn.db"));
  try {
    const experimentId = await store.createExperiment({ name: "history", defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], now: Date.now() });
    for (const runId of historyRunIds) {
      await store.createRun({ runId, experimentId, userId: "bench", runName: runId, status: "RUNNING", startTime: Date.now(), artifactUri: "x", tags: [] });
    }
    store.database
      .prepare(
        "WITH RECURSIVE g(step) AS (SELECT 0 UNION ALL SELECT step + 1 FROM g WHERE step < ? - 1) " +
          "INSERT INTO metrics (run_key, key, step, timestamp, value, is_nan) SELECT r.run_key, 'loss', g.step, 1700000000000 + g.step, g.step * 0.001, 0 " +
          "FROM runs r, g WHERE r.run_uuid IN (SELECT value FROM json_each(?))",
      )
      .run(HISTORY_STEPS, JSON.stringify(historyRunIds));
    return await historyBench(store, historyRunIds);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
};

export const runPgTrackingBenchmarks = async (): Promise<object> => {
  const cluster = await startPostgresCluster({ fast: false });
  try {
    const result: Record<string, object> = {};
    if (PARTS.has("a")) result.logBatch = await logBatchBench(cluster);
    if (PARTS.has("b")) result.search = await searchBench(cluster);
    if (PARTS.has("d")) result.sqliteSearch = await sqliteSearchBench();
    if (PARTS.has("c")) result.bulkInterval = { sqlite: await sqliteHistoryBench(), postgresql: await pgHistoryBench(cluster) };
    return result;
  } finally {
    cluster.stop();
  }
};
