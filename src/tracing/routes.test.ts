import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIXED_NOW, startTracingApp, TEST_TRACE_JSON_LIMIT, type TracingTestApp } from "./test-support/tracing-app.js";

let t: TracingTestApp;
let exp = "";
beforeEach(async () => {
  t = await startTracingApp();
  exp = (await t.call("POST", "experiments/create", { name: "agents" })).body.experiment_id as string;
});
afterEach(async () => t.close());

const TID = "tr-0123456789abcdef0123456789abcdef";
const tid = (n: number): string => `tr-${n.toString(16).padStart(32, "0")}`;

/** StartTraceV3 as the 3.6 client sends it when a trace ends (spans travel as traces.json afterwards). */
const traceInfo = (traceId: string, overrides: Record<string, unknown> = {}) => ({
  trace_id: traceId,
  trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } },
  request_preview: '{"question": "2+2?"}',
  response_preview: '"4"',
  request_time: "2025-06-04T00:17:06.901Z",
  execution_duration: "0.228s",
  state: "OK",
  trace_metadata: { "mlflow.trace_schema.version": "3", "mlflow.user": "ada" },
  tags: { "mlflow.traceName": "answer" },
  ...overrides,
});
const start = (traceId: string, overrides: Record<string, unknown> = {}) =>
  t.call("POST", "traces", { trace: { trace_info: traceInfo(traceId, overrides) } }, 3);

describe("StartTraceV3 and GetTraceInfoV3", () => {
  it("stores the header, adds the artifact location, never the spans-location tag, and reads it back", async () => {
    const started = await start(TID, { tags: { "mlflow.traceName": "answer", "mlflow.trace.spansLocation": "TRACKING_STORE" } });
    expect(started.status).toBe(200);
    const expected = {
      trace_id: TID,
      trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } },
      request_preview: '{"question": "2+2?"}',
      response_preview: '"4"',
      request_time: "2025-06-04T00:17:06.901Z",
      execution_duration: "0.228s",
      state: "OK",
      trace_metadata: { "mlflow.trace_schema.version": "3", "mlflow.user": "ada" },
      tags: { "mlflow.traceName": "answer", "mlflow.artifactLocation": `mlflow-artifacts:/${exp}/traces/${TID}/artifacts` },
    };
    expect(started.body).toEqual({ trace: { trace_info: expected } });
    expect((await t.call("GET", `traces/${TID}`, { trace_id: TID }, 3)).body).toEqual({ trace: { trace_info: expected } });
  });

  it("refuses malformed ids and locations, missing and deleted experiments, naming the field", async () => {
    expect((await start("tr-123")).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Invalid value 'tr-123' for parameter 'trace.trace_info.trace_id' supplied: a trace id is 'tr-' followed by 32 lowercase hex digits.",
    });
    expect((await start(TID, { request_time: "yesterday" })).body.message).toMatch(/'trace.trace_info.request_time'.*RFC 3339/);
    expect((await start(TID, { execution_duration: 228 })).body.message).toMatch(/'trace.trace_info.execution_duration'.*expected a string/);
    expect((await start(TID, { tags: { a: 1 } })).body.message).toMatch(/'trace.trace_info.tags.a' supplied: expected a string/);
    expect((await start(TID, { trace_location: { type: "INFERENCE_TABLE" } })).body.message).toMatch(/only MLFLOW_EXPERIMENT/);
    expect((await start(TID, { trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "999" } } })).status).toBe(404);
    await t.call("POST", "experiments/delete", { experiment_id: exp });
    expect((await start(TID)).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: `The experiment ${exp} must be in the 'active' state. Current state is deleted.`,
    });
    expect((await t.call("GET", `traces/${TID}`, undefined, 3)).status).toBe(404);
    expect((await t.call("GET", "traces/..%2F..%2Fetc", undefined, 3)).status).toBe(400);
    // Spans are artifacts here: the span routes of servers that store spans answer as unknown routes.
    expect((await t.call("GET", "traces/batchGet", `trace_ids=${TID}`, 3)).body.error_code).toBe("ENDPOINT_NOT_FOUND");
    expect((await t.call("GET", "traces/get", `trace_id=${TID}`, 3)).status).toBe(404);
  });

  it("keeps a deleted experiment's traces readable and searchable, as MLflow (restore brings the experiment back)", async () => {
    await start(TID);
    await t.call("POST", "experiments/delete", { experiment_id: exp });
    expect((await t.call("GET", `traces/${TID}`, undefined, 3)).status).toBe(200);
    const found = await t.call("POST", "traces/search", { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } }] }, 3);
    expect(found.body.traces.map((trace: { trace_id: string }) => trace.trace_id)).toEqual([TID]);
  });
});

