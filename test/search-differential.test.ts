import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetInput, Metric, Run, RunStatus, ViewType } from "../src/protocol/mlflow/entities.js";
import { dropTempPgTrackingDatabase, openTempPgTrackingStores } from "../src/stores/postgres/test-support/temp-tracking-stores.js";
import { openSqliteTrackingStore } from "../src/stores/sqlite/index.js";
import type { FilterExpression, OrderByClause } from "../src/tracking/search/ast.js";
import { filterRuns, sortRuns } from "../src/tracking/search/evaluate.js";
import { parseRunFilter } from "../src/tracking/search/parse-filter.js";
import { parseRunOrderBy } from "../src/tracking/search/parse-order-by.js";
import type { TrackingStore } from "../src/tracking/store.js";

/**
 * Differential test: random runs logged into a real store (SQLite, then PostgreSQL), random filter strings and order_bys (through the
 * parsers), and the store's searchRuns must return exactly the in-memory evaluator's runs in exactly its order,
 * page by page too. The expected runs are built from what the test logged, not read back from the store.
 */

/** mulberry32: small, seedable, good enough to pick test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20240611;
const RUN_COUNT = 300;
const FILTER_COUNT = 3000;

const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const chance = (p: number): boolean => random() < p;
const hex = (n: number): string => Array.from({ length: n }, () => pick("0123456789abcdef".split(""))).join("");

const METRIC_KEYS = ["acc", "loss", "m.x", "a b", "Mixed"];
const PARAM_KEYS = ["lr", "opt", "p q", "50%", "it's"];
const TAG_KEYS = ["team", "note", "mlflow.note", "T"];
const METRIC_VALUES = [0, -0, 1, -1, 0.5, -2.5, 1e3, 42, 42, NaN, Infinity, -Infinity, 3.25];
const STRINGS = ["a", "A", "abc", "ABC", "aBc", "it's", "50%", "a_b", "a%b", "", " ", "x'y\"z", "Ünï", "path\\to", "0.1", "0.01", "--", "%", "_"];
const STATUSES: RunStatus[] = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];
const USERS = ["alice", "Bob", "o'neil", "x_y"];
const START_TIMES = [1000, 1000, 2000, 3000, 3000, 4000, 5000];
const DATASETS = [
  { name: "iris", digest: "d1" },
  { name: "Iris", digest: "d2" },
  { name: "wine%", digest: "d3" },
  { name: "it's", digest: "D4" },
];
const CONTEXTS = ["train", "eval", "Train", "te_st"];

interface Model {
  runs: Run[];
  experimentId: string;
  otherExperimentId: string;
}

function latest(history: Metric[]): Metric {
  // Highest step, then timestamp; the test never logs two points with the same (step, timestamp).
  return history.reduce((best, m) =>
    m.step > best.step || (m.step === best.step && m.timestamp > best.timestamp) ? m : best,
  );
}

async function populate(store: TrackingStore): Promise<Model> {
  const experimentId = await store.createExperiment({
    name: "differential",
    defaultArtifactLocation: (id) => `file:///artifacts/${id}`,
    tags: [],
    now: 1,
  });
  const otherExperimentId = await store.createExperiment({
    name: "other",
    defaultArtifactLocation: (id) => `file:///artifacts/${id}`,
    tags: [],
    now: 1,
  });
  const runs: Run[] = [];
  for (let i = 0; i < RUN_COUNT; i++) {
    const inOther = i % 10 === 9;
    const runId = hex(32);
    const runName = chance(0.5) ? pick(STRINGS) || "unnamed" : `run-${i}`;
    const userId = pick(USERS);
    const startTime = pick(START_TIMES);
    const artifactUri = `file:///artifacts/${runId}${chance(0.2) ? "/A_%" : ""}`;
    let status: RunStatus = "RUNNING";
    await store.createRun({
      runId,
      experimentId: inOther ? otherExperimentId : experimentId,
      userId,
      runName,
      status,
      startTime,
      artifactUri,
      tags: [],
    });
    let endTime: number | undefined;
    if (chance(0.6)) {
      status = pick(STATUSES);
      endTime = chance(0.8) ? startTime + Math.floor(random() * 3) * 500 : undefined;
      await store.updateRun(runId, { status, ...(endTime === undefined ? {} : { endTime }) });
    }

    const histories = new Map<string, Metric[]>();
    for (const key of METRIC_KEYS) {
      if (!chance(0.7)) continue;
      const points = 1 + Math.floor(random() * 3);
      histories.set(
        key,
        Array.from({ length: points }, (_, step) => ({ key, value: pick(METRIC_VALUES), timestamp: 100 + step, step })),
      );
    }
    const params = PARAM_KEYS.filter(() => chance(0.6)).map((key) => ({ key, value: pick(STRINGS) }));
    const tags = TAG_KEYS.filter(() => chance(0.6)).map((key) => ({ key, value: pick(STRINGS) }));
    const allMetrics = [...histories.values()].flat();
    // Log in two batches, history shuffled, so "latest" is computed by the store, not by arrival order.
    allMetrics.sort(() => random() - 0.5);
    const half = Math.floor(allMetrics.length / 2);
    await store.logBatch(runId, { metrics: allMetrics.slice(0, half), params, tags: [] });
    await store.logBatch(runId, { metrics: allMetrics.slice(half), params: [], tags });

    const inputs: DatasetInput[] = DATASETS.filter(() => chance(0.3)).map((d) => ({
      dataset: { ...d, source_type: "local", source: "file:///data" },
      tags: chance(0.7) ? [{ key: "mlflow.data.context", value: pick(CONTEXTS) }] : [],
    }));
    if (inputs.length > 0) await store.logInputs(runId, inputs);

    const deleted = chance(0.1);
    if (deleted) await store.setRunLifecycle(runId, "deleted", 10);

    if (inOther) continue;
    runs.push({
      info: {
        run_id: runId,
        run_uuid: runId,
        run_name: runName,
        experiment_id: experimentId,
        user_id: userId,
        status,
        start_time: startTime,
        ...(endTime === undefined ? {} : { end_time: endTime }),
        artifact_uri: artifactUri,
        lifecycle_stage: deleted ? "deleted" : "active",
      },
      data: { metrics: [...histories.values()].map(latest), params, tags },
      inputs: { dataset_inputs: inputs },
    });
  }
  return { runs, experimentId, otherExperimentId };
}

// ---- random filter strings ----

const ALIASES = {
  metric: ["metrics", "metric"],
  param: ["params", "param", "parameter", "parameters"],
  tag: ["tags", "tag"],
  attribute: ["attributes", "attribute", "attr", "run"],
  dataset: ["datasets", "dataset"],
};

const randomCase = (word: string): string =>
  word
    .split("")
    .map((c) => (chance(0.3) ? c.toLowerCase() : c))
    .join("");

const quoteString = (value: string): string =>
  chance(0.7) || value.includes('"') ? `'${value.replace(/'/g, "''")}'` : `"${value}"`;

const quoteKey = (key: string): string =>
  /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(key) && chance(0.5)
    ? key
    : chance(0.5) && !key.includes("`")
      ? `\`${key}\``
      : `"${key.replace(/"/g, '""')}"`;

const LIKE_PATTERNS = ["%", "a%", "%b%", "A_C", "%'%", "50%%", "%\\%", "_", "", "i%", "%r%", "Ü%", "%_%"];

function stringValue(): string {
  return chance(0.5) ? pick(STRINGS) : pick(LIKE_PATTERNS);
}

function comparisonString(): string {
  const kind = pick(["metric", "metric", "param", "param", "tag", "attribute", "attribute", "dataset", "null"] as const);
  const field = (entity: keyof typeof ALIASES, key: string): string => `${pick(ALIASES[entity])}.${quoteKey(key)}`;
  switch (kind) {
    case "metric": {
      const value = pick(["0", "-0", "1", "-1", "0.5", "-2.5", "1e3", "42", "3.25", "1e400", "-1e400", ".5"]);
      return `${field("metric", pick([...METRIC_KEYS, "missing"]))} ${pick(["=", "!=", ">", ">=", "<", "<="])} ${value}`;
    }
    case "param":
    case "tag": {
      const keys = kind === "param" ? [...PARAM_KEYS, "missing"] : [...TAG_KEYS, "missing"];
      const comparator = pick(["=", "!=", "LIKE", "ILIKE", "like", "ilike"]);
      return `${field(kind, pick(keys))} ${comparator} ${quoteString(stringValue())}`;
    }
    case "attribute": {
      if (chance(0.35)) {
        const key = pick(["start_time", "end_time", "created", "Created"]);
        const value = pick(["1000", "2000", "2500", "3000", "0", "-1", "5500"]);
        const prefix = chance(0.3) ? "" : `${pick(ALIASES.attribute)}.`;
        return `${prefix}${key} ${pick(["=", "!=", ">", ">=", "<", "<="])} ${value}`;
      }
      const key = pick(["run_id", "run_name", "status", "user_id", "artifact_uri", "`Run Name`"]);
      const prefix = chance(0.3) ? "" : `${pick(ALIASES.attribute)}.`;
      const comparator = pick(["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN", "not in"]);
      const pool = key === "status" ? STATUSES : key === "user_id" ? USERS : STRINGS;
      if (comparator.toUpperCase().endsWith("IN")) {
        const values = Array.from({ length: 1 + Math.floor(random() * 3) }, () => quoteString(pick(pool)));
        return `${prefix}${key} ${comparator} (${values.join(", ")})`;
      }
      return `${prefix}${key} ${comparator} ${quoteString(chance(0.5) ? pick(pool) : stringValue())}`;
    }
    case "dataset": {
      const key = pick(["name", "digest", "context"]);
      const pool = key === "name" ? DATASETS.map((d) => d.name) : key === "digest" ? DATASETS.map((d) => d.digest) : CONTEXTS;
      const comparator = pick(["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"]);
      if (comparator.endsWith("IN")) return `${field("dataset", key)} ${comparator} (${quoteString(pick(pool))}, ${quoteString(pick(pool))})`;
      return `${field("dataset", key)} ${comparator} ${quoteString(chance(0.6) ? pick(pool) : stringValue())}`;
    }
    case "null": {
      const which = pick(["metric", "param", "tag", "attribute"] as const);
      const key =
        which === "metric" ? pick(METRIC_KEYS) : which === "param" ? pick(PARAM_KEYS) : which === "tag" ? pick(TAG_KEYS) : pick(["end_time", "run_name", "status"]);
      return `${field(which, key)} ${randomCase(pick(["IS NULL", "IS NOT NULL"]))}`;
    }
  }
}

function filterString(depth: number): string {
  if (depth >= 3 || chance(0.45)) return comparisonString();
  const count = 2 + Math.floor(random() * 2);
  const joiner = chance(0.5) ? randomCase("AND") : randomCase("OR");
  const parts = Array.from({ length: count }, () => {
    const inner = filterString(depth + 1);
    return chance(0.6) ? `(${inner})` : inner;
  });
  return parts.join(` ${joiner} `);
}

function orderByStrings(): string[] {
  const fields = [
    ...METRIC_KEYS.map((k) => `${pick(ALIASES.metric)}.${quoteKey(k)}`),
    ...PARAM_KEYS.map((k) => `${pick(ALIASES.param)}.${quoteKey(k)}`),
    ...TAG_KEYS.map((k) => `${pick(ALIASES.tag)}.${quoteKey(k)}`),
    ...["start_time", "end_time", "run_name", "status", "user_id", "run_id", "artifact_uri"].map((k) => `attributes.${k}`),
    "metrics.missing",
  ];
  const count = Math.floor(random() * 4);
  const chosen: string[] = [];
  while (chosen.length < count) {
    const candidate = pick(fields);
    if (!chosen.includes(candidate)) chosen.push(candidate);
  }
  return chosen.map((f) => (chance(0.3) ? f : `${f} ${randomCase(pick(["ASC", "DESC"]))}`));
}

// ---- the comparison ----

const stageMatches = (run: Run, viewType: ViewType): boolean =>
  viewType === "ALL" || (viewType === "ACTIVE_ONLY") === (run.info.lifecycle_stage === "active");

async function searchAll(
  store: TrackingStore,
  experimentIds: string[],
  filter: FilterExpression | undefined,
  orderBy: OrderByClause[],
  viewType: ViewType,
  pageSize: number,
): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.searchRuns({
      experimentIds,
      ...(filter === undefined ? {} : { filter }),
      orderBy,
      viewType,
      maxResults: pageSize,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    expect(page.items.length).toBeLessThanOrEqual(pageSize);
    ids.push(...page.items.map((r) => r.info.run_id));
    if (page.nextPageToken === undefined) return ids;
    pageToken = page.nextPageToken;
  }
  throw new Error("paging did not end");
}

/** Both backends answer the same generated corpus: each must equal the evaluator, so they equal each other. */
const describeDifferential = (
  backend: string,
  filterCount: number,
  open: () => Promise<{ store: TrackingStore; cleanup(): Promise<void> }>,
) =>
describe(`run search: ${backend} store vs in-memory evaluator`, () => {
  let store: TrackingStore;
  let cleanup: () => Promise<void>;
  let model: Model;

  beforeAll(async () => {
    ({ store, cleanup } = await open());
    model = await populate(store);
  }, 120_000);

  afterAll(async () => {
    await cleanup?.();
  });

  it("stored runs read back as the model the evaluator uses", async () => {
    for (const expected of model.runs.slice(0, 40)) {
      const actual = await store.getRun(expected.info.run_id);
      expect(actual?.info).toEqual(expected.info);
      const byKey = (a: { key: string }, b: { key: string }): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
      // SQLite keeps no negative zero (-0 reads back as 0); equal for every comparison, so compare with ==.
      const unsigned = (ms: readonly Metric[]): Metric[] => [...ms].sort(byKey).map((m) => ({ ...m, value: m.value === 0 ? 0 : m.value }));
      expect(unsigned(actual?.data.metrics ?? [])).toEqual(unsigned(expected.data.metrics));
      expect([...(actual?.data.params ?? [])].sort(byKey)).toEqual([...expected.data.params].sort(byKey));
    }
  });

  it(`agrees on ${filterCount} random filters and order_bys, including paging`, async () => {
    const disagreements: string[] = [];
    let nonEmpty = 0;
    for (let i = 0; i < filterCount && disagreements.length < 5; i++) {
      const filterText = chance(0.05) ? "" : filterString(0);
      const orderText = orderByStrings();
      const viewType: ViewType = pick(["ACTIVE_ONLY", "ACTIVE_ONLY", "DELETED_ONLY", "ALL"]);
      const filter = parseRunFilter(filterText);
      const orderBy = parseRunOrderBy(orderText);
      const expected = sortRuns(
        filterRuns(model.runs.filter((r) => stageMatches(r, viewType)), filter),
        orderBy,
      ).map((r) => r.info.run_id);
      if (expected.length > 0) nonEmpty++;
      const pageSize = i % 10 === 0 ? 1 + Math.floor(random() * 40) : 50_000;
      const actual = await searchAll(store, [model.experimentId], filter, orderBy, viewType, pageSize);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        disagreements.push(
          `filter: ${filterText}\norder_by: ${JSON.stringify(orderText)}\nview: ${viewType} page size: ${pageSize}\n` +
            `expected ${expected.length}: ${expected.slice(0, 8).join(",")}\nactual   ${actual.length}: ${actual.slice(0, 8).join(",")}`,
        );
      }
    }
    expect(disagreements).toEqual([]);
    // The generator must produce filters that select something, or the test proves little.
    expect(nonEmpty).toBeGreaterThan(filterCount / 4);
  }, 300_000);

  it("restricts to the requested experiments", async () => {
    const both = await searchAll(store, [model.experimentId, model.otherExperimentId], undefined, [], "ALL", 50_000);
    const one = await searchAll(store, [model.experimentId], undefined, [], "ALL", 50_000);
    expect(one).toEqual(sortRuns(model.runs, []).map((r) => r.info.run_id));
    expect(both.length).toBe(RUN_COUNT);
  });
});

describeDifferential("SQLite", FILTER_COUNT, async () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-search-diff-"));
  const store = await openSqliteTrackingStore(join(dir, "cairn.db"));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// A third of the corpus: each PostgreSQL search is a dozen round trips, and this must stay well inside the timeout.
describeDifferential("PostgreSQL", FILTER_COUNT / 3, async () => {
  const { tracking, cleanup } = await openTempPgTrackingStores();
  return {
    store: tracking,
    cleanup: async () => {
      await cleanup();
      await dropTempPgTrackingDatabase();
    },
  };
});
