import { describe, expect, it } from "vitest";
import { barPlacement, buildSpanTree, offsetMs } from "./span-tree";
import { parseSpan, parseTraceData, type TraceSpan } from "./trace-spans";

/** A trace that began at this epoch (in ns; a multiple of 2^17, so offsets below are exact doubles). */
const T0 = 1_700_000_000_000_000_000;
const MS = 1_000_000;

/** MLflow 3's span dict (OTLP-like, attribute values as JSON text), as the 3.x client writes it to traces.json. */
const v3Span = (id: string, parent: string, name: string, startMs: number, endMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  trace_id: "AAAAAAAAAAAAAAAAAAAAAA==",
  span_id: id,
  trace_state: "",
  parent_span_id: parent,
  name,
  start_time_unix_nano: T0 + startMs * MS,
  end_time_unix_nano: T0 + endMs * MS,
  attributes: { "mlflow.traceRequestId": '"tr-0123"', "mlflow.spanType": '"CHAIN"', ...extra },
  status: { code: "STATUS_CODE_OK", message: "" },
  events: [],
});

const ids = (rows: { span: TraceSpan; depth: number }[]): string[] => rows.map((row) => `${"  ".repeat(row.depth)}${row.span.name}`);

describe("parseSpan", () => {
  it("reads MLflow 3's span dict: ids as written, JSON-text attributes decoded, status without its prefix", () => {
    const span = parseSpan(
      v3Span("c3Bhbi0x", "", "agent", 0, 120, {
        "mlflow.spanInputs": '{"question": "why?"}',
        "mlflow.spanOutputs": '"because"',
        "llm.model": '"gpt-x"',
        temperature: "0.2",
        note: "not json",
      }),
    );
    expect(span).toEqual({
      spanId: "c3Bhbi0x",
      parentId: undefined,
      name: "agent",
      spanType: "CHAIN",
      startNs: T0,
      endNs: T0 + 120 * MS,
      status: "OK",
      statusMessage: "",
      inputs: { question: "why?" },
      outputs: "because",
      attributes: { "llm.model": "gpt-x", temperature: 0.2, note: "not json" },
      events: [],
    });
  });

  it("reads MLflow 2.x's span dict (context, parent_id, start_time) and the newer status spelling", () => {
    const v2 = parseSpan({
      name: "retrieve",
      context: { span_id: "0x5e11", trace_id: "0xabc" },
      parent_id: "0x0a01",
      start_time: String(T0 + 5 * MS),
      end_time: T0 + 9 * MS,
      status_code: "ERROR",
      status_message: "timeout",
      attributes: { "mlflow.spanType": '"RETRIEVER"' },
      events: [{ name: "exception", timestamp: T0 + 8 * MS, attributes: { "exception.message": "timeout" } }],
    });
    expect(v2).toMatchObject({ spanId: "0x5e11", parentId: "0x0a01", startNs: T0 + 5 * MS, endNs: T0 + 9 * MS, status: "ERROR", statusMessage: "timeout", spanType: "RETRIEVER" });
    expect(v2?.events).toEqual([{ name: "exception", timeNs: T0 + 8 * MS, attributes: { "exception.message": "timeout" } }]);
    expect(parseSpan({ ...v3Span("a", "", "x", 0, 1), status: { code: "ERROR" } })?.status).toBe("ERROR");
    expect(parseSpan({ ...v3Span("a", "", "x", 0, 1), status: { code: "STATUS_CODE_UNSET" } })?.status).toBe("UNSET");
  });

  it("skips what is not a span: no id, no start time, not an object", () => {
    expect(parseSpan({ ...v3Span("", "", "x", 0, 1) })).toBeUndefined();
    expect(parseSpan({ ...v3Span("a", "", "x", 0, 1), start_time_unix_nano: "soon" })).toBeUndefined();
    expect(parseSpan("<img src=x onerror=alert(1)>")).toBeUndefined();
    expect(parseTraceData(JSON.stringify({ spans: [v3Span("a", "", "root", 0, 1), 42, null] }))).toMatchObject({ skipped: 2 });
  });

  it("says in words when the file is not a span file", () => {
    expect(() => parseTraceData("{")).toThrow("The trace's span file is not valid JSON.");
    expect(() => parseTraceData('{"spans": {}}')).toThrow("The trace's span file has no list of spans.");
  });
});

