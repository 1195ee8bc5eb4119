import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RegistryStore } from "../src/registry/store.js";
import { parseRegisteredModelFilter } from "../src/registry/search/index.js";
import { upgradePostgres } from "../src/stores/postgres/migrations.js";
import { parsePostgresUri } from "../src/stores/postgres/connection-uri.js";
import { PgDatabase } from "../src/stores/postgres/pg-database.js";
import { PgRegistryStore } from "../src/stores/postgres/pg-registry-store.js";
import { startPostgresCluster } from "../src/stores/postgres/test-support/postgres-cluster.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteRegistryStore } from "../src/stores/sqlite/sqlite-registry-store.js";
import { percentile } from "./stats.js";
import { createBenchDatabase } from "./pg-bench-database.js";

/**
 * The registry's read traffic and version creation on PostgreSQL, with the SQLite store as the baseline in the same
 * run (same data, same calls, store level, no HTTP): alias lookups (what serving and `models:/name@alias` resolve),
 * a name-prefix search of 100 models, alias lookups with 8 in flight (a replica's pool serving concurrent requests),
 * and model-version creation with two pools on one model (two replicas). PostgreSQL runs with its default
 * durability (fsync on). `npm run bench -- pg-registry`; BENCH_MODELS sets the model count (default 2,000 x 10 versions).
 */
const MODELS = Number(process.env.BENCH_MODELS ?? 2_000);
const VERSIONS = 10;
const LOOKUPS = 2_000;

const round = (value: number): number => Number(value.toFixed(3));
const modelName = (i: number): string => `model-${String(i).padStart(5, "0")}`;

const latencies = async (count: number, work: (i: number) => Promise<unknown>): Promise<{ p50_ms: number; p99_ms: number }> => {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await work(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50_ms: round(percentile(times, 50)), p99_ms: round(percentile(times, 99)) };
};

const perSecond = async (count: number, inFlight: number, work: (i: number) => Promise<unknown>): Promise<number> => {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return Math.round(count / ((performance.now() - started) / 1000));
};

type Unit = (work: () => Promise<void>) => Promise<void>;

/** Setup, not a figure: each model with its versions and alias in one unit (one commit on PostgreSQL, where fsync rules). */
const populate = async (store: RegistryStore, unit: Unit): Promise<void> => {
  for (let m = 0; m < MODELS; m += 1) await unit(() => populateModel(store, m));
};

const populateModel = async (store: RegistryStore, m: number): Promise<void> => {
  {
    const name = modelName(m);
    await store.createRegisteredModel({ name, tags: [{ key: "team", value: `team-${m % 20}` }], now: 1 });
    for (let v = 0; v < VERSIONS; v += 1) {
      await store.createModelVersion({ name, source: `mlflow-artifacts:/1/run-${m}-${v}/artifacts/model`, tags: [], now: 2 });
    }
    await store.setAlias(name, "champion", "3", 3);
  }
};

const measure = async (store: RegistryStore, second: RegistryStore, unit: Unit) => {
  await populate(store, unit);
  const filter = parseRegisteredModelFilter("name LIKE 'model-001%'");
  const lookup = (i: number) => store.getVersionByAlias(modelName((i * 7919) % MODELS), "champion");
  await latencies(200, lookup); // warm-up
  const alias = await latencies(LOOKUPS, lookup);
  const search = await latencies(100, () => store.searchRegisteredModels({ filter, orderBy: [], maxResults: 100 }));
  const aliasConcurrent = await perSecond(LOOKUPS * 2, 8, lookup);
  await store.createRegisteredModel({ name: "contended", tags: [], now: 4 });
  const contended = await perSecond(400, 8, (i) =>
    (i % 2 === 0 ? store : second).createModelVersion({ name: "contended", source: "s", tags: [], now: 5 }),
  );
  const versions = (await store.getRegisteredModel("contended"))?.latest_versions.map((v) => v.version);
  if (versions?.[0] !== "400") throw new Error(`contended model ends at version ${String(versions)}, expected 400`);
  return {
    alias_lookup: alias,
    search_100_of_models: search,
    alias_lookups_per_s_8_in_flight: aliasConcurrent,
    /** One commit each: on PostgreSQL with fsync on, bounded by the disk's flush latency. */
    contended_versions_per_s_two_connections: contended,
  };
};

export const runPgRegistryBenchmarks = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-pg-registry-"));
  const cluster = await startPostgresCluster({ fast: false });
  try {
    const uri = await createBenchDatabase(cluster.adminUrl, "bench");
    const one = new PgDatabase(parsePostgresUri(uri));
    const two = new PgDatabase(parsePostgresUri(uri));
    await upgradePostgres(one);
    const postgres = await measure(new PgRegistryStore(one), new PgRegistryStore(two), (work) => one.transaction(work));
    await one.close();
    await two.close();

    const file = path.join(dir, "registry.db");
    const first = openDatabase(file);
    const other = openDatabase(file);
    const sqlite = await measure(new SqliteRegistryStore(first), new SqliteRegistryStore(other), (work) => work());
    first.close();
    other.close();

    return {
      models: MODELS,
      versions_per_model: VERSIONS,
      postgresql: postgres,
      sqlite_baseline: sqlite,
      ratio_postgresql_to_sqlite: {
        alias_lookup_p50: round(postgres.alias_lookup.p50_ms / sqlite.alias_lookup.p50_ms),
        search_p50: round(postgres.search_100_of_models.p50_ms / sqlite.search_100_of_models.p50_ms),
        alias_lookups_per_s_8_in_flight: round(postgres.alias_lookups_per_s_8_in_flight / sqlite.alias_lookups_per_s_8_in_flight),
      },
    };
  } finally {
    cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
};