describe("SearchTracesV3 and the v2 SearchTraces", () => {
  const search = (payload: Record<string, unknown>) =>
    t.call("POST", "traces/search", { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } }], ...payload }, 3);
  const idsOf = (body: { traces?: { trace_id: string }[] }): string[] => (body.traces ?? []).map((trace) => trace.trace_id);

  beforeEach(async () => {
    for (let n = 1; n <= 5; n++) {
      await start(tid(n), {
        request_time: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
        execution_duration: `${n}s`,
        state: n === 2 ? "ERROR" : "OK",
        tags: { "mlflow.traceName": n <= 2 ? "answer" : "lookup", topic: n % 2 === 0 ? "sql" : "python" },
        trace_metadata: { "mlflow.sourceRun": `run${n % 2}` },
      });
    }
  });

  it("filters on attributes, name, run id, tags and metadata; orders; pages", async () => {
    expect(idsOf((await search({})).body)).toEqual([tid(5), tid(4), tid(3), tid(2), tid(1)]);
    expect(idsOf((await search({ filter: "attributes.status = 'ERROR'" })).body)).toEqual([tid(2)]);
    expect(idsOf((await search({ filter: "trace.state != 'ERROR' AND tags.topic = 'sql'" })).body)).toEqual([tid(4)]);
    expect(idsOf((await search({ filter: "name = 'answer'" })).body)).toEqual([tid(2), tid(1)]);
    expect(idsOf((await search({ filter: "attributes.run_id IN ('run1')" })).body)).toEqual([tid(5), tid(3), tid(1)]);
    expect(idsOf((await search({ filter: "metadata.`mlflow.sourceRun` = 'run0'" })).body)).toEqual([tid(4), tid(2)]);
    expect(idsOf((await search({ filter: `timestamp_ms > ${Date.UTC(2025, 0, 1, 0, 0, 3)} AND execution_time_ms <= 4000` })).body)).toEqual([tid(4)]);
    expect(idsOf((await search({ order_by: ["execution_time_ms ASC"] })).body)).toEqual([tid(1), tid(2), tid(3), tid(4), tid(5)]);

    const first = await search({ max_results: 2 });
    expect(idsOf(first.body)).toEqual([tid(5), tid(4)]);
    const rest = await search({ max_results: 4, page_token: first.body.next_page_token });
    expect(idsOf(rest.body)).toEqual([tid(3), tid(2), tid(1)]);
    expect(rest.body.next_page_token).toBeUndefined();
    expect((await search({ filter: "tags.topic = 'none'" })).body).toEqual({});
  });

  it("refuses unknown keys, bad comparators, bad values and out-of-range sizes, naming them", async () => {
    expect((await search({ filter: "attributes.color = 'red'" })).body.message).toMatch(/^Invalid attribute key 'color' specified\. Valid keys are \[/);
    expect((await search({ filter: "spans.name = 'x'" })).body.message).toMatch(/^Invalid entity type 'spans'/);
    expect((await search({ filter: "timestamp_ms > 'soon'" })).body.message).toMatch(/Expected an integer number of milliseconds/);
    expect((await search({ filter: "tags.a > 'b'" })).body.message).toMatch(/Invalid comparator '>' for tag 'a'/);
    expect((await search({ filter: "tags.a = 'b' OR tags.c = 'd'" })).body.message).toMatch(/expected AND or the end/);
    expect((await search({ order_by: ["tags.a sideways"] })).body.message).toBe("Invalid ordering key in order_by clause 'tags.a sideways'.");
    expect((await search({ max_results: 501 })).body.message).toBe("Invalid value 501 for parameter 'max_results' supplied. It must be between 1 and 500.");
    expect((await search({ page_token: "nope" })).body.message).toBe("Invalid page token 'nope'");
    expect((await t.call("POST", "traces/search", {}, 3)).body.message).toMatch(/At least one experiment/);
  });

  it("answers the MLflow 2.x client's GET /api/2.0/mlflow/traces with v2 TraceInfos", async () => {
    const found = await t.call("GET", "traces", `experiment_ids=${exp}&filter=${encodeURIComponent("status = 'ERROR'")}`);
    expect(found.body).toEqual({
      traces: [
        {
          request_id: tid(2),
          experiment_id: exp,
          timestamp_ms: Date.UTC(2025, 0, 1, 0, 0, 2),
          execution_time_ms: 2000,
          status: "ERROR",
          request_metadata: [{ key: "mlflow.sourceRun", value: "run0" }],
          tags: [
            { key: "mlflow.artifactLocation", value: `mlflow-artifacts:/${exp}/traces/${tid(2)}/artifacts` },
            { key: "mlflow.traceName", value: "answer" },
            { key: "topic", value: "sql" },
          ],
        },
      ],
    });
  });
});

