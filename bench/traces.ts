import autocannon from "autocannon";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteTrackingStore } from "../src/stores/sqlite/sqlite-tracking-store.js";
import { spawnServer } from "../test/support/spawn-server.js";
import { percentile } from "./stats.js";

/**
 * The trace benchmarks of issue 10, on the embedded default (server in its own process, load from this one):
 *  (a) SearchTracesV3 over 100,000 traces of one experiment, with a tag or metadata filter and the default order
 *      (newest first), p50 through HTTP; baseline in the same run: the same search without a filter.
 *  (b) trace ingest as the 3.x client sends it: StartTraceV3, then PUT traces.json of 20 spans, 8 concurrent
 *      clients, in traces/s; baseline in the same run: runs/create at the same concurrency, in requests/s.
 * BENCH_TRACES and BENCH_SECONDS shrink the runs for a quick look; the recorded figures use the defaults.
 */
const TRACES = Number(process.env.BENCH_TRACES ?? 100_000);
const CLIENTS = 8;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const SEARCHES = 200;
const SPANS = 20;
const v3 = "/api/3.0/mlflow";
const json = { "content-type": "application/json" };

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50_ms: round(percentile(sorted, 50), 3), p99_ms: round(percentile(sorted, 99), 3) };
};
const hex = (n: number): string => n.toString(16).padStart(32, "0");

/**
 * 100,000 traces as the 3.x client leaves them (previews, 6 metadata entries, 3 tags), written in one
 * transaction straight into the schema (setup, not measured): 20 topics (5 % each), 50 users (2 % each), and 20
 * traces of a rare topic.
 */
