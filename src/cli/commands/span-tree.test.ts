import { describe, expect, it } from "vitest";
import type { TraceSpan } from "../../sdk/trace-spans.js";
import { oneLine, printable } from "./printable.js";
import { formatSpanDuration, renderSpanTree } from "./span-tree.js";

const span = (spanId: string, startNs: number, endNs: number | undefined, parentSpanId?: string, extra: Partial<TraceSpan> = {}): TraceSpan => ({
  spanId,
  ...(parentSpanId === undefined ? {} : { parentSpanId }),
  name: spanId,
  startTimeUnixNano: String(startNs),
  ...(endNs === undefined ? {} : { endTimeUnixNano: String(endNs) }),
  status: { code: "OK", message: "" },
  attributes: {},
  events: [],
  ...extra,
});

describe("renderSpanTree", () => {
  it("draws children under parents by start time, durations right-aligned in one column, then the status", () => {
    const lines = renderSpanTree([
      span("retrieve", 2_000_000, 42_000_000, "root", { spanType: "RETRIEVER" }),
      span("root", 0, 1_250_000_000, undefined, { spanType: "CHAIN" }),
      span("embed", 3_000_000, 3_042_000, "retrieve"),
      span("llm", 50_000_000, 1_200_000_000, "root", { spanType: "LLM", status: { code: "ERROR", message: "rate limited\nretry later" } }),
      span("tool", 60_000_000, undefined, "llm"),
      span("search", 10_000_000, 20_000_000, "retrieve"),
    ]);
    expect(lines).toEqual([
      "root (CHAIN)               1.25 s  OK",
      "├─ retrieve (RETRIEVER)   40.0 ms  OK",
      "│  ├─ embed              0.042 ms  OK",
      "│  └─ search              10.0 ms  OK",
      "└─ llm (LLM)               1.15 s  ERROR: rate limited",
      "   └─ tool                 (open)  OK",
    ]);
  });

  it("shows hostile names as escapes, cut to 80 characters; an empty trace has no lines", () => {
    expect(renderSpanTree([span("a", 0, 1000, undefined, { name: "\u001b[31mred\u001b[0m\r" })])).toEqual(["\\u001b[31mred\\u001b[0m\\u000d  0.001 ms  OK"]);
    expect(renderSpanTree([span("a", 0, 1000, undefined, { name: "x".repeat(100) })])[0]).toBe(`${"x".repeat(79)}…  0.001 ms  OK`);
    expect(renderSpanTree([])).toEqual([]);
  });

  it("formats durations by size", () => {
    expect([formatSpanDuration(0.0421), formatSpanDuration(12.34), formatSpanDuration(999.94), formatSpanDuration(999.96), formatSpanDuration(1500), formatSpanDuration(undefined)]).toEqual([
      "0.042 ms",
      "12.3 ms",
      "999.9 ms",
      "1.00 s",
      "1.50 s",
      "(open)",
    ]);
  });
});

describe("printable", () => {
  it("escapes control and bidi characters, cuts long text, and keeps the first line only in oneLine", () => {
    expect(printable("a\u0007b\u202ec\u009bd")).toBe("a\\u0007b\\u202ec\\u009bd");
    expect(printable("abcdef", 4)).toBe("abc…");
    expect(oneLine("  first line \nsecond", 60)).toBe("first line");
    expect(oneLine(undefined)).toBe("");
  });
});
