import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { CAIRN, stubApi } from "../deployments/stub-api";
import { watch, watchHistory } from "./monitor-fixtures";
import MonitorsPage from "./monitors-page";

afterEach(() => vi.unstubAllGlobals());

const idle = { ...watch, name: "idle", checks: { quality: { metric: "accuracy", threshold: 0.9 } } };
delete idle.last_run_time;

describe("MonitorsPage", () => {
  it("lists monitors with the latest run's drifted features, failed data tests and open alerts", async () => {
    const calls = stubApi({
      [`GET ${CAIRN}/monitors/list`]: () => ({ body: { monitors: [watch, idle] } }),
      [`GET ${CAIRN}/monitors/history`]: (url) => ({ body: { results: url.searchParams.get("name") === "churn-watch" ? watchHistory : [] } }),
    });
    renderWithApp(<MonitorsPage />, "/monitors");
    await screen.findByText("1 drifted");
    const rows = screen.getAllByRole("row").slice(1).map((row) => within(row).getAllByRole("cell").map((c) => c.textContent));
    expect(rows[0]?.filter((_, i) => i !== 5)).toEqual([
      "churn-watch",
      "churn",
      "drift vs training profile; data tests",
      "last 5,000 rows",
      "every 5 min",
      "1 drifted",
      "1 failed",
      "DriftData tests",
    ]);
    expect(rows[1]).toEqual(["idle", "churn", "accuracy ≥ 0.9", "last 5,000 rows", "every 5 min", "never", "not run yet"]);
    expect(calls.filter((c) => c.path.endsWith("monitors/history")).map((c) => c.query.get("max_results"))).toEqual(["1000", "1000"]);
  });

  it("says how to create a monitor when there is none", async () => {
    stubApi({ [`GET ${CAIRN}/monitors/list`]: () => ({ body: {} }) });
    renderWithApp(<MonitorsPage />, "/monitors");
    expect((await screen.findByText(/^cairn monitors create churn-watch --deployment churn/)).tagName).toBe("PRE");
  });

  it("shows the server's error in plain words", async () => {
    stubApi({ [`GET ${CAIRN}/monitors/list`]: () => ({ status: 503, body: { error_code: "TEMPORARILY_UNAVAILABLE", message: "Server is shutting down" } }) });
    renderWithApp(<MonitorsPage />, "/monitors");
    expect((await screen.findByRole("alert")).textContent).toBe("Could not load the monitors. Server is shutting down");
  });
});
