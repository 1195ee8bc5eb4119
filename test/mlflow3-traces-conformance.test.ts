import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { loadSchemaFiles, toQueryString, type Json, type JsonObject } from "./support/proto-schema.js";

/**
 * The MLflow 3.6 client's tracing traffic when the server keeps spans as artifacts (shared/reference/mlflow3-rest.md
 * §1.3 and §2 step 12), and the MLflow 2.x client's v2 trace traffic, each request built as the client builds it
 * (message_to_json; the path from the RPC's endpoint with its `{params}` filled in, under /api/<since>.0; GET
 * fields in the query) and sent to a real Cairn server over loopback. Every response is validated field by field
 * against the transcribed protos (test/fixtures/mlflow-protos/mlflow3-traces-schema.json) and its values asserted.
 */

const schema = loadSchemaFiles("mlflow-wire-schema.json", "mlflow3-traces-schema.json");
const SERVICE = "mlflow.MlflowService";
let server: TempServer;
let exp = "";

beforeAll(async () => {
  server = await startTempServer("cairn-traces-proto-");
  const created = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "genai-app" }),
  });
  exp = ((await created.json()) as { experiment_id: string }).experiment_id;
});
afterAll(async () => {
  await server?.close();
});

/** One RPC as the Python client makes it; `params` fill the endpoint's `{path}` parameters. */
const call = async (rpcName: string, message: Record<string, unknown>, params: Record<string, string> = {}, expectStatus = 200): Promise<JsonObject> => {
  const rpc = schema.rpc(`${SERVICE}.${rpcName}`);
  const endpoint = rpc.endpoints[0];
  if (!endpoint) throw new Error(`${rpcName} has no endpoint`);
  const json = schema.toClientJson(rpc.request, message, { int64: "number" });
  expect(schema.validate(rpc.request, json), `request of ${rpcName}`).toEqual([]);
  const path = endpoint.path.replace(/\{([\w.]+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`test bug: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const url = `${server.url}/api/${endpoint.since.split(".")[0]}.0${path}`;
  const response =
    endpoint.method === "GET"
      ? await fetch(`${url}?${toQueryString(json)}`)
      : await fetch(url, { method: endpoint.method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(json) });
  const text = await response.text();
  expect(response.status, `${endpoint.method} ${path} answered ${text}`).toBe(expectStatus);
  const body = JSON.parse(text) as JsonObject;
  if (expectStatus === 200) expect(schema.validate(rpc.response, body), `${endpoint.method} ${path} -> ${rpc.response}`).toEqual([]);
  return body;
};

const artifactUrl = (location: string): string => {
  expect(location.startsWith("mlflow-artifacts:/")).toBe(true);
  return `${server.url}/api/2.0/mlflow-artifacts/artifacts/${location.slice("mlflow-artifacts:/".length)}/traces.json`;
};

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");
const traceIdOf = (n: number): string => `tr-${hex(n, 32)}`;
const T0 = Date.UTC(2025, 5, 4, 0, 17, 6, 901);

/** A trace's spans as the client serialises them into traces.json: a root with a child and a grandchild. */
const spansJson = (traceId: string): string =>
  JSON.stringify({
    spans: [0, 1, 2].map((depth) => ({
      trace_id: Buffer.from(traceId.slice(3), "hex").toString("base64"),
      span_id: Buffer.from(hex(depth + 1, 16), "hex").toString("base64"),
      parent_span_id: depth === 0 ? null : Buffer.from(hex(depth, 16), "hex").toString("base64"),
      name: ["agent", "retrieve", "llm"][depth],
      start_time_unix_nano: (T0 + depth) * 1_000_000,
      end_time_unix_nano: (T0 + 228 - depth) * 1_000_000,
      attributes: { "mlflow.spanType": JSON.stringify(["AGENT", "RETRIEVER", "LLM"][depth]), "mlflow.spanInputs": '{"q": "2+2?"}' },
      status: { code: "STATUS_CODE_OK", message: "" },
      events: [],
    })),
  });

/** The TraceInfoV3 the 3.6 client sends in StartTraceV3 when a trace ends. */
const clientTraceInfo = (n: number, overrides: Record<string, unknown> = {}) => ({
  trace_id: traceIdOf(n),
  trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } },
  request_preview: '{"question": "2+2?"}',
  response_preview: '"4"',
  request_time: new Date(T0 + n * 1000).toISOString(),
  execution_duration: "0.228s",
  state: "OK",
  trace_metadata: {
    "mlflow.trace_schema.version": "3",
    "mlflow.user": "ada",
    "mlflow.source.name": "app.py",
    "mlflow.source.type": "LOCAL",
    "mlflow.traceInputs": '{"question": "2+2?"}',
    "mlflow.traceOutputs": '"4"',
  },
  tags: { "mlflow.traceName": "agent" },
  ...overrides,
});

describe("the transcription of the 3.x trace protos", () => {
  it("is self-consistent and merges with the 2.x tracking schema", () => {
    expect(schema.selfCheck()).toEqual([]);
    expect(schema.rpc(`${SERVICE}.createAssessment`).endpoints).toEqual([
      { method: "POST", path: "/mlflow/traces/{assessment.trace_id}/assessments", since: "3.0" },
    ]);
  });

  it("checks well-known types and maps the way protobuf's JSON mapping writes them", () => {
    const bad = {
      trace_id: "tr-1",
      request_time: "2025-06-04 00:17:06",
      execution_duration: 0.228,
      trace_metadata: { a: 1 },
      tags: ["x"],
      state: "DONE",
    };
    expect(schema.validate("mlflow.TraceInfoV3", bad)).toEqual([
      '$.request_time: expected an RFC 3339 string such as "2025-06-04T00:17:06.901Z" for google.protobuf.Timestamp, got string "2025-06-04 00:17:06"',
      '$.execution_duration: expected a duration string such as "0.228s" for google.protobuf.Duration, got number 0.228',
      "$.trace_metadata.a: expected a JSON string for string, got number 1",
      '$.tags: map<string, string> must be a JSON object, got array ["x"]',
      "$.state: expected a mlflow.TraceInfoV3.State name (STATE_UNSPECIFIED, OK, ERROR, IN_PROGRESS...), got string \"DONE\"",
    ]);
    expect(schema.validate("mlflow.UpdateAssessment", { update_mask: "assessment_name" })).toEqual([
      '$.update_mask: expected a string of comma-separated lowerCamelCase paths such as "assessmentName,rationale" for google.protobuf.FieldMask, got string "assessment_name"',
    ]);
  });
});

describe("the MLflow 3.x client's tracing, spans kept as artifacts", () => {
  const tid = traceIdOf(1);
  let feedbackId = "";

  it("keeps /version below 3.4, so the client never switches to OTLP; /v1/traces is an unknown route", async () => {
    expect(await (await fetch(`${server.url}/version`)).text()).toBe("0.1.0");
    const otlp = await fetch(`${server.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: new Uint8Array([10, 0]) });
    expect(otlp.status).toBe(404);
    expect(((await otlp.json()) as JsonObject).error_code).toBe("ENDPOINT_NOT_FOUND");
  });

  it("StartTraceV3, then PUT traces.json of nested spans to the location the server named", async () => {
    const body = await call("startTraceV3", { trace: { trace_info: clientTraceInfo(1) } });
    const location = `mlflow-artifacts:/${exp}/traces/${tid}/artifacts`;
    expect(body).toEqual({
      trace: {
        trace_info: {
          ...clientTraceInfo(1),
          request_time: "2025-06-04T00:17:07.901Z",
          tags: { "mlflow.traceName": "agent", "mlflow.artifactLocation": location },
        },
      },
    });
    const info = (body.trace as JsonObject).trace_info as JsonObject;
    expect(Object.keys(info.tags as JsonObject)).not.toContain("mlflow.trace.spansLocation");
    const put = await fetch(artifactUrl(location), { method: "PUT", body: spansJson(tid) });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({});
  });

  it("get_trace: GetTraceInfoV3, then GET traces.json", async () => {
    const body = await call("getTraceInfoV3", { trace_id: tid }, { trace_id: tid });
    const info = (body.trace as JsonObject).trace_info as JsonObject;
    expect(info.trace_id).toBe(tid);
    expect(info.execution_duration).toBe("0.228s");
    const spans = await fetch(artifactUrl(String((info.tags as JsonObject)["mlflow.artifactLocation"])));
    expect(spans.status).toBe(200);
    const text = await spans.text();
    expect(text).toBe(spansJson(tid));
    const parsed = JSON.parse(text) as { spans: { name: string; span_id: string; parent_span_id: string | null }[] };
    expect(parsed.spans.map((span) => [span.name, span.parent_span_id === null ? null : parsed.spans.find((p) => p.span_id === span.parent_span_id)?.name])).toEqual([
      ["agent", null],
      ["retrieve", "agent"],
      ["llm", "retrieve"],
    ]);
  });

  it("search_traces: filters on tags, metadata and status, order, paging", async () => {
    for (let n = 2; n <= 4; n++) {
      await call("startTraceV3", {
        trace: {
          trace_info: clientTraceInfo(n, {
            state: n === 3 ? "ERROR" : "OK",
            execution_duration: `${n}.500s`,
            tags: { "mlflow.traceName": "agent", topic: n % 2 === 0 ? "math" : "chat" },
            trace_metadata: { "mlflow.user": n === 4 ? "bo" : "ada" },
          }),
        },
      });
    }
    const locations = [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } }];
    const ids = (body: JsonObject): Json[] => ((body.traces as JsonObject[] | undefined) ?? []).map((trace) => trace.trace_id ?? null);

    expect(ids(await call("searchTracesV3", { locations, max_results: 100 }))).toEqual([traceIdOf(4), traceIdOf(3), traceIdOf(2), tid]);
    expect(ids(await call("searchTracesV3", { locations, filter: "tags.topic = 'math'", max_results: 100 }))).toEqual([traceIdOf(4), traceIdOf(2)]);
    expect(ids(await call("searchTracesV3", { locations, filter: "metadata.`mlflow.user` = 'ada' AND attributes.status = 'OK'", max_results: 100 }))).toEqual([
      traceIdOf(2),
      tid,
    ]);
    expect(ids(await call("searchTracesV3", { locations, filter: "trace.status = 'ERROR'", max_results: 100 }))).toEqual([traceIdOf(3)]);
    expect(ids(await call("searchTracesV3", { locations, order_by: ["execution_time_ms DESC"], max_results: 100 }))).toEqual([
      traceIdOf(4),
      traceIdOf(3),
      traceIdOf(2),
      tid,
    ]);
    const first = await call("searchTracesV3", { locations, max_results: 3 });
    expect(ids(first)).toEqual([traceIdOf(4), traceIdOf(3), traceIdOf(2)]);
    expect(typeof first.next_page_token).toBe("string");
    const second = await call("searchTracesV3", { locations, max_results: 3, page_token: first.next_page_token });
    expect(ids(second)).toEqual([tid]);
    expect(second.next_page_token).toBeUndefined();
    const bad = await call("searchTracesV3", { locations, filter: "attributes.colour = 'red'" }, {}, 400);
    expect(bad.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(String(bad.message)).toMatch(/^Invalid attribute key 'colour' specified/);
  });

  it("set_trace_tag / delete_trace_tag on the v2 path, as the 3.x client calls them", async () => {
    expect(await call("setTraceTag", { key: "reviewed", value: "yes" }, { request_id: tid })).toEqual({});
    let info = (await call("getTraceInfoV3", { trace_id: tid }, { trace_id: tid })).trace as JsonObject;
    expect(((info.trace_info as JsonObject).tags as JsonObject).reviewed).toBe("yes");
    expect(await call("deleteTraceTag", { key: "reviewed" }, { request_id: tid })).toEqual({});
    info = (await call("getTraceInfoV3", { trace_id: tid }, { trace_id: tid })).trace as JsonObject;
    expect(((info.trace_info as JsonObject).tags as JsonObject).reviewed).toBeUndefined();
    expect(await call("setTraceTagV3", { key: "v3", value: "1" }, { trace_id: tid })).toEqual({});
    expect(await call("deleteTraceTagV3", { key: "v3" }, { trace_id: tid })).toEqual({});
  });

  it("log_feedback and log_expectation, update, override, delete; the trace carries its assessments", async () => {
    const source = { source_type: "HUMAN", source_id: "ada@example.com" };
    const created = await call(
      "createAssessment",
      {
        assessment: {
          assessment_name: "correctness",
          trace_id: tid,
          source,
          create_time: "2025-06-04T00:20:00.123Z",
          last_update_time: "2025-06-04T00:20:00.123Z",
          feedback: { value: true },
          rationale: "2+2 is 4",
        },
      },
      { "assessment.trace_id": tid },
    );
    const feedback = created.assessment as JsonObject;
    feedbackId = String(feedback.assessment_id);
    expect(feedback).toEqual({
      assessment_id: feedbackId,
      assessment_name: "correctness",
      trace_id: tid,
      source,
      create_time: "2025-06-04T00:20:00.123Z",
      last_update_time: "2025-06-04T00:20:00.123Z",
      feedback: { value: true },
      rationale: "2+2 is 4",
      valid: true,
    });
    const expectation = (
      await call(
        "createAssessment",
        {
          assessment: {
            assessment_name: "expected_facts",
            trace_id: tid,
            span_id: "0000000000000003",
            source,
            create_time: "2025-06-04T00:21:00Z",
            last_update_time: "2025-06-04T00:21:00Z",
            expectation: { value: ["4", "four"] },
          },
        },
        { "assessment.trace_id": tid },
      )
    ).assessment as JsonObject;
    expect(expectation).toMatchObject({ span_id: "0000000000000003", expectation: { value: ["4", "four"] }, valid: true });
    expect(await call("GetAssessment", { trace_id: tid, assessment_id: feedbackId }, { trace_id: tid, assessment_id: feedbackId })).toEqual(created);

    const updated = await call(
      "updateAssessment",
      { assessment: { assessment_id: feedbackId, trace_id: tid, assessment_name: "is_correct", rationale: "checked" }, update_mask: "assessmentName,rationale" },
      { trace_id: tid, assessment_id: feedbackId },
    );
    expect(updated.assessment).toMatchObject({ assessment_name: "is_correct", rationale: "checked", feedback: { value: true }, create_time: "2025-06-04T00:20:00.123Z" });
    expect((updated.assessment as JsonObject).last_update_time).not.toBe("2025-06-04T00:20:00.123Z");

    const override = (
      await call(
        "createAssessment",
        {
          assessment: {
            assessment_name: "is_correct",
            trace_id: tid,
            source: { source_type: "LLM_JUDGE", source_id: "judge" },
            feedback: { error: { error_code: "RATE_LIMIT", error_message: "judge unavailable", stack_trace: "Traceback..." } },
            overrides: feedbackId,
          },
        },
        { "assessment.trace_id": tid },
      )
    ).assessment as JsonObject;
    expect(override).toMatchObject({ overrides: feedbackId, valid: true, feedback: { error: { error_code: "RATE_LIMIT", error_message: "judge unavailable", stack_trace: "Traceback..." } } });

    const info = ((await call("getTraceInfoV3", { trace_id: tid }, { trace_id: tid })).trace as JsonObject).trace_info as JsonObject;
    expect((info.assessments as JsonObject[]).map((a) => [a.assessment_name, a.valid])).toEqual([
      ["is_correct", false],
      ["expected_facts", true],
      ["is_correct", true],
    ]);
    const searched = await call("searchTracesV3", { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } }], filter: `attributes.request_id = '${tid}'` });
    expect(((searched.traces as JsonObject[])[0]?.assessments as JsonObject[]).length).toBe(3);

    const overrideId = String(override.assessment_id);
    expect(await call("deleteAssessment", { trace_id: tid, assessment_id: overrideId }, { trace_id: tid, assessment_id: overrideId })).toEqual({});
    const restored = await call("GetAssessment", { trace_id: tid, assessment_id: feedbackId }, { trace_id: tid, assessment_id: feedbackId });
    expect((restored.assessment as JsonObject).valid).toBe(true);
    const missing = await call("GetAssessment", { trace_id: tid, assessment_id: overrideId }, { trace_id: tid, assessment_id: overrideId }, 404);
    expect(missing.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("delete_traces: by ids, then by age and count", async () => {
    expect(await call("deleteTraces", { experiment_id: exp, request_ids: [traceIdOf(4)] })).toEqual({ traces_deleted: 1 });
    expect(await call("deleteTracesV3", { experiment_id: exp, max_timestamp_millis: T0 + 10_000, max_traces: 2 })).toEqual({ traces_deleted: 2 });
    const left = await call("searchTracesV3", { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: exp } }] });
    expect(((left.traces as JsonObject[]) ?? []).map((trace) => trace.trace_id)).toEqual([traceIdOf(3)]);
    expect((await call("getTraceInfoV3", { trace_id: tid }, { trace_id: tid }, 404)).error_code).toBe("RESOURCE_DOES_NOT_EXIST");
  });
});