describe("trace tags and delete-traces", () => {
  it("sets and deletes tags on the v2 path (as the 3.x client) and the v3 path", async () => {
    await start(TID);
    expect((await t.call("PATCH", `traces/${TID}/tags`, { key: "topic", value: "sql" })).body).toEqual({});
    expect((await t.call("PATCH", `traces/${TID}/tags`, { key: "reviewed", value: "yes" }, 3)).body).toEqual({});
    expect((await t.call("GET", `traces/${TID}`, undefined, 3)).body.trace.trace_info.tags).toMatchObject({ topic: "sql", reviewed: "yes" });
    expect((await t.call("DELETE", `traces/${TID}/tags`, { key: "topic" })).body).toEqual({});
    expect((await t.call("DELETE", `traces/${TID}/tags`, { key: "topic" }, 3)).body).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      message: `No trace tag with key 'topic' for trace with ID '${TID}'`,
    });
    expect((await t.call("PATCH", `traces/${TID}/tags`, { key: "mlflow.artifactLocation", value: "/etc" })).status).toBe(400);
    expect((await t.call("PATCH", `traces/${tid(9)}/tags`, { key: "a", value: "b" })).status).toBe(404);
    expect((await t.call("PATCH", `traces/${TID}/tags`, { key: "a", value: 5 })).body.message).toMatch(/'value' supplied: expected a string/);
  });

  it("deletes by ids, or the oldest up to a time and count, with MLflow's messages", async () => {
    for (let n = 1; n <= 4; n++) await start(tid(n), { request_time: new Date(1000 * n).toISOString() });
    expect((await t.call("POST", "traces/delete-traces", { experiment_id: exp, request_ids: [tid(1)] })).body).toEqual({ traces_deleted: 1 });
    expect((await t.call("POST", "traces/delete-traces", { experiment_id: exp, max_timestamp_millis: 3000, max_traces: 1 }, 3)).body).toEqual({ traces_deleted: 1 });
    expect((await t.call("GET", `traces/${tid(2)}`, undefined, 3)).status).toBe(404);
    expect((await t.call("GET", `traces/${tid(3)}`, undefined, 3)).status).toBe(200);
    expect((await t.call("POST", "traces/delete-traces", { experiment_id: exp })).body.message).toBe(
      "Either `max_timestamp_millis` or `request_ids` must be specified.",
    );
    expect((await t.call("POST", "traces/delete-traces", { experiment_id: exp, request_ids: [tid(3)], max_timestamp_millis: 1 })).body.message).toBe(
      "Only one of `max_timestamp_millis` and `request_ids` can be specified.",
    );
    expect((await t.call("POST", "traces/delete-traces", { experiment_id: exp, request_ids: [tid(3)], max_traces: 1 })).body.message).toBe(
      "`max_traces` can't be specified if `request_ids` is specified.",
    );
    expect((await t.call("POST", "traces/delete-traces", { experiment_id: exp, request_ids: ["../x"] })).body.message).toMatch(/'request_ids\[0\]'/);
  });
});

