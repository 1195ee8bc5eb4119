import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../src/sdk/client.js";
import { CairnApiError } from "../src/sdk/errors.js";
import { collect } from "../src/sdk/paging.js";
import { logTrace, type LoggedTrace } from "../src/sdk/test-support/trace-client.js";
import { spanDurationMs, spanTree } from "../src/sdk/trace-spans.js";
import { expectationValue } from "../src/sdk/traces-api.js";

import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";

/** client.traces against a real server: traces logged as the 3.x client logs them, read back with exact values. */
let server: TempServer;
let client: CairnClient;
let experimentId: string;
let first: LoggedTrace;
let second: LoggedTrace;

const T0 = Date.UTC(2026, 11, 4, 10, 0, 0, 250);

beforeAll(async () => {
  server = await startTempServer("cairn-traces-sdk-");
  client = new CairnClient({ trackingUri: server.url, retry: { retries: 0 } });
  experimentId = await client.experiments.create({ name: "traces-sdk" });
  first = await logTrace(server.url, experimentId, {
    requestTimeMs: T0,
    durationMs: 1250,
    request: '{"question": "refund?"}',
    response: '"Yes"',
    tags: { topic: "billing" },
    metadata: { "mlflow.user": "ada" },
    spans: [
      { name: "predict", startNs: 0, endNs: 1_250_000_001, spanType: "CHAIN", inputs: { question: "refund?" }, outputs: "Yes" },
      { name: "retrieve", startNs: 2_000_000, endNs: 42_000_000, parent: "predict", spanType: "RETRIEVER" },
      { name: "llm", startNs: 50_000_000, endNs: 1_200_000_000, parent: "predict", spanType: "LLM", error: "rate limited" },
    ],
  });
  second = await logTrace(server.url, experimentId, {
    requestTimeMs: T0 + 60_000,
    durationMs: 20,
    state: "ERROR",
    request: '{"question": "hi"}',
    spans: [{ name: "predict", startNs: 0, endNs: 20_000_000 }],
  });
});
afterAll(async () => {
  await server?.close();
});

const apiError = async (promise: Promise<unknown>): Promise<{ status: number; errorCode: string }> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CairnApiError)) throw new Error(`expected a CairnApiError, got ${String(error)}`);
  return { status: error.status, errorCode: error.errorCode };
};