describe("buildSpanTree", () => {
  // agent (0-120) > [plan (2-10), tool (10-70) > [search (15-60) > [rank (40-55)]], answer (70-118)]
  // given out of order, as a file may hold them.
  const spans = parseTraceData(
    JSON.stringify({
      spans: [
        v3Span("s-rank", "s-search", "rank", 40, 55),
        v3Span("s-answer", "s-agent", "answer", 70, 118),
        v3Span("s-tool", "s-agent", "tool", 10, 70),
        v3Span("s-agent", "", "agent", 0, 120),
        v3Span("s-search", "s-tool", "search", 15, 60),
        v3Span("s-plan", "s-agent", "plan", 2, 10),
      ],
    }),
  ).spans;

  it("nests spans by parent id, children in start order, each after its parent", () => {
    const tree = buildSpanTree(spans);
    expect(ids(tree.rows)).toEqual(["agent", "  plan", "  tool", "    search", "      rank", "  answer"]);
    expect(tree.rows.map((row) => row.childIds)).toEqual([["s-plan", "s-tool", "s-answer"], [], ["s-search"], ["s-rank"], [], []]);
  });

  it("places each span by its offset from the first start and its duration, in milliseconds", () => {
    const tree = buildSpanTree(spans);
    expect(tree.totalMs).toBe(120);
    expect(tree.startNs).toBe(T0);
    expect(tree.rows.map((row) => [row.span.name, row.startOffsetMs, row.durationMs])).toEqual([
      ["agent", 0, 120],
      ["plan", 2, 8],
      ["tool", 10, 60],
      ["search", 15, 45],
      ["rank", 40, 15],
      ["answer", 70, 48],
    ]);
    expect(tree.rows.map((row) => barPlacement(row, tree.totalMs))).toEqual([
      { leftPercent: 0, widthPercent: 100 },
      { leftPercent: (2 / 120) * 100, widthPercent: (8 / 120) * 100 },
      { leftPercent: (10 / 120) * 100, widthPercent: 50 },
      { leftPercent: 12.5, widthPercent: 37.5 },
      { leftPercent: (40 / 120) * 100, widthPercent: 12.5 },
      { leftPercent: (70 / 120) * 100, widthPercent: 40 },
    ]);
    expect(offsetMs(tree, T0 + 42 * MS)).toBe(42);
  });

  it("rounds sub-microsecond noise of nanosecond epochs away", () => {
    // 1.7e18 + 5,000,001 ns is not a double: it reads back a few hundred ns off.
    const [root, child] = [v3Span("r", "", "root", 0, 10), { ...v3Span("c", "r", "child", 0, 0), start_time_unix_nano: T0 + 5_000_001, end_time_unix_nano: T0 + 7_000_003 }].map((raw) => parseSpan(raw) as TraceSpan);
    const tree = buildSpanTree([root as TraceSpan, child as TraceSpan]);
    expect(tree.rows.map((row) => [row.startOffsetMs, row.durationMs])).toEqual([
      [0, 10],
      [5, 2],
    ]);
  });

  it("shows orphans, self-parents and parent cycles as roots instead of losing them, and an open span to the end", () => {
    const odd = [
      v3Span("a", "", "root", 0, 10),
      v3Span("o", "missing", "orphan", 1, 2),
      v3Span("s", "s", "self", 3, 4),
      v3Span("x", "y", "cycle-x", 5, 6),
      v3Span("y", "x", "cycle-y", 6, 7),
      { ...v3Span("u", "a", "unfinished", 8, 0), end_time_unix_nano: null },
      v3Span("a", "", "duplicate id", 9, 9),
    ].map((raw) => parseSpan(raw) as TraceSpan);
    const tree = buildSpanTree(odd);
    expect(ids(tree.rows)).toEqual(["root", "  unfinished", "orphan", "self", "cycle-x", "  cycle-y"]);
    const unfinished = tree.rows[1];
    expect(unfinished?.durationMs).toBeUndefined();
    expect(barPlacement(unfinished as (typeof tree.rows)[number], tree.totalMs)).toEqual({ leftPercent: 80, widthPercent: 20 });
  });

  it("walks a chain thousands deep without recursion", () => {
    const chain = Array.from({ length: 5000 }, (_, i) => parseSpan(v3Span(`s${i}`, i === 0 ? "" : `s${i - 1}`, `n${i}`, i, i + 1)) as TraceSpan);
    const tree = buildSpanTree(chain);
    expect(tree.rows).toHaveLength(5000);
    expect(tree.rows.at(-1)?.depth).toBe(4999);
  });

  it("is empty for no spans", () => {
    expect(buildSpanTree([])).toEqual({ rows: [], startNs: 0, totalMs: 0 });
  });
});
