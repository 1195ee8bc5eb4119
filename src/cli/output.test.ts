import { describe, expect, it } from "vitest";
import { CairnError, ErrorCode } from "../core/errors.js";
import { CairnApiError, CairnConnectionError } from "../sdk/errors.js";
import { describeFailure, UsageError } from "./errors.js";
import { fitWidths, formatAgo, formatDuration, formatSize, formatTime, formatTimeAgo, renderHuman, renderTable, tableWidth } from "./output.js";
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

describe("tables that fit the terminal", () => {
  const rows = [
    ["1", "churn-classifier-with-a-long-name", "mlflow-artifacts:/1/0123456789abcdef0123456789abcdef/artifacts/model"],
    ["22", "b", "x"],
  ];

  it("cuts the widest columns first with an ellipsis so that every line fits, headers whole", () => {
    const text = renderTable(["ID", "NAME", "SOURCE"], rows, { color: false, width: 60 });
    const lines = text.split("\n");
    expect(Math.max(...lines.map((line) => line.length))).toBe(60);
    expect(lines).toEqual([
      "ID  NAME                         SOURCE",
      "1   churn-classifier-with-a-lo…  mlflow-artifacts:/1/012345…",
      "22  b                            x",
    ]);
    const narrow = renderTable(["ID", "NAME", "SOURCE"], rows, { color: false, width: 40 }).split("\n");
    expect(narrow).toEqual(["ID  NAME               SOURCE", "1   churn-classifier…  mlflow-artifacts…", "22  b                  x"]);
    expect(Math.max(...narrow.map((line) => line.length))).toBe(40);
  });

  it("keeps full values without a width (piped output) or when they fit", () => {
    expect(renderTable(["ID", "NAME", "SOURCE"], rows, { color: false }).split("\n")[1]).toBe(`1   ${rows[0]?.[1]}  ${rows[0]?.[2]}`);
    expect(renderTable(["ID", "NAME"], [["1", "alpha"]], { color: false, width: 12 })).toBe("ID  NAME\n1   alpha");
  });

  it("never cuts a short column (times, stages: 20 characters at most), nor a long one below its header or 10 characters", () => {
    expect(fitWidths([30, 30], ["SOURCE", "A"], 10)).toEqual([10, 10]);
    expect(fitWidths([3, 40], ["ID", "DESCRIPTION"], 20)).toEqual([3, 15]);
    expect(fitWidths([19, 40, 7], ["CREATED (UTC)", "RUN ID", "STATUS"], 50)).toEqual([19, 20, 7]);
    expect(fitWidths([19, 40, 7], ["CREATED (UTC)", "RUN ID", "STATUS"], 30)).toEqual([19, 10, 7]); // wraps: 40 > 30
    expect(fitWidths([31, 40], ["TIME (UTC)", "ENTITY"], 50)).toEqual([31, 17]); // a time with "(3 min ago)" stays whole
  });

  it("chooses the width: a terminal's own, else COLUMNS, else full values when piped", () => {
    expect(tableWidth(true, 120, undefined)).toBe(120);
    expect(tableWidth(true, 120, "80")).toBe(120);
    expect(tableWidth(true, undefined, undefined)).toBe(80);
    expect(tableWidth(false, undefined, undefined)).toBeUndefined();
    expect(tableWidth(false, undefined, "100")).toBe(100);
    expect(tableWidth(false, undefined, "wide")).toBeUndefined();
  });

  it("prints a table's note after it (e.g. that more rows exist)", () => {
    expect(renderHuman({ kind: "table", columns: ["A"], rows: [["1"]], empty: "none", note: "more exist" }, { color: false })).toBe("A\n1\nmore exist");
  });
});

describe("human times", () => {
  const now = Date.UTC(2026, 11, 4, 17, 0, 0);
  it("says how long ago, in the unit a person reads", () => {
    expect([0, 3_000, 42_000, 3 * 60_000, 5 * 3_600_000, 12 * 86_400_000, -180_000].map((ago) => formatAgo(now - ago, now))).toEqual([
      "just now",
      "just now",
      "42 s ago",
      "3 min ago",
      "5 h ago",
      "12 days ago",
      "in 3 min",
    ]);
    expect(formatTimeAgo(now - 180_000, now)).toBe("2026-12-04 16:57:00 (3 min ago)");
    expect(formatTimeAgo(undefined, now)).toBe("-");
  });
});