export const populate = (file: string): string => {
  const db = openDatabase(file);
  const tracking = new SqliteTrackingStore(db);
  tracking.ensureDefaultExperiment("mlflow-artifacts:/0", Date.now());
  const insertExperiment = db.prepare(
    "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES ('traces', 'mlflow-artifacts:/1', 'active', 0, 0)",
  );
  const experimentId = Number(insertExperiment.run().lastInsertRowid);
  const insertTrace = db.prepare(
    `INSERT INTO traces (trace_id, experiment_id, request_preview, response_preview, request_time, execution_duration, state)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTag = db.prepare("INSERT INTO trace_tags (trace_key, key, value) VALUES (?, ?, ?)");
  const insertMetadata = db.prepare("INSERT INTO trace_metadata (trace_key, key, value) VALUES (?, ?, ?)");
  const t0 = 1_750_000_000_000;
  db.transaction(() => {
    for (let i = 0; i < TRACES; i += 1) {
      const traceId = `tr-${hex(i + 1)}`;
      const key = Number(
        insertTrace.run(traceId, experimentId, `{"question": "q${i}"}`, `"answer ${i}"`, t0 + i * 100, 50 + (i % 1000), i % 25 === 0 ? "ERROR" : "OK")
          .lastInsertRowid,
      );
      insertTag.run(key, "mlflow.traceName", `agent-${i % 10}`);
      insertTag.run(key, "mlflow.artifactLocation", `mlflow-artifacts:/1/traces/${traceId}/artifacts`);
      insertTag.run(key, "topic", i % 5000 === 17 ? "rare" : `topic-${i % 20}`);
      insertMetadata.run(key, "mlflow.trace_schema.version", "3");
      insertMetadata.run(key, "mlflow.user", `user-${i % 50}`);
      insertMetadata.run(key, "mlflow.source.name", "app.py");
      insertMetadata.run(key, "mlflow.source.type", "LOCAL");
      insertMetadata.run(key, "mlflow.traceInputs", `{"question": "q${i}"}`);
      insertMetadata.run(key, "mlflow.traceOutputs", `"answer ${i}"`);
    }
  })();
  db.pragma("optimize");
  db.close();
  return String(experimentId);
};

const benchSearch = async (dir: string) => {
  const file = path.join(dir, "search.db");
  const started = performance.now();
  const experimentId = populate(file);
  const populateSeconds = (performance.now() - started) / 1000;
  const server = await spawnServer(file, path.join(dir, "search-artifacts"));
  try {
    const locations = [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } }];
    const measure = async (filter: string | undefined) => {
      const body = JSON.stringify({ locations, max_results: 100, ...(filter ? { filter } : {}) });
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < SEARCHES + 10; i += 1) {
        const t = performance.now();
        const response = await fetch(`${server.url}${v3}/traces/search`, { method: "POST", headers: json, body });
        const answer = (await response.json()) as { traces?: unknown[] };
        if (!response.ok) throw new Error(JSON.stringify(answer));
        if (i >= 10) times.push(performance.now() - t);
        count = answer.traces?.length ?? 0;
      }
      return { filter: filter ?? null, results: count, ...summary(times) };
    };
    const baseline = await measure(undefined);
    const tag = await measure("tags.topic = 'topic-7'");
    const metadata = await measure("metadata.`mlflow.user` = 'user-3'");
    const combined = await measure("tags.topic = 'topic-7' AND attributes.status = 'OK' AND metadata.`mlflow.user` = 'user-7'");
    const rare = await measure("tags.topic = 'rare'");
    return {
      traces: TRACES,
      populate_s: round(populateSeconds, 1),
      baseline_experiment_only: baseline,
      tag_filter: { ...tag, ratio_to_baseline: round(tag.p50_ms / baseline.p50_ms) },
      metadata_filter: { ...metadata, ratio_to_baseline: round(metadata.p50_ms / baseline.p50_ms) },
      combined_filter: combined,
      rare_tag_filter: rare,
    };
  } finally {
    await server.stop();
  }
};

/** traces.json of one trace: 20 spans as the client serialises them (ids base64, attributes JSON strings). */
const traceJson = (traceId: string): string => {
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    trace_id: traceId,
    span_id: Buffer.from(hex(i + 1).slice(16), "hex").toString("base64"),
    parent_span_id: i === 0 ? null : Buffer.from(hex(Math.ceil(i / 2)).slice(16), "hex").toString("base64"),
    name: `span-${i}`,
    start_time_unix_nano: 1_750_000_000_000_000_000 + i * 1000,
    end_time_unix_nano: 1_750_000_000_228_000_000 - i * 1000,
    attributes: { "mlflow.spanType": '"CHAIN"', "mlflow.spanInputs": `{"question": "what is ${i}?"}`, "mlflow.spanOutputs": `"answer ${i}"` },
    status: { code: "STATUS_CODE_OK", message: "" },
    events: [],
  }));
  return JSON.stringify({ spans, request_metadata: {}, tags: {} });
};

const startTraceBody = (traceId: string, experimentId: string): string =>
  JSON.stringify({
    trace: {
      trace_info: {
        trace_id: traceId,
        trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
        request_preview: '{"question": "what is 2+2?"}',
        response_preview: '"4"',
        request_time: new Date().toISOString(),
        execution_duration: "0.228s",
        state: "OK",
        trace_metadata: {
          "mlflow.trace_schema.version": "3",
          "mlflow.user": "bench",
          "mlflow.source.name": "app.py",
          "mlflow.source.type": "LOCAL",
          "mlflow.traceInputs": '{"question": "what is 2+2?"}',
          "mlflow.traceOutputs": '"4"',
        },
        tags: { "mlflow.traceName": "agent" },
      },
    },
  });

/**
 * The load generator shares the 2 cores with the server it measures: bodies are built once as templates and only
 * the trace id is put in per request (a JSON.stringify of 20 spans per request would be measured as server time).
 */
const TEMPLATE_ID = `tr-${"f".repeat(32)}`;

const benchIngest = async (url: string, experimentId: string) => {
  const spansTemplate = traceJson(TEMPLATE_ID).split(TEMPLATE_ID);
  const startTemplate = startTraceBody(TEMPLATE_ID, experimentId).split(TEMPLATE_ID);
  const spansBytes = Buffer.byteLength(spansTemplate.join(TEMPLATE_ID));
  const result = await autocannon({
    url,
    connections: CLIENTS,
    duration: SECONDS,
    requests: [
      {
        method: "POST",
        path: `${v3}/traces`,
        headers: json,
        setupRequest: (request, context) => {
          const traceId = `tr-${randomBytes(16).toString("hex")}`;
          context.traceId = traceId;
          request.body = startTemplate.join(traceId);
          return request;
        },
      },
      {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        setupRequest: (request, context) => {
          const traceId = context.traceId as string;
          request.path = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/traces/${traceId}/artifacts/traces.json`;
          request.body = spansTemplate.join(traceId);
          return request;
        },
      },
    ],
  });
  const ok = result["2xx"];
  return {
    requests: ok,
    failed: result.non2xx + result.errors + result.timeouts,
    traces_per_s: round(ok / 2 / result.duration, 0),
    traces_json_bytes: spansBytes,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
  };
};

const benchCreateRun = async (url: string, experimentId: string) => {
  const body = JSON.stringify({ experiment_id: experimentId, start_time: 1_750_000_000_000 });
  const result = await autocannon({ url, connections: CLIENTS, duration: SECONDS, requests: [{ method: "POST", path: "/api/2.0/mlflow/runs/create", headers: json, body }] });
  return {
    requests: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
    requests_per_s: round(result["2xx"] / result.duration, 0),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
  };
};

export const runTraceBenchmarks = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-traces-"));
  try {
    const search = process.env.BENCH_SKIP_SEARCH ? undefined : await benchSearch(dir);
    const server = await spawnServer(path.join(dir, "ingest.db"), path.join(dir, "artifacts"));
    let ingest;
    let createRun;
    try {
      const created = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, { method: "POST", headers: json, body: JSON.stringify({ name: "ingest" }) });
      const experimentId = ((await created.json()) as { experiment_id: string }).experiment_id;
      createRun = await benchCreateRun(server.url, experimentId);
      ingest = await benchIngest(server.url, experimentId);
    } finally {
      await server.stop();
    }
    return {
      machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
      search: { ...search, target: "tag/metadata filter, default order: http p50 < 50 ms over 100,000 traces" },
      ingest: {
        ...ingest,
        clients: CLIENTS,
        spans_per_trace: SPANS,
        ratio_of_requests_to_create_run: round((ingest.traces_per_s * 2) / createRun.requests_per_s),
        target: ">= 1000 traces/s (StartTraceV3 + PUT traces.json)",
      },
      baseline_runs_create: createRun,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
