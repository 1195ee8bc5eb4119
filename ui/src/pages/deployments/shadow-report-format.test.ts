import { describe, expect, it } from "vitest";
import { formatTime } from "../../format";
import type { ShadowReportWire } from "./deployment-wire";
import { formatLatency, shadowReportLines } from "./shadow-report-format";

const report: ShadowReportWire = {
  deployment: "churn",
  primary_version: "1",
  candidate_version: "3",
  share: 0.5,
  since: 1_700_000_000_000,
  mirrored: 21,
  compared: 20,
  primary_errors: 0,
  candidate_errors: 1,
  class_compared: 20,
  same_class: 18,
  agreement_rate: 0.9,
  abs_diff: { mean: 0.0125, max: 0.25 },
  rel_diff: { mean: 0.031, max: 0.5 },
  latency: { primary: { count: 21, p50_ms: 0.3141, p99_ms: 2.5 }, candidate: { count: 20, p50_ms: 0.42, p99_ms: 3 } },
};

describe("shadow report lines", () => {
  it("says every figure of the report in words", () => {
    expect(shadowReportLines(report)).toEqual([
      { label: "Compared since", value: formatTime(1_700_000_000_000) },
      { label: "Mirrored", value: "21 requests (50% of traffic)" },
      { label: "Compared", value: "20 requests where both answered" },
      { label: "Agreement rate", value: "90% (18 of 20 requests with the same class)", warn: true },
      { label: "Absolute difference", value: "mean 0.0125, max 0.25" },
      { label: "Relative difference", value: "mean 3.1%, max 50%" },
      { label: "Latency, primary v1", value: "p50 0.314 ms, p99 2.5 ms (21 requests)" },
      { label: "Latency, shadow v3", value: "p50 0.42 ms, p99 3 ms (20 requests)" },
      { label: "Errors", value: "primary 0, shadow 1", warn: true },
    ]);
  });

  it("says what is missing before anything was compared", () => {
    const empty: ShadowReportWire = {
      ...report,
      mirrored: 0,
      compared: 0,
      candidate_errors: 0,
      class_compared: 0,
      same_class: 0,
      agreement_rate: null,
      abs_diff: { mean: null, max: null },
      rel_diff: { mean: null, max: null },
      latency: { primary: { count: 0, p50_ms: null, p99_ms: null }, candidate: { count: 0, p50_ms: null, p99_ms: null } },
    };
    const lines = shadowReportLines(empty);
    expect(lines.find((l) => l.label === "Agreement rate")).toEqual({ label: "Agreement rate", value: "— (no output with a class compared yet)" });
    expect(lines.find((l) => l.label === "Absolute difference")?.value).toBe("— (no numeric output compared)");
    expect(lines.find((l) => l.label === "Latency, shadow v3")?.value).toBe("no requests yet");
    expect(lines.find((l) => l.label === "Errors")).toEqual({ label: "Errors", value: "primary 0, shadow 0", warn: false });
    expect(lines.find((l) => l.label === "Mirrored")?.value).toBe("0 requests (50% of traffic)");
  });

  it("keeps sub-millisecond latencies", () => {
    expect(formatLatency(0.0456)).toBe("0.0456 ms");
    expect(formatLatency(1234.5)).toBe("1230 ms");
    expect(formatLatency(null)).toBe("—");
  });
});