describe("the MLflow 2.x client's v2 trace routes", () => {
  it("starts (IN_PROGRESS), ends (duration from the start) and reads a trace", async () => {
    const started = await t.call("POST", "traces", {
      experiment_id: exp,
      timestamp_ms: 1_700_000_000_000,
      request_metadata: [{ key: "mlflow.traceInputs", value: '{"x": 1}' }],
      tags: [{ key: "mlflow.traceName", value: "predict" }],
    });
    const id = started.body.trace_info.request_id as string;
    expect(id).toMatch(/^tr-[0-9a-f]{32}$/);
    expect(started.body).toEqual({
      trace_info: {
        request_id: id,
        experiment_id: exp,
        timestamp_ms: 1_700_000_000_000,
        status: "IN_PROGRESS",
        request_metadata: [{ key: "mlflow.traceInputs", value: '{"x": 1}' }],
        tags: [
          { key: "mlflow.traceName", value: "predict" },
          { key: "mlflow.artifactLocation", value: `mlflow-artifacts:/${exp}/traces/${id}/artifacts` },
        ],
      },
    });
    const ended = await t.call("PATCH", `traces/${id}`, {
      request_id: id,
      timestamp_ms: 1_700_000_000_250,
      status: "OK",
      request_metadata: [{ key: "mlflow.traceOutputs", value: "2" }],
      tags: [],
    });
    expect(ended.body.trace_info).toMatchObject({ execution_time_ms: 250, status: "OK" });
    const info = await t.call("GET", `traces/${id}/info`, { request_id: id });
    expect(info.body).toEqual(ended.body);
    expect(info.body.trace_info.request_metadata).toEqual([
      { key: "mlflow.traceInputs", value: '{"x": 1}' },
      { key: "mlflow.traceOutputs", value: "2" },
    ]);
    expect((await t.call("PATCH", `traces/${id}`, { timestamp_ms: 1 })).body.message).toMatch(/cannot end before/);
  });
});

