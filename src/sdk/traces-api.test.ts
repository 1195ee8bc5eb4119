import { describe, expect, it } from "vitest";
import { collect } from "./paging.js";
import { useRecordingClient } from "./test-support/recording-client.js";
import { durationMs, expectationValue, expectationWire } from "./traces-api.js";

/**
 * The exact requests each trace and assessment method sends, against a recording server on loopback. The real
 * server's answers are checked in test/traces-sdk.test.ts.
 */
const { clientFor, sent } = useRecordingClient({ decodeUrls: false });

const TR = "tr-0123456789abcdef0123456789abcdef";
const info = {
  trace_id: TR,
  trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "1" } },
  request_time: "2026-12-04T10:00:00.250Z",
  execution_duration: "0.125s",
  state: "OK",
  tags: { "mlflow.artifactLocation": `mlflow-artifacts:/1/traces/${TR}/artifacts` },
};

describe("TracesApi requests", () => {
  it("searches under /api/3.0 with experiment locations and walks every page; fills absent maps and lists", async () => {
    const client = await clientFor((request) => {
      const body = JSON.parse(request.body) as { page_token?: string };
      return { status: 200, body: body.page_token === undefined ? { traces: [info], next_page_token: "n" } : { traces: [] } };
    });
    const all = await collect(client.traces.searchAll({ experimentIds: ["1", "2"], filter: "trace.status = 'OK'", orderBy: ["timestamp_ms DESC"], maxResults: 1 }));
    expect(all).toEqual([{ ...info, trace_metadata: {}, assessments: [] }]);
    const common = `"locations":[{"type":"MLFLOW_EXPERIMENT","mlflow_experiment":{"experiment_id":"1"}},{"type":"MLFLOW_EXPERIMENT","mlflow_experiment":{"experiment_id":"2"}}],"filter":"trace.status = 'OK'","max_results":1,"order_by":["timestamp_ms DESC"]`;
    expect(sent()).toEqual([`POST /api/3.0/mlflow/traces/search {${common}}`, `POST /api/3.0/mlflow/traces/search {${common},"page_token":"n"}`]);
  });

  it("gets the info, then traces.json through the artifact proxy, keeping nanosecond times exact", async () => {
    const spans = `{"spans": [{"span_id": "AAAAAAAAAAE=", "parent_span_id": "", "name": "root", "start_time_unix_nano": 1733300000000000001, "end_time_unix_nano": 1733300000125000002, "attributes": {}, "status": {"code": "STATUS_CODE_OK", "message": ""}}]}`;
    // The recording server answers JSON it serializes itself; nanosecond times travel as decimal text there.
    const client = await clientFor((request) =>
      request.url.startsWith("/api/3.0") ? { status: 200, body: { trace: { trace_info: info } } } : { status: 200, body: JSON.parse(spans.replace(/(\d{19})/g, '"$1"')) },
    );
    const trace = await client.traces.get(TR);
    expect(trace.info).toEqual({ ...info, trace_metadata: {}, assessments: [] });
    expect(trace.spans.map((s) => [s.spanId, s.name, s.startTimeUnixNano, s.endTimeUnixNano])).toEqual([
      ["0000000000000001", "root", "1733300000000000001", "1733300000125000002"],
    ]);
    expect(sent()).toEqual([`GET /api/3.0/mlflow/traces/${TR}?trace_id=${TR}`, `GET /api/2.0/mlflow-artifacts/artifacts/1/traces/${TR}/artifacts/traces.json`]);
  });

  it("answers no spans when traces.json is missing (404) or the trace has no artifact location", async () => {
    const client = await clientFor((request) =>
      request.url.startsWith("/api/3.0/mlflow/traces/tr-a")
        ? { status: 200, body: { trace: { trace_info: info } } }
        : request.url.startsWith("/api/3.0")
          ? { status: 200, body: { trace: { trace_info: { ...info, trace_id: "tr-b", tags: {} } } } }
          : { status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "no file" } },
    );
    expect((await client.traces.get("tr-a")).spans).toEqual([]);
    expect((await client.traces.get("tr-b")).spans).toEqual([]);
    expect(sent()).toHaveLength(3);
  });

  it("sets and deletes tags on the v2 path, and deletes by ids or by age", async () => {
    const client = await clientFor((request) => ({ status: 200, body: request.url.endsWith("delete-traces") ? { traces_deleted: 2 } : {} }));
    await client.traces.setTag(TR, "topic", "billing");
    await client.traces.deleteTag(TR, "topic");
    expect(await client.traces.delete({ experimentId: "1", traceIds: [TR, "tr-2"] })).toBe(2);
    expect(await client.traces.delete({ experimentId: "1", maxTimestampMillis: 1000, maxTraces: 5 })).toBe(2);
    expect(sent()).toEqual([
      `PATCH /api/2.0/mlflow/traces/${TR}/tags {"key":"topic","value":"billing"}`,
      `DELETE /api/2.0/mlflow/traces/${TR}/tags {"key":"topic"}`,
      `POST /api/2.0/mlflow/traces/delete-traces {"experiment_id":"1","request_ids":["${TR}","tr-2"]}`,
      `POST /api/2.0/mlflow/traces/delete-traces {"experiment_id":"1","max_timestamp_millis":1000,"max_traces":5}`,
    ]);
  });
});

