import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { AuditService } from "../src/audit/service.js";
import { systemContext } from "../src/core/actor.js";
import { openLocalArtifactStore } from "../src/stores/artifact-stores/local/index.js";
import { migrateSqliteToPostgres } from "../src/stores/migrate/migrate-database.js";
import { parsePostgresUri } from "../src/stores/postgres/connection-uri.js";
import { PgDatabase } from "../src/stores/postgres/pg-database.js";
import { startPostgresCluster } from "../src/stores/postgres/test-support/postgres-cluster.js";
import type { Migration } from "../src/stores/sql/migration.js";
import { migrate } from "../src/stores/sqlite/migrations.js";
import { openSqliteMetadataStores } from "../src/stores/sqlite/open-stores.js";
import { GcService } from "../src/tracking/gc/gc-service.js";
import { generateCairnDataset } from "../test/support/cairn-dataset.js";

/**
 * Issue 14 parts 4 and 5:
 *  - the 10,000-run data set's generation time (target: under 60 s, so tests can build it);
 *  - `cairn gc` on it (GcService in-process): a dry run, then the removal of every deleted run;
 *  - `db migrate`'s copier on a metrics-shaped table of BENCH_ROWS rows (default 500,000) into PostgreSQL with its
 *    real durability, against the baseline of the same rows written by plain multi-row INSERTs of the same size into
 *    the same schema (no progress rows, no resume keys), in the same run; verification (two digests) timed apart.
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 500_000);
const seconds = (ms: number): number => Number((ms / 1000).toFixed(2));

const METRICS_SQLITE: Migration[] = [
  {
    version: 1,
    description: "metrics",
    sql: "CREATE TABLE metrics (run_key INTEGER NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL, value REAL NOT NULL, is_nan INTEGER NOT NULL, PRIMARY KEY (run_key, key, step, timestamp, value, is_nan)) WITHOUT ROWID",
  },
];
const METRICS_PG =
  'CREATE TABLE metrics (run_key BIGINT NOT NULL, key TEXT COLLATE "C" NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, is_nan BIGINT NOT NULL, PRIMARY KEY (run_key, key, step, timestamp, value, is_nan))';

export const runDbGcBenchmarks = async (): Promise<unknown> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-dbgc-"));
  const cluster = await startPostgresCluster({ fast: false });
  try {
    let started = performance.now();
    const data = await generateCairnDataset(path.join(dir, "dataset"), { runs: 10_000 });
    const generateMs = performance.now() - started;

    const stores = await openSqliteMetadataStores(data.dbPath);
    const artifacts = await openLocalArtifactStore(data.artifactsDir);
    const gcStore = stores.gc;
    if (gcStore === undefined) throw new Error("no gc store");
    const gc = new GcService(gcStore, artifacts, new AuditService(stores.audit));
    started = performance.now();
    const dry = await gc.run({ olderThanMs: 30 * 86_400_000, dryRun: true, now: Date.now(), context: systemContext("bench") });
    const dryMs = performance.now() - started;
    started = performance.now();
    const real = await gc.run({ olderThanMs: 30 * 86_400_000, dryRun: false, now: Date.now(), context: systemContext("bench") });
    const gcMs = performance.now() - started;
    await stores.close();

    const sqlite = new Database(path.join(dir, "metrics.db"));
    migrate(sqlite, METRICS_SQLITE);
    const insert = sqlite.prepare("INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?)");
    sqlite.transaction(() => {
      for (let i = 0; i < ROWS; i += 1) insert.run(Math.floor(i / 1000), `metric_${i % 7}`, i % 1000, 1_700_000_000_000 + i, i % 97 === 0 ? Number.POSITIVE_INFINITY : Math.sin(i), 0);
    })();
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    await admin.query("CREATE DATABASE bench_copy");
    await admin.query("CREATE DATABASE bench_baseline");
    await admin.end();
    const uriOf = (name: string): string => cluster.adminUrl.replace(/\/postgres$/, `/${name}`);

    // Baseline: the same rows, 1,000 per INSERT, 5,000 per transaction, into the same schema.
    const baseline = new PgDatabase(parsePostgresUri(uriOf("bench_baseline")), { statementTimeoutMs: 0 });
    await baseline.query(METRICS_PG);
    const rows = sqlite.prepare("SELECT run_key, key, step, timestamp, value, is_nan FROM metrics ORDER BY run_key, key, step, timestamp, value, is_nan").raw(true);
    started = performance.now();
    let chunk: unknown[][] = [];
    const flush = async (): Promise<void> => {
      const batch = chunk;
      chunk = [];
      await baseline.transaction(async () => {
        for (let s = 0; s < batch.length; s += 1000) {
          const slice = batch.slice(s, s + 1000);
          const values = slice.map((_, r) => `($${r * 6 + 1}, $${r * 6 + 2}, $${r * 6 + 3}, $${r * 6 + 4}, $${r * 6 + 5}, $${r * 6 + 6})`).join(", ");
          await baseline.query(`INSERT INTO metrics VALUES ${values}`, slice.flat().map((v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)));
        }
      });
    };
    for (const row of rows.iterate() as IterableIterator<unknown[]>) {
      chunk.push(row);
      if (chunk.length >= 5000) await flush();
    }
    await flush();
    const baselineMs = performance.now() - started;
    await baseline.close();

    const target = new PgDatabase(parsePostgresUri(uriOf("bench_copy")), { statementTimeoutMs: 0 });
    let copyDoneAt = 0;
    started = performance.now();
    const report = await migrateSqliteToPostgres(sqlite, target, {
      sourceMigrations: METRICS_SQLITE,
      targetMigrations: [{ version: 1, description: "metrics", sql: METRICS_PG }],
      sourceUri: "sqlite:///metrics.db",
      limits: {
        chunkRows: 5000,
        afterChunk: (_table, copied) => {
          if (copied >= ROWS) copyDoneAt = performance.now();
        },
      },
    });
    const totalMs = performance.now() - started;
    const copyMs = copyDoneAt - started;
    await target.close();
    sqlite.close();

    return {
      dataset: { runs: 10_000, generate_s: seconds(generateMs), target_s: 60 },
      gc: {
        dry_run_s: seconds(dryMs),
        run_s: seconds(gcMs),
        removed_runs: real.removedRuns.length,
        kept_runs: real.keptRuns.length,
        removed_experiments: real.removedExperiments.length,
        listed_by_dry_run: dry.removedRuns.length,
        ms_per_removed_run: Number((gcMs / Math.max(1, real.removedRuns.length)).toFixed(2)),
      },
      migrate_copier: {
        rows: ROWS,
        ok: report.ok,
        copy_s: seconds(copyMs),
        copy_rows_per_s: Math.round(ROWS / (copyMs / 1000)),
        baseline_insert_s: seconds(baselineMs),
        baseline_rows_per_s: Math.round(ROWS / (baselineMs / 1000)),
        ratio_copy_to_baseline_rate: Number((baselineMs / copyMs).toFixed(3)),
        verify_s: seconds(totalMs - copyMs),
      },
    };
  } finally {
    cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
};
