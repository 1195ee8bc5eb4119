import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { AlertsCard } from "./alerts-card";
import { ChecksCard } from "./latest-run-cards";
import { MonitorSummaryCard } from "./monitor-summary-card";
import type { MonitorResult, MonitorWire } from "./monitor-wire";

/** The status cards of the monitor page: a check's status (only a pass is green), monitor.error events, min_rows and features. */
const T = Date.UTC(2026, 0, 2, 3, 4, 5);

const run: MonitorResult[] = [
  { time: T, check: "drift", feature: "", method: "min_rows", statistic: 12, threshold: 100, passed: false, status: "insufficient_data" },
  { time: T, check: "skew", feature: "", method: "error", statistic: null, threshold: null, passed: false, status: "error" },
  { time: T, check: "quality", feature: "", method: "accuracy", statistic: 0.5, threshold: 0.9, passed: false, status: "fail" },
  { time: T, check: "data_tests", feature: "", method: "success_share", statistic: 1, threshold: 1, passed: true, status: "pass" },
];

describe("monitor status cards", () => {
  it("shows each check's status: passing, failing, error (could not run), insufficient data with the rows against min_rows", () => {
    renderWithApp(<ChecksCard run={run} lastRunTime={T} />);
    const items = within(screen.getByRole("list")).getAllByRole("listitem").map((li) => li.textContent);
    expect(items).toEqual([
      "insufficient data Drift 12 rows in the window, at least 100 needed: nothing judged",
      "error Training/serving skew could not run (the run's message says why: use Run now to see it)",
      "failing Quality accuracy 0.5, threshold 0.9",
      "passing Data tests share of expectations passed 1, threshold 1",
    ]);
    const badges = within(screen.getByRole("list")).getAllByText(/^(insufficient data|error|failing|passing)$/);
    expect(badges.map((b) => b.className)).toEqual(["badge warn", "badge danger", "badge danger", "badge ok"]);
  });

  it("lists monitor.error events and the checks that cannot run now, apart from open alerts", () => {
    renderWithApp(
      <AlertsCard
        alerts={{
          states: [
            { check: "drift", failing: true, since: T - 60_000, error_since: T },
            { check: "skew", failing: false, error_since: T },
          ],
          events: [
            { time: T, check: "skew", kind: "error", status: "error", message: "skew check could not run: x", window_rows: 0, features: [], scores: [{ feature: "", method: "error", statistic: null, threshold: null }] },
            { time: T - 60_000, check: "drift", kind: "alert", status: "fail", message: "drifted", window_rows: 40, features: ["a"], scores: [{ feature: "", method: "share_drifted", statistic: 1, threshold: 0.5 }] },
          ],
          truncated: false,
        }}
      />,
    );
    expect(within(screen.getByRole("list", { name: "Open alerts" })).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^open Drift failing since /),
    ]);
    expect(within(screen.getByRole("list", { name: "Checks that cannot run" })).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^error Drift could not run since /),
      expect.stringMatching(/^error Training\/serving skew could not run since /),
    ]);
    const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1).map((row) => within(row).getAllByRole("cell").slice(1).map((c) => c.textContent));
    expect(rows).toEqual([
      ["error", "Training/serving skew", "could not run"],
      ["alert", "Drift", "share_drifted 1 (threshold 0.5)"],
    ]);
  });

  it("shows the monitor's minimum rows and its declared features (or that the signature names them)", () => {
    const monitor: MonitorWire = {
      name: "m",
      deployment: "d",
      window: { last_rows: 40 },
      schedule_seconds: 60,
      min_rows: 40,
      features: ["age", "city"],
      checks: { quality: { metric: "accuracy", threshold: 0.9 } },
      created_time: T,
      last_updated_time: T,
    };
    const { unmount } = renderWithApp(<MonitorSummaryCard monitor={monitor} />);
    const value = (term: string): string | null | undefined => screen.getByText(term).nextElementSibling?.textContent;
    expect(value("Minimum rows")).toBe("40 (fewer in the window: insufficient data, nothing judged)");
    expect(value("Features")).toBe("age, city");
    unmount();
    const { features: _features, min_rows: _minRows, ...older } = monitor;
    renderWithApp(<MonitorSummaryCard monitor={older} />);
    expect(value("Minimum rows")).toBe("100 (fewer in the window: insufficient data, nothing judged)");
    expect(value("Features")).toBe("the model version's signature");
  });
});
