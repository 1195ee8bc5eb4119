import { describe, expect, it } from "vitest";
import { clip } from "../../format";
import { assessmentKind, assessmentSummary, assessmentValue, durationMs, timestampMs, userTags, valueText } from "./trace-format";
import type { TraceInfoV3 } from "./trace-wire";

describe("trace wire values", () => {
  it("reads protobuf durations and RFC 3339 timestamps, and nothing else", () => {
    expect(durationMs("0.228s")).toBe(228);
    expect(durationMs("12s")).toBe(12_000);
    expect([durationMs("228ms"), durationMs(""), durationMs(undefined), durationMs("1.5s; drop")]).toEqual([undefined, undefined, undefined, undefined]);
    expect(timestampMs("2026-11-20T09:00:00.123Z")).toBe(Date.UTC(2026, 10, 20, 9, 0, 0, 123));
    expect([timestampMs("yesterday"), timestampMs(undefined)]).toEqual([undefined, undefined]);
  });

  it("says what each assessment holds: a feedback value, an error, an expectation (plain or serialized)", () => {
    const trace: TraceInfoV3 = {
      trace_id: "tr-1",
      assessments: [
        { assessment_name: "correct", feedback: { value: true } },
        { assessment_name: "judge", feedback: { error: { error_code: "TIMEOUT", error_message: "judge took too long" } } },
        { assessment_name: "expected", expectation: { value: { answer: "42" } } },
        { assessment_name: "facts", expectation: { serialized_value: { serialization_format: "JSON_FORMAT", value: '["a"]' } } },
        { assessment_name: "old", feedback: { value: 0.1 }, valid: false },
      ],
    };
    expect(trace.assessments?.map(assessmentKind)).toEqual(["feedback", "feedback", "expectation", "expectation", "feedback"]);
    expect(trace.assessments?.map(assessmentValue)).toEqual(["true", "error: TIMEOUT judge took too long", '{"answer":"42"}', '["a"]', "0.1"]);
    // Overridden assessments (valid: false) do not count.
    expect(assessmentSummary(trace)).toBe('correct: true, judge: error: TIMEOUT judge took too long, expected: {"answer":"42"}, facts: ["a"]');
  });

  it("keeps people's tags, sorted, and leaves MLflow's out", () => {
    expect(userTags({ "mlflow.artifactLocation": "x", zeta: "1", env: "prod" })).toEqual([
      ["env", "prod"],
      ["zeta", "1"],
    ]);
    expect(userTags(undefined)).toEqual([]);
  });

  it("shows strings as they are and other values as indented JSON", () => {
    expect(valueText("<b>x</b>")).toBe("<b>x</b>");
    expect(valueText({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(valueText(undefined)).toBe("");
  });

  it("clips client text on whole code points", () => {
    expect(clip("abc", 3)).toBe("abc");
    expect(clip("abcd", 3)).toBe("abc…");
    expect(clip("😀😀😀😀", 3)).toBe("😀😀😀…");
    expect(clip("😀😀", 3)).toBe("😀😀");
    expect(clip(undefined, 3)).toBe("");
  });
});