describe("client.traces against a real server", () => {
  it("gets a trace's info and its spans from traces.json, with exact nanosecond times and the tree", async () => {
    const trace = await client.traces.get(first.traceId);
    expect(trace.info).toEqual({
      trace_id: first.traceId,
      trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
      request_preview: '{"question": "refund?"}',
      response_preview: '"Yes"',
      request_time: "2026-12-04T10:00:00.250Z",
      execution_duration: "1.250s",
      state: "OK",
      trace_metadata: { "mlflow.trace_schema.version": "3", "mlflow.user": "ada" },
      tags: {
        "mlflow.artifactLocation": `mlflow-artifacts:/${experimentId}/traces/${first.traceId}/artifacts`,
        "mlflow.traceName": "predict",
        topic: "billing",
      },
      assessments: [],
    });
    const start = BigInt(T0) * 1_000_000n;
    expect(trace.spans.map((s) => [s.name, s.spanId, s.parentSpanId, s.spanType, s.startTimeUnixNano, s.endTimeUnixNano, s.status])).toEqual([
      ["predict", "0000000000000001", undefined, "CHAIN", `${start}`, `${start + 1_250_000_001n}`, { code: "OK", message: "" }],
      ["retrieve", "0000000000000002", "0000000000000001", "RETRIEVER", `${start + 2_000_000n}`, `${start + 42_000_000n}`, { code: "OK", message: "" }],
      ["llm", "0000000000000003", "0000000000000001", "LLM", `${start + 50_000_000n}`, `${start + 1_200_000_000n}`, { code: "ERROR", message: "rate limited" }],
    ]);
    expect(trace.spans[0]?.inputs).toEqual({ question: "refund?" });
    expect(trace.spans[0]?.outputs).toBe("Yes");
    expect(trace.spans.map(spanDurationMs)).toEqual([1250.000001, 40, 1150]);
    expect(spanTree(trace.spans).map((n) => `${n.depth}:${n.span.name}`)).toEqual(["0:predict", "1:retrieve", "1:llm"]);
  });

  it("searches newest first by default order, filters on state and tags, and pages", async () => {
    const ids = async (request: { filter?: string; orderBy?: string[]; maxResults?: number }): Promise<string[]> =>
      (await collect(client.traces.searchAll({ experimentIds: [experimentId], ...request }))).map((t) => t.trace_id);
    expect(await ids({ orderBy: ["timestamp_ms DESC"] })).toEqual([second.traceId, first.traceId]);
    expect(await ids({ orderBy: ["timestamp_ms ASC"], maxResults: 1 })).toEqual([first.traceId, second.traceId]);
    expect(await ids({ filter: "trace.status = 'ERROR'" })).toEqual([second.traceId]);
    expect(await ids({ filter: "tags.topic = 'billing'" })).toEqual([first.traceId]);
    expect(await ids({ filter: `metadata.mlflow.user = 'ada' AND trace.timestamp_ms > ${T0 - 1}` })).toEqual([first.traceId]);
    const page = await client.traces.search({ experimentIds: [experimentId], maxResults: 1, orderBy: ["timestamp_ms DESC"] });
    expect(page.items.map((t) => t.trace_id)).toEqual([second.traceId]);
    expect(page.nextPageToken).toEqual(expect.any(String));
    expect(await apiError(client.traces.search({ experimentIds: [experimentId], filter: "colour = 'red'" }))).toEqual({ status: 400, errorCode: "INVALID_PARAMETER_VALUE" });
  });

  it("sets and deletes a tag", async () => {
    await client.traces.setTag(second.traceId, "reviewed", "yes");
    expect((await client.traces.getInfo(second.traceId)).tags?.reviewed).toBe("yes");
    await client.traces.deleteTag(second.traceId, "reviewed");
    expect((await client.traces.getInfo(second.traceId)).tags).not.toHaveProperty("reviewed");
  });

  it("logs feedback and expectations, gets, updates and deletes them; they show in the trace's info", async () => {
    const feedback = await client.traces.assessments.logFeedback({
      traceId: first.traceId,
      name: "relevance",
      value: 0.75,
      rationale: "on topic",
      source: { source_type: "HUMAN", source_id: "ada" },
      spanId: first.spanIds.llm,
    });
    expect(feedback).toEqual({
      assessment_id: feedback.assessment_id,
      assessment_name: "relevance",
      trace_id: first.traceId,
      span_id: "0000000000000003",
      source: { source_type: "HUMAN", source_id: "ada" },
      create_time: feedback.create_time,
      last_update_time: feedback.create_time,
      feedback: { value: 0.75 },
      rationale: "on topic",
      valid: true,
    });
    const expectation = await client.traces.assessments.logExpectation({ traceId: first.traceId, name: "expected", value: { answer: "Yes", sources: 2 } });
    expect(expectationValue(expectation)).toEqual({ answer: "Yes", sources: 2 });
    expect(expectation.source).toEqual({ source_type: "HUMAN", source_id: "default" });

    expect(await client.traces.assessments.get(first.traceId, feedback.assessment_id)).toEqual(feedback);
    const updated = await client.traces.assessments.update(first.traceId, feedback.assessment_id, { feedback: { value: 1 }, rationale: "exact" });
    expect(updated).toMatchObject({ assessment_id: feedback.assessment_id, feedback: { value: 1 }, rationale: "exact", valid: true });
    const info = await client.traces.getInfo(first.traceId);
    expect((info.assessments ?? []).map((a) => [a.assessment_name, a.feedback?.value ?? expectationValue(a)])).toEqual([
      ["relevance", 1],
      ["expected", { answer: "Yes", sources: 2 }],
    ]);

    await client.traces.assessments.delete(first.traceId, expectation.assessment_id);
    expect(await apiError(client.traces.assessments.get(first.traceId, expectation.assessment_id))).toEqual({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("deletes traces by id, and reports a missing or malformed trace id", async () => {
    const extra = await logTrace(server.url, experimentId, { requestTimeMs: T0 - 60_000, durationMs: 1, spans: [{ name: "x", startNs: 0, endNs: 1 }] });
    expect(await client.traces.delete({ experimentId, traceIds: [extra.traceId] })).toBe(1);
    expect(await apiError(client.traces.get(extra.traceId))).toEqual({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
    expect(await apiError(client.traces.get("tr-123"))).toEqual({ status: 400, errorCode: "INVALID_PARAMETER_VALUE" });
    expect(await client.traces.delete({ experimentId, maxTimestampMillis: T0 - 1, maxTraces: 10 })).toBe(0);
  });
});
