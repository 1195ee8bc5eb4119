import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { CAIRN, stubApi, type StubHandler } from "../deployments/stub-api";
import { LATEST_RUN_TIME, watch, watchAlerts, watchHistory } from "./monitor-fixtures";
import type { FeatureSeriesSet } from "./monitor-results";
import MonitorPage from "./monitor-page";
import type { MonitorRunWire } from "./monitor-wire";

// uPlot draws on a canvas, which happy-dom has not; the chart's input is what this test checks.
vi.mock("./score-chart", () => ({
  ScoreChart: ({ set, description }: { set: FeatureSeriesSet; description: string }) => (
    <div role="img" aria-label={description}>
      {set.series.map((s) => `${s.feature}:${s.values.join(",")}`).join(" ")}
    </div>
  ),
}));

afterEach(() => vi.unstubAllGlobals());

const api = (overrides: Record<string, StubHandler> = {}) =>
  stubApi({
    [`GET ${CAIRN}/monitors/get`]: () => ({ body: { monitor: watch } }),
    [`GET ${CAIRN}/monitors/history`]: () => ({ body: { results: watchHistory } }),
    [`GET ${CAIRN}/monitors/alerts`]: () => ({ body: watchAlerts }),
    ...overrides,
  });

const rowsOf = (region: HTMLElement): string[][] =>
  within(region)
    .getAllByRole("row")
    .slice(1)
    .map((row) => [...row.querySelectorAll("th, td")].map((cell) => cell.textContent ?? ""));

describe("MonitorPage", () => {
  it("shows the latest run's features with the drifted one flagged, failed data tests, the chart and the alerts", async () => {
    api();
    renderWithApp(<MonitorPage name="churn-watch" />, "/monitors/churn-watch?range=all");
    const features = await screen.findByRole("region", { name: "Drift per feature" });
    expect(rowsOf(features)).toEqual([
      ["age", "jensenshannon", "0.31", "—", "≥ 0.1", "drifted"],
      ["city", "jensenshannon", "0.04", "—", "≥ 0.1", "ok"],
    ]);
    const tests = screen.getByRole("region", { name: "Failed data tests" });
    expect(within(tests).getByText("1 of 2 expectations passed.")).toBeTruthy();
    expect(rowsOf(tests)).toEqual([
      ["expect_column_values_to_be_in_set", "city", "12", "expect_column_values_to_be_in_set on column \"city\" failed: 12 of 5000 non-null values (0.24%) fail the bound in {'Oslo', 'Rome'}"],
    ]);
    const chart = await screen.findByRole("img", { name: "Drift distance (drift at or above threshold) of 2 features over 2 runs; thresholds 0.1" });
    expect(chart.textContent).toBe("age:0.02,0.31 city:0.03,0.04");
    const alerts = screen.getByRole("region", { name: "Alerts" });
    // The server's states and events, as monitors/alerts answers them (the recovery at the first run included).
    expect(within(alerts).getByRole("list", { name: "Open alerts" }).textContent?.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, "T")).toBe(
      "open Drift failing since Topen Data tests failing since T",
    );
    expect(rowsOf(alerts).map((cells) => cells.slice(1))).toEqual([
      ["alert", "Data tests", "success_share 0.5 (threshold 1)"],
      ["alert", "Drift", "share_drifted 0.5 (threshold 0.5)"],
      ["recovered", "Drift", "share_drifted 0 (threshold 0.5)"],
    ]);
  });

  it("keeps the period and the charted check in the URL and reads history back to the period's start", async () => {
    api();
    const { location } = renderWithApp(<MonitorPage name="churn-watch" />, "/monitors/churn-watch?range=1h&chart=drift");
    // The fixtures' runs are long past: the last hour holds none of them.
    expect(await screen.findByText("No drift scores in this period.")).toBeTruthy();
    const alerts = await screen.findByRole("region", { name: "Alerts" });
    expect(within(alerts).getByText("No alert or recovery in this period.")).toBeTruthy();
    // The open alerts are the server's state now, whatever the period.
    expect(within(alerts).getByRole("list", { name: "Open alerts" }).querySelectorAll("li")).toHaveLength(2);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Period"), "all");
    expect(location.history.at(-1)).toBe("/monitors/churn-watch?range=all&chart=drift");
    expect(await screen.findByRole("img", { name: /of 2 features over 2 runs/ })).toBeTruthy();
    await user.selectOptions(screen.getByLabelText("Check"), "skew");
    expect(location.history.at(-1)).toBe("/monitors/churn-watch?range=all&chart=skew");
    expect(await screen.findByText("No skew scores in this period.")).toBeTruthy();
  });

  it("runs now and shows each check's message", async () => {
    const run: MonitorRunWire = {
      monitor: "churn-watch",
      time: LATEST_RUN_TIME + 300_000,
      rows: 5000,
      passed: false,
      checks: [
        { check: "drift", passed: false, message: "dataset drift: 1 of 2 columns drifted (share 0.5000 >= 0.5): age (jensenshannon 0.3100, threshold 0.1)", scores: [] },
        { check: "data_tests", passed: false, message: "data tests failed: expect_column_values_to_be_in_set on 'city'", scores: [] },
      ],
    };
    const calls = api({ [`POST ${CAIRN}/monitors/run`]: () => ({ body: { run } }) });
    renderWithApp(<MonitorPage name="churn-watch" />, "/monitors/churn-watch");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Run now" }));
    const result = await screen.findByRole("region", { name: /: checks failed$/ });
    expect(within(result).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "failed Drift: dataset drift: 1 of 2 columns drifted (share 0.5000 >= 0.5): age (jensenshannon 0.3100, threshold 0.1)",
      "failed Data tests: data tests failed: expect_column_values_to_be_in_set on 'city'",
    ]);
    expect(within(result).getByText("5,000 rows in the window.")).toBeTruthy();
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([{ name: "churn-watch" }]);
  });

  it("shows a run the server could not do in plain words", async () => {
    api({ [`POST ${CAIRN}/monitors/run`]: () => ({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: "The monitor's reference 'mlflow-artifacts:/x.csv' is not a file in the artifact store." } }) });
    renderWithApp(<MonitorPage name="churn-watch" />, "/monitors/churn-watch");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Run now" }));
    const alert = await screen.findByText(/is not a file in the artifact store/);
    expect(alert.closest("[role=alert]")?.textContent).toBe("The run failed. The monitor's reference 'mlflow-artifacts:/x.csv' is not a file in the artifact store.");
  });

  it("says when the last run found an empty window and the scores shown are older", async () => {
    api({ [`GET ${CAIRN}/monitors/get`]: () => ({ body: { monitor: { ...watch, last_run_time: LATEST_RUN_TIME + 300_000 } } }) });
    renderWithApp(<MonitorPage name="churn-watch" />, "/monitors/churn-watch");
    const checks = await screen.findByRole("region", { name: /^Latest run: / });
    expect(await within(checks).findByText(/found no logged rows in its window; these are the latest scores\.$/)).toBeTruthy();
    expect(within(checks).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "failing Drift share of features drifted 0.5, threshold 0.5",
      "failing Data tests share of expectations passed 0.5, threshold 1",
    ]);
  });

  it("says a missing monitor is missing", async () => {
    api({ [`GET ${CAIRN}/monitors/get`]: () => ({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Monitor 'gone' not found." } }) });
    renderWithApp(<MonitorPage name="gone" />, "/monitors/gone");
    expect((await screen.findByRole("alert")).textContent).toBe("Could not load monitor gone. Monitor 'gone' not found.");
    expect(screen.queryByRole("button", { name: "Run now" })).toBeNull();
  });
});