describe("assessments", () => {
  const feedback = (overrides: Record<string, unknown> = {}) => ({
    assessment: {
      assessment_name: "relevance",
      trace_id: TID,
      source: { source_type: "HUMAN", source_id: "ada" },
      create_time: "2025-06-04T00:20:00.500Z",
      last_update_time: "2025-06-04T00:20:00.500Z",
      feedback: { value: 0.75 },
      rationale: "on topic",
      metadata: { round: "1" },
      ...overrides,
    },
  });

  it("creates, reads, updates with a camelCase mask, overrides and deletes; the trace carries them", async () => {
    await start(TID);
    const created = await t.call("POST", `traces/${TID}/assessments`, feedback(), 3);
    const id = created.body.assessment.assessment_id as string;
    expect(id).toMatch(/^a-[0-9a-f]{32}$/);
    expect(created.body).toEqual({
      assessment: {
        assessment_id: id,
        assessment_name: "relevance",
        trace_id: TID,
        source: { source_type: "HUMAN", source_id: "ada" },
        create_time: "2025-06-04T00:20:00.500Z",
        last_update_time: "2025-06-04T00:20:00.500Z",
        feedback: { value: 0.75 },
        rationale: "on topic",
        metadata: { round: "1" },
        valid: true,
      },
    });
    expect((await t.call("GET", `traces/${TID}/assessments/${id}`, undefined, 3)).body).toEqual(created.body);

    const updated = await t.call(
      "PATCH",
      `traces/${TID}/assessments/${id}`,
      { assessment: { assessment_id: id, trace_id: TID, assessment_name: "relevancy", feedback: { value: 1 }, metadata: { round: "2", by: "bo" } }, update_mask: "assessmentName,feedback,metadata" },
      3,
    );
    expect(updated.body.assessment).toEqual({
      ...created.body.assessment,
      assessment_name: "relevancy",
      feedback: { value: 1 },
      metadata: { round: "2", by: "bo" },
      last_update_time: "2025-06-15T15:06:40Z",
    });
    expect((await t.call("PATCH", `traces/${TID}/assessments/${id}`, { assessment: { expectation: { value: 1 } }, update_mask: "expectation" }, 3)).body.message).toBe(
      `Cannot change the type of assessment ${id} from feedback to expectation.`,
    );
    expect((await t.call("PATCH", `traces/${TID}/assessments/${id}`, { assessment: {}, update_mask: "valid" }, 3)).body.message).toMatch(/'valid' cannot be updated/);

    const span = await t.call("POST", `traces/${TID}/assessments`, feedback({ span_id: "0a1b2c3d4e5f6071", overrides: id, feedback: { error: { error_code: "TIMEOUT", error_message: "judge timed out" } } }), 3);
    expect(span.body.assessment).toMatchObject({ span_id: "0a1b2c3d4e5f6071", overrides: id, valid: true, feedback: { error: { error_code: "TIMEOUT", error_message: "judge timed out" } } });
    expect((await t.call("GET", `traces/${TID}/assessments/${id}`, undefined, 3)).body.assessment.valid).toBe(false);
    const expectation = await t.call("POST", `traces/${TID}/assessments`, feedback({ feedback: undefined, expectation: { serialized_value: { serialization_format: "JSON_FORMAT", value: "[1, 2]" } } }), 3);
    expect(expectation.body.assessment.expectation).toEqual({ serialized_value: { serialization_format: "JSON_FORMAT", value: "[1, 2]" } });

    const info = (await t.call("GET", `traces/${TID}`, undefined, 3)).body.trace.trace_info;
    expect(info.assessments.map((a: { assessment_id: string; valid: boolean }) => [a.assessment_id, a.valid])).toEqual([
      [id, false],
      [span.body.assessment.assessment_id, true],
      [expectation.body.assessment.assessment_id, true],
    ]);
    expect((await t.call("DELETE", `traces/${TID}/assessments/${span.body.assessment.assessment_id}`, undefined, 3)).body).toEqual({});
    expect((await t.call("GET", `traces/${TID}/assessments/${id}`, undefined, 3)).body.assessment.valid).toBe(true);
    expect((await t.call("DELETE", `traces/${TID}/assessments/${span.body.assessment.assessment_id}`, undefined, 3)).status).toBe(404);
  });

  it("refuses both kinds at once, neither, an expectation with value and serialized value, bad ids and a foreign override", async () => {
    await start(TID);
    const post = (body: unknown) => t.call("POST", `traces/${TID}/assessments`, body, 3);
    expect((await post(feedback({ expectation: { value: 1 } }))).body.message).toMatch(/exactly one of 'feedback' and 'expectation'/);
    expect((await post(feedback({ feedback: undefined }))).body.message).toMatch(/exactly one of 'feedback' and 'expectation' must be set/);
    expect((await post(feedback({ feedback: {} }))).body.message).toMatch(/a feedback needs a 'value' or an 'error'/);
    expect((await post(feedback({ feedback: undefined, expectation: { value: 1, serialized_value: { value: "1" } } }))).body.message).toMatch(
      /exactly one of 'value' and 'serialized_value'/,
    );
    expect((await post(feedback({ assessment_name: "" }))).body.message).toMatch(/'assessment.assessment_name'/);
    expect((await post(feedback({ span_id: "../../x" }))).body.message).toMatch(/'assessment.span_id'/);
    expect((await post(feedback({ overrides: "a-00000000000000000000000000000001" }))).status).toBe(404);
    expect((await post(feedback({ trace_id: tid(7) }))).body.message).toMatch(/differs from the trace id of the path/);
    expect((await post(feedback({ source: { source_type: "ROBOT", source_id: "x" } }))).body.message).toMatch(/'assessment.source.source_type'/);
    expect((await t.call("POST", `traces/${tid(7)}/assessments`, feedback({ trace_id: tid(7) }), 3)).status).toBe(404);
    expect((await t.call("GET", `traces/${TID}/assessments/a-1`, undefined, 3)).body.message).toMatch(/'assessment_id'/);
    expect((await t.call("GET", `traces/${TID}`, undefined, 3)).body.trace.trace_info.assessments).toBeUndefined();
  });
});

