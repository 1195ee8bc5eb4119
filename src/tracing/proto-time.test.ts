import { describe, expect, it } from "vitest";
import { formatDuration, formatTimestamp, parseDuration, parseTimestamp } from "./proto-time.js";

describe("google.protobuf Timestamp and Duration as JSON", () => {
  it("reads RFC 3339 with any offset and up to 9 fractional digits, truncating to ms", () => {
    expect(parseTimestamp("2025-06-04T00:17:06.901Z", "f")).toBe(Date.UTC(2025, 5, 4, 0, 17, 6, 901));
    expect(parseTimestamp("2025-06-04T00:17:06Z", "f")).toBe(Date.UTC(2025, 5, 4, 0, 17, 6));
    expect(parseTimestamp("2025-06-04T02:17:06.901999999+02:00", "f")).toBe(Date.UTC(2025, 5, 4, 0, 17, 6, 901));
    expect(parseTimestamp("2025-06-03T23:47:06.5-00:30", "f")).toBe(Date.UTC(2025, 5, 4, 0, 17, 6, 500));
    expect(parseTimestamp("1970-01-01T00:00:00Z", "f")).toBe(0);
  });

  it("refuses what is not a Timestamp, naming the field", () => {
    for (const bad of ["2025-06-04 00:17:06Z", "2025-06-04T00:17:06", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2025-06-04T24:00:00Z", "1749000000000", ""]) {
      expect(() => parseTimestamp(bad, "trace.trace_info.request_time"), bad).toThrow(/'trace.trace_info.request_time'/);
    }
  });

  it("writes the Z form with 0 or 3 fractional digits, as protobuf writes millisecond values", () => {
    expect(formatTimestamp(Date.UTC(2025, 5, 4, 0, 17, 6, 901))).toBe("2025-06-04T00:17:06.901Z");
    expect(formatTimestamp(Date.UTC(2025, 5, 4, 0, 17, 6, 90))).toBe("2025-06-04T00:17:06.090Z");
    expect(formatTimestamp(Date.UTC(2025, 5, 4))).toBe("2025-06-04T00:00:00Z");
  });

  it("reads and writes durations in seconds", () => {
    expect(parseDuration("0.228s", "f")).toBe(228);
    expect(parseDuration("3s", "f")).toBe(3000);
    expect(parseDuration("1.000000001s", "f")).toBe(1000);
    expect(parseDuration("-0s", "f")).toBe(0);
    for (const bad of ["228ms", "0.228", "-1s", "1.s", "s"]) expect(() => parseDuration(bad, "d"), bad).toThrow(/'d'/);
    expect(formatDuration(228)).toBe("0.228s");
    expect(formatDuration(3000)).toBe("3s");
    expect(formatDuration(61_005)).toBe("61.005s");
  });
});
