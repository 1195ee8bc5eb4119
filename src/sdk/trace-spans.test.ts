import { describe, expect, it } from "vitest";
import { normalizeSpanId, parseJsonExactIntegers, parseSpan, parseTraceData, spanDurationMs, spanTree, type TraceSpan } from "./trace-spans.js";

/** The three span shapes MLflow clients write into traces.json, read into one. */
describe("parseTraceData", () => {
  it("reads the 3.x OTLP-style dict: base64 ids, nanosecond strings or numbers, STATUS_CODE_*, JSON-text attributes", () => {
    const spans = parseTraceData({
      spans: [
        {
          trace_id: "AAAAAAAAAAAAAAAAAAAAAQ==",
          span_id: "AAAAAAAAAAE=",
          trace_state: "",
          parent_span_id: "",
          name: "predict",
          start_time_unix_nano: "1733300000000000000",
          end_time_unix_nano: "1733300000250000001",
          attributes: { "mlflow.traceRequestId": '"tr-1"', "mlflow.spanType": '"CHAIN"', "mlflow.spanInputs": '{"x": 1}', "mlflow.spanOutputs": "2", plain: "not json" },
          status: { message: "", code: "STATUS_CODE_OK" },
          events: [{ time_unix_nano: "1733300000100000000", name: "retry", attributes: { attempt: "1" } }],
        },
        {
          span_id: "AAAAAAAAAAI=",
          parent_span_id: "AAAAAAAAAAE=",
          name: "add_one",
          start_time_unix_nano: "1733300000010000000",
          end_time_unix_nano: "1733300000020000000",
          attributes: {},
          status: { message: "boom", code: "STATUS_CODE_ERROR" },
        },
      ],
    });
    expect(spans).toEqual<TraceSpan[]>([
      {
        spanId: "0000000000000001",
        name: "predict",
        startTimeUnixNano: "1733300000000000000",
        endTimeUnixNano: "1733300000250000001",
        status: { code: "OK", message: "" },
        spanType: "CHAIN",
        inputs: { x: 1 },
        outputs: 2,
        attributes: { "mlflow.traceRequestId": "tr-1", "mlflow.spanType": "CHAIN", "mlflow.spanInputs": { x: 1 }, "mlflow.spanOutputs": 2, plain: "not json" },
        events: [{ name: "retry", timeUnixNano: "1733300000100000000", attributes: { attempt: 1 } }],
      },
      {
        spanId: "0000000000000002",
        parentSpanId: "0000000000000001",
        name: "add_one",
        startTimeUnixNano: "1733300000010000000",
        endTimeUnixNano: "1733300000020000000",
        status: { code: "ERROR", message: "boom" },
        attributes: {},
        events: [],
      },
    ]);
    expect(spans.map(spanDurationMs)).toEqual([250.000001, 10]);
  });

  it("reads the 2.x dict (context, parent_id, start_time) and the hex-id dict (status OK/ERROR/UNSET)", () => {
    const legacy = parseSpan({
      name: "root",
      context: { span_id: "0x00000000000000aB", trace_id: "0x1" },
      parent_id: null,
      start_time: 1_000_000,
      end_time: 3_500_000,
      status_code: "OK",
      status_message: "",
      attributes: { "mlflow.spanType": '"LLM"' },
      events: [{ name: "e", timestamp: 2_000_000, attributes: {} }],
    });
    expect(legacy).toEqual({
      spanId: "00000000000000ab",
      name: "root",
      startTimeUnixNano: "1000000",
      endTimeUnixNano: "3500000",
      status: { code: "OK", message: "" },
      spanType: "LLM",
      attributes: { "mlflow.spanType": "LLM" },
      events: [{ name: "e", timeUnixNano: "2000000", attributes: {} }],
    });
    const hex = parseSpan({ span_id: "00000000000000FF", parent_span_id: null, name: "n", start_time_unix_nano: 5, end_time_unix_nano: null, status: { code: "UNSET" } });
    expect(hex).toEqual({ spanId: "00000000000000ff", name: "n", startTimeUnixNano: "5", status: { code: "UNSET", message: "" }, attributes: {}, events: [] });
    expect(spanDurationMs(hex as TraceSpan)).toBeUndefined();
  });

  it("drops spans without an id, keeps unreadable fields absent, and refuses a document that is not a span list", () => {
    expect(parseTraceData({ spans: [null, 3, { name: "no id" }, { span_id: "AAAAAAAAAAM=", name: 7, start_time_unix_nano: "-1", attributes: [1], events: "x" }] })).toEqual([
      { spanId: "0000000000000003", name: "", startTimeUnixNano: "0", status: { code: "UNSET", message: "" }, attributes: {}, events: [] },
    ]);
    expect(() => parseTraceData({ spans: {} })).toThrow("traces.json must be a JSON object with a 'spans' list");
    expect(() => parseTraceData([])).toThrow("traces.json must be a JSON object with a 'spans' list");
    expect(normalizeSpanId("")).toBeUndefined();
    expect(normalizeSpanId("opaque-id")).toBe("opaque-id");
  });
});

const span = (spanId: string, start: number, parentSpanId?: string): TraceSpan => ({
  spanId,
  ...(parentSpanId === undefined ? {} : { parentSpanId }),
  name: spanId,
  startTimeUnixNano: String(start),
  status: { code: "OK", message: "" },
  attributes: {},
  events: [],
});

describe("parseJsonExactIntegers", () => {
  it("reads integers beyond 2^53 outside strings as exact text, and leaves strings, small numbers and decimals alone", () => {
    const text = `{"a": 1733300000000000001, "b": [-9007199254740993, 12, 1.5e300, 0.25], "c": "x\\" 1733300000000000001", "d": "{\\"n\\": 1733300000000000001}"}`;
    expect(parseJsonExactIntegers(text)).toEqual({
      a: "1733300000000000001",
      b: ["-9007199254740993", 12, 1.5e300, 0.25],
      c: 'x" 1733300000000000001',
      d: '{"n": 1733300000000000001}',
    });
    expect(() => parseJsonExactIntegers("{")).toThrow(SyntaxError);
  });
});

describe("spanTree", () => {
  it("orders depth-first with siblings by start time, and makes orphans roots", () => {
    const tree = spanTree([span("c2", 30, "root"), span("root", 0), span("c1", 10, "root"), span("g1", 15, "c1"), span("orphan", 5, "gone")]);
    expect(tree.map((node) => `${node.depth}:${node.span.spanId}`)).toEqual(["0:root", "1:c1", "2:g1", "1:c2", "0:orphan"]);
  });

  it("lists every span once even when parents form a cycle, and survives a 100,000-deep chain", () => {
    const cycle = spanTree([span("a", 0, "b"), span("b", 1, "a"), span("self", 2, "self")]);
    expect(cycle.map((node) => `${node.depth}:${node.span.spanId}`)).toEqual(["0:self", "0:a", "1:b"]);
    const chain = Array.from({ length: 100_000 }, (_, i) => span(`s${i}`, i, i === 0 ? undefined : `s${i - 1}`));
    const deep = spanTree(chain);
    expect(deep).toHaveLength(100_000);
    expect(deep[99_999]).toEqual({ span: chain[99_999], depth: 99_999 });
  });
});