describe("traces.json through the artifact routes", () => {
  const url = (id: string) => `/api/2.0/mlflow-artifacts/artifacts/${exp}/traces/${id}/artifacts/traces.json`;
  const spans = JSON.stringify({ spans: [{ name: "root", span_id: "AAAAAAAAAAE=", parent_span_id: null }] });

  it("uploads, lists and downloads a trace's spans at the trace's artifact location, kept with the trace", async () => {
    await start(TID);
    const put = await t.app.inject({ method: "PUT", url: url(TID), payload: spans, headers: { "content-type": "application/octet-stream" } });
    expect(put.statusCode).toBe(200);
    const get = await t.app.inject({ method: "GET", url: url(TID) });
    expect(get.body).toBe(spans);
    const listed = await t.app.inject({ method: "GET", url: `/api/2.0/mlflow-artifacts/artifacts?path=${exp}/traces/${TID}/artifacts` });
    expect(JSON.parse(listed.body)).toEqual({ files: [{ path: "traces.json", is_dir: false, file_size: spans.length }] });
    // In the database, not in the artifact folder; deleting the trace deletes its spans.
    expect(readdirSync(t.artifactsDir).filter((name) => !name.startsWith("."))).toEqual([]);
    await t.call("POST", "traces/delete-traces", { experiment_id: exp, request_ids: [TID] });
    expect((await t.app.inject({ method: "GET", url: url(TID) })).statusCode).toBe(404);
  });

  it("keeps a traces.json of a trace it does not know as a file", async () => {
    const put = await t.app.inject({ method: "PUT", url: url(tid(5)), payload: spans });
    expect(put.statusCode).toBe(200);
    expect(readdirSync(join(t.artifactsDir, exp, "traces", tid(5), "artifacts"))).toEqual(["traces.json"]);
    expect((await t.app.inject({ method: "GET", url: url(tid(5)) })).body).toBe(spans);
  });

  it("refuses an oversized traces.json with a 413 naming the limit, leaving nothing stored", async () => {
    await start(TID);
    const big = "x".repeat(TEST_TRACE_JSON_LIMIT + 1);
    const put = await t.app.inject({ method: "PUT", url: url(TID), payload: big, headers: { "content-type": "application/octet-stream" } });
    expect(put.statusCode).toBe(413);
    expect(JSON.parse(put.body)).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: `Invalid value for parameter 'artifact_path' supplied: '${exp}/traces/${TID}/artifacts/traces.json' exceeds the traces.json (--max-trace-json-bytes) limit of ${TEST_TRACE_JSON_LIMIT} bytes.`,
    });
    // Without a content-length (streamed), the limit applies while reading.
    const chunked = await t.app.inject({
      method: "PUT",
      url: url(tid(2)),
      payload: Readable.from([1, 2, 3, 4, 5].map(() => Buffer.alloc(1000, 120))),
    });
    expect(chunked.statusCode).toBe(413);
    expect((await t.app.inject({ method: "GET", url: url(TID) })).statusCode).toBe(404);
    expect(readdirSync(t.artifactsDir).filter((name) => !name.startsWith("."))).toEqual([]);
    expect(readdirSync(join(t.artifactsDir, ".cairn-staging", "tmp"))).toEqual([]);
    // Other artifacts keep no such limit.
    const other = await t.app.inject({ method: "PUT", url: `/api/2.0/mlflow-artifacts/artifacts/${exp}/notes/big.txt`, payload: big });
    expect(other.statusCode).toBe(200);
  });
});

describe("audit", () => {
  it("records trace writes with the actor and request", async () => {
    await start(TID);
    await t.call("PATCH", `traces/${TID}/tags`, { key: "topic", value: "sql" });
    const events = (await t.stores.audit.list({ entityType: "trace", maxResults: 10 })).items;
    expect(events.map((event) => event.action).sort()).toEqual(["tracing.trace.start", "tracing.trace_tag.set"]);
    expect(events.every((event) => event.entityId === TID && event.time === FIXED_NOW)).toBe(true);
  });
});
