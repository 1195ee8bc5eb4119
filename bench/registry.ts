import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteRegistryStore } from "../src/stores/sqlite/sqlite-registry-store.js";
import { spawnServer } from "../test/support/spawn-server.js";
import { percentile } from "./stats.js";

/**
 * The registry benchmarks of issue 3, on the embedded default (server in its own process, requests from this one):
 *  - resolving models:/<name>@<alias> (GET registered-models/alias, what MLflow clients call) and setting an alias
 *    (POST registered-models/alias, which also checks promotion rules and appends to the audit trail): p50, p99;
 *  - search among 10,000 registered models with 10 versions each: p50 through HTTP and straight through the store.
 */
const MODELS = Number(process.env.BENCH_MODELS ?? 10_000);
const VERSIONS = 10;
const ITERATIONS = 300;
const api = "/api/2.0/mlflow";
const json = { "content-type": "application/json" };

const round = (value: number): number => Number(value.toFixed(3));
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50_ms: round(percentile(sorted, 50)), p99_ms: round(percentile(sorted, 99)) };
};

const timed = async (work: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

const modelName = (i: number): string => `model-${String(i).padStart(5, "0")}`;

/** 10,000 models x 10 versions written straight through the store (setup, not measured). */
const populate = async (file: string): Promise<void> => {
  const db = openDatabase(file);
  const store = new SqliteRegistryStore(db);
  const now = Date.now();
  for (let m = 0; m < MODELS; m += 1) {
    const name = modelName(m);
    await store.createRegisteredModel({ name, tags: [{ key: "team", value: `team-${m % 20}` }], now });
    for (let v = 0; v < VERSIONS; v += 1) {
      await store.createModelVersion({ name, source: `mlflow-artifacts:/1/run-${m}-${v}/artifacts/model`, tags: [], now });
    }
    await store.setAlias(name, "champion", "3", now);
  }
  db.close();
};

const expectOk = async (response: Response): Promise<void> => {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  await response.arrayBuffer();
};

export const runRegistryBenchmarks = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-registry-"));
  try {
    const file = path.join(dir, "registry.db");
    const populateStarted = performance.now();
    await populate(file);
    const populateSeconds = (performance.now() - populateStarted) / 1000;

    const filter = "name LIKE 'model-001%'"; // 100 of the models
    const storeTimes: number[] = [];
    {
      const db = openDatabase(file);
      const store = new SqliteRegistryStore(db);
      const { parseRegisteredModelFilter } = await import("../src/registry/search/index.js");
      const parsed = parseRegisteredModelFilter(filter);
      for (let i = 0; i < 50; i += 1) {
        storeTimes.push(await timed(async () => {
          await store.searchRegisteredModels({ filter: parsed, orderBy: [], maxResults: 100 });
        }));
      }
      db.close();
    }

    const server = await spawnServer(file, path.join(dir, "artifacts"));
    const resolveTimes: number[] = [];
    const setTimes: number[] = [];
    const searchTimes: number[] = [];
    let searchResults = 0;
    try {
      for (let i = 0; i < ITERATIONS; i += 1) {
        const name = modelName((i * 7919) % MODELS);
        resolveTimes.push(await timed(async () => {
          await expectOk(await fetch(`${server.url}${api}/registered-models/alias?name=${name}&alias=champion`));
        }));
        setTimes.push(await timed(async () => {
          await expectOk(await fetch(`${server.url}${api}/registered-models/alias`, {
            method: "POST",
            headers: json,
            body: JSON.stringify({ name, alias: "champion", version: String(1 + (i % VERSIONS)) }),
          }));
        }));
      }
      for (let i = 0; i < 50; i += 1) {
        searchTimes.push(await timed(async () => {
          const response = await fetch(`${server.url}${api}/registered-models/search?${new URLSearchParams({ filter, max_results: "100" })}`);
          const body = (await response.json()) as { registered_models?: unknown[] };
          searchResults = body.registered_models?.length ?? 0;
        }));
      }
    } finally {
      await server.stop();
    }
    return {
      models: MODELS,
      versions_per_model: VERSIONS,
      populate_s: Number(populateSeconds.toFixed(1)),
      resolve_alias_http: summary(resolveTimes.slice(10)),
      set_alias_http: summary(setTimes.slice(10)),
      search_http: { filter, results: searchResults, ...summary(searchTimes.slice(5)), target: "p50 < 20 ms" },
      search_store_baseline: summary(storeTimes.slice(5)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