describe("the MLflow 2.x client's v2 tracing", () => {
  it("StartTrace, PUT traces.json, EndTrace, GetTraceInfo, SearchTraces", async () => {
    const started = await call("startTrace", {
      experiment_id: exp,
      timestamp_ms: T0,
      request_metadata: [{ key: "mlflow.traceInputs", value: '{"x": 1}' }],
      tags: [{ key: "mlflow.traceName", value: "predict" }],
    });
    const info = started.trace_info as JsonObject;
    const requestId = String(info.request_id);
    const location = `mlflow-artifacts:/${exp}/traces/${requestId}/artifacts`;
    expect(started).toEqual({
      trace_info: {
        request_id: requestId,
        experiment_id: exp,
        timestamp_ms: T0,
        status: "IN_PROGRESS",
        request_metadata: [{ key: "mlflow.traceInputs", value: '{"x": 1}' }],
        tags: [
          { key: "mlflow.traceName", value: "predict" },
          { key: "mlflow.artifactLocation", value: location },
        ],
      },
    });
    const put = await fetch(artifactUrl(location), { method: "PUT", body: spansJson(requestId) });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({});
    const ended = await call(
      "endTrace",
      { request_id: requestId, timestamp_ms: T0 + 1500, status: "OK", request_metadata: [{ key: "mlflow.traceOutputs", value: "2" }], tags: [] },
      { request_id: requestId },
    );
    const endedInfo = {
      request_id: requestId,
      experiment_id: exp,
      timestamp_ms: T0,
      execution_time_ms: 1500,
      status: "OK",
      request_metadata: [
        { key: "mlflow.traceInputs", value: '{"x": 1}' },
        { key: "mlflow.traceOutputs", value: "2" },
      ],
      tags: [
        { key: "mlflow.artifactLocation", value: location },
        { key: "mlflow.traceName", value: "predict" },
      ],
    };
    expect(ended).toEqual({ trace_info: endedInfo });
    expect(await call("getTraceInfo", { request_id: requestId }, { request_id: requestId })).toEqual({ trace_info: endedInfo });
    const searched = await call("searchTraces", { experiment_ids: [exp], filter: "tags.`mlflow.traceName` = 'predict'", max_results: 10, order_by: ["timestamp_ms DESC"] });
    expect(searched).toEqual({ traces: [endedInfo] });
    expect(await (await fetch(artifactUrl(location))).text()).toBe(spansJson(requestId));
  });
});
