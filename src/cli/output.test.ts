import { describe, expect, it } from "vitest";
import { CairnError, ErrorCode } from "../core/errors.js";
import { CairnApiError, CairnConnectionError } from "../sdk/errors.js";
import { describeFailure, UsageError } from "./errors.js";
import { formatDuration, formatSize, formatTime, renderHuman, renderTable } from "./output.js";
import { resolveTrackingUri } from "./tracking-uri.js";

describe("rendering", () => {
  it("aligns table columns two spaces apart, without color off a terminal", () => {
    expect(renderTable(["ID", "NAME"], [["1", "alpha"], ["12", "b"]], { color: false })).toBe("ID  NAME\n1   alpha\n12  b");
    expect(renderTable(["ID"], [["1"]], { color: true })).toBe("\u001b[1mID\u001b[22m\n1");
  });

  it("renders sections and empty tables", () => {
    const text = renderHuman(
      { kind: "sections", sections: [{ title: "Run x", pairs: [["name", "a"], ["status", "RUNNING"]] }, { title: "Params", pairs: [] }] },
      { color: false },
    );
    expect(text).toBe("Run x\n  name:   a\n  status: RUNNING\n\nParams\n  (none)");
    expect(renderHuman({ kind: "table", columns: ["A"], rows: [], empty: "No runs." }, { color: false })).toBe("No runs.");
  });

  it("formats times in UTC, durations and sizes", () => {
    expect(formatTime(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe("2024-01-02 03:04:05");
    expect(formatTime(undefined)).toBe("-");
    expect(formatDuration(0, 1500)).toBe("1.5s");
    expect(formatDuration(0, 125_000)).toBe("2m 05s");
    expect(formatDuration(0, 7_500_000)).toBe("2h 05m");
    expect(formatDuration(10, undefined)).toBe("-");
    expect([formatSize(5), formatSize(2048), formatSize(3 * 1024 * 1024)]).toEqual(["5 B", "2.0 KiB", "3.0 MiB"]);
  });
});

describe("tracking URI precedence", () => {
  it("flag, then CAIRN_TRACKING_URI, then MLFLOW_TRACKING_URI, then the default", () => {
    const env = { CAIRN_TRACKING_URI: "http://c:1", MLFLOW_TRACKING_URI: "http://m:2" };
    expect(resolveTrackingUri("http://f:3", env)).toBe("http://f:3");
    expect(resolveTrackingUri(undefined, env)).toBe("http://c:1");
    expect(resolveTrackingUri(undefined, { MLFLOW_TRACKING_URI: "http://m:2" })).toBe("http://m:2");
    expect(resolveTrackingUri(undefined, { CAIRN_TRACKING_URI: " " })).toBe("http://127.0.0.1:5000");
  });
});

describe("failures", () => {
  it("become one line and an exit code", () => {
    expect(describeFailure(new CairnApiError(404, "RESOURCE_DOES_NOT_EXIST", "Run with id=x not found", "GET /x"))).toEqual({
      line: "cairn: error: RESOURCE_DOES_NOT_EXIST: Run with id=x not found",
      exitCode: 1,
    });
    expect(describeFailure(new CairnConnectionError("cannot reach http://h:1 (GET /x): ECONNREFUSED", "GET /x", null))).toEqual({
      line: "cairn: error: cannot reach http://h:1 (GET /x): ECONNREFUSED",
      exitCode: 3,
    });
    expect(describeFailure(new UsageError("--view must be one of active, deleted, all; got 'x'")).exitCode).toBe(2);
    expect(describeFailure(new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, "--port must be an integer from 0 to 65535, got 'x'"))).toEqual({
      line: "cairn: error: INVALID_PARAMETER_VALUE: --port must be an integer from 0 to 65535, got 'x'",
      exitCode: 2,
    });
    expect(describeFailure(new Error("ENOENT: no such file\n    at stack"))).toEqual({ line: "cairn: error: ENOENT: no such file", exitCode: 1 });
  });
});