describe("AssessmentsApi requests", () => {
  it("logs feedback and expectations, gets, updates with a camelCase mask, and deletes", async () => {
    const assessment = { assessment_id: "a-1", assessment_name: "relevance", trace_id: TR };
    const client = await clientFor(() => ({ status: 200, body: { assessment } }));
    expect(await client.traces.assessments.logFeedback({ traceId: TR, name: "relevance", value: 0.75, rationale: "on topic", spanId: "00000000000000ab" })).toEqual(assessment);
    await client.traces.assessments.logFeedback({
      traceId: TR,
      name: "judge",
      error: { error_code: "RATE_LIMIT", error_message: "slow down" },
      source: { source_type: "LLM_JUDGE", source_id: "gpt" },
      overrides: "a-0",
      metadata: { run: "r1" },
    });
    await client.traces.assessments.logExpectation({ traceId: TR, name: "expected", value: ["a", "b"] });
    await client.traces.assessments.logExpectation({ traceId: TR, name: "expected_json", value: { answer: 42 }, source: { source_type: "HUMAN", source_id: "ada" } });
    await client.traces.assessments.get(TR, "a-1");
    await client.traces.assessments.update(TR, "a-1", { feedback: { value: false }, rationale: "wrong", name: "relevance2" });
    await client.traces.assessments.delete(TR, "a-1");
    await expect(client.traces.assessments.update(TR, "a-1", {})).rejects.toThrow("update needs at least one of name, feedback, expectation, rationale, metadata");
    const base = `/api/3.0/mlflow/traces/${TR}/assessments`;
    expect(sent()).toEqual([
      `POST ${base} {"assessment":{"assessment_name":"relevance","trace_id":"${TR}","span_id":"00000000000000ab","source":{"source_type":"CODE","source_id":"default"},"feedback":{"value":0.75},"rationale":"on topic"}}`,
      `POST ${base} {"assessment":{"assessment_name":"judge","trace_id":"${TR}","source":{"source_type":"LLM_JUDGE","source_id":"gpt"},"feedback":{"error":{"error_code":"RATE_LIMIT","error_message":"slow down"}},"metadata":{"run":"r1"},"overrides":"a-0"}}`,
      `POST ${base} {"assessment":{"assessment_name":"expected","trace_id":"${TR}","source":{"source_type":"HUMAN","source_id":"default"},"expectation":{"value":["a","b"]}}}`,
      `POST ${base} {"assessment":{"assessment_name":"expected_json","trace_id":"${TR}","source":{"source_type":"HUMAN","source_id":"ada"},"expectation":{"serialized_value":{"serialization_format":"JSON_FORMAT","value":"{\\"answer\\":42}"}}}}`,
      `GET ${base}/a-1`,
      `PATCH ${base}/a-1 {"assessment":{"assessment_id":"a-1","trace_id":"${TR}","assessment_name":"relevance2","feedback":{"value":false},"rationale":"wrong"},"update_mask":"assessmentName,feedback,rationale"}`,
      `DELETE ${base}/a-1 {"trace_id":"${TR}","assessment_id":"a-1"}`,
    ]);
  });

  it("reads expectation values back whether plain or serialized, and durations from protobuf's text", () => {
    expect(expectationValue({ expectation: expectationWire({ answer: [1, null] }) })).toEqual({ answer: [1, null] });
    expect(expectationValue({ expectation: expectationWire(null) })).toBeNull();
    expect(expectationValue({ expectation: expectationWire("text") })).toBe("text");
    expect(expectationValue({ expectation: { serialized_value: { serialization_format: "OTHER", value: "raw" } } })).toBe("raw");
    expect(expectationValue({})).toBeUndefined();
    expect([durationMs("0.228s"), durationMs("3s"), durationMs("1.000000001s"), durationMs("12 ms"), durationMs(undefined)]).toEqual([228, 3000, 1000.000001, undefined, undefined]);
  });
});
