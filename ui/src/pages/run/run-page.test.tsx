import { act, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Run } from "../../api/entities";
import { renderWithApp } from "../../test-support/render";
import RunPage from "./run-page";
import { groupTags } from "./run-tags";
import { LIVE_REFRESH_MS, runRefetchInterval } from "./use-run";

const RUN: Run = {
  info: {
    run_id: "r1",
    run_uuid: "r1",
    run_name: "baseline",
    experiment_id: "7",
    user_id: "ada",
    status: "FINISHED",
    start_time: 1_700_000_000_000,
    end_time: 1_700_000_090_000,
    artifact_uri: "mlflow-artifacts:/7/r1/artifacts",
    lifecycle_stage: "active",
  },
  data: {
    params: [
      { key: "lr", value: "0.01" },
      { key: "epochs", value: "20" },
    ],
    metrics: [{ key: "loss", value: "NaN" as unknown as number, step: 19, timestamp: 1_700_000_080_000 }],
    tags: [
      { key: "team", value: "vision" },
      { key: "mlflow.runName", value: "baseline" },
      { key: "mlflow.source.name", value: "train.py" },
      { key: "mlflow.log-model.history", value: "[]" },
    ],
  },
  inputs: { dataset_inputs: [{ tags: [{ key: "mlflow.data.context", value: "eval" }], dataset: { name: "iris", digest: "d1", source_type: "http", source: "https://example.org/iris.csv" } }] },
};

const VERSIONS_URL = `/ajax-api/2.0/mlflow/model-versions/search?${new URLSearchParams({ filter: "run_id = 'r1'", max_results: "100", order_by: "creation_timestamp DESC" }).toString()}`;

const ANSWERS: Record<string, unknown> = {
  "/ajax-api/2.0/mlflow/runs/get?run_id=r1": { run: RUN },
  "/ajax-api/2.0/mlflow/experiments/get?experiment_id=7": { experiment: { experiment_id: "7", name: "churn", artifact_location: "", lifecycle_stage: "active", tags: [] } },
  [VERSIONS_URL]: {
    model_versions: [{ name: "churn-model", version: "3", creation_timestamp: 1_700_000_100_000, last_updated_timestamp: 1_700_000_100_000, current_stage: "None", source: "runs:/r1/model", run_id: "r1", status: "READY", tags: [], aliases: ["champion"] }],
  },
};

describe("run tags", () => {
  it("keeps the user's tags and folds MLflow's, leaving out those the info card shows", () => {
    expect(groupTags(RUN.data.tags)).toEqual({ user: [{ key: "team", value: "vision" }], system: [{ key: "mlflow.log-model.history", value: "[]" }] });
  });
});

describe("live updates", () => {
  it("polls a running run and stops once it ended", () => {
    expect(runRefetchInterval({ ...RUN, info: { ...RUN.info, status: "RUNNING" } })).toBe(LIVE_REFRESH_MS);
    expect(runRefetchInterval(RUN)).toBe(false);
    expect(runRefetchInterval(undefined)).toBe(false);
  });
});

describe("RunPage", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows the run's overview and keeps the chosen tab in the URL", async () => {
    const fetchMock = vi.fn(async (url: string) => {
      const answer = ANSWERS[url] ?? { files: [] };
      return new Response(JSON.stringify(answer), { status: 200 });
    });
    vi.stubGlobal("fetch", fetchMock);
    const { location } = renderWithApp(<RunPage experimentId="7" runId="r1" />, "/experiments/7/runs/r1");
    await screen.findByRole("heading", { level: 1, name: "baseline" });
    // The crumbs name the experiment and the run, not their ids.
    const crumbs = screen.getByRole("navigation", { name: "Breadcrumbs" });
    await within(crumbs).findByRole("link", { name: "churn" });
    expect(crumbs.textContent).toBe("Experiments / churn / baseline");
    expect(within(crumbs).getByRole("link", { name: "churn" }).getAttribute("href")).toBe("/experiments/7");
    // The model versions registered from this run link to their pages.
    const versions = await screen.findByRole("link", { name: "churn-model version 3" });
    expect(versions.getAttribute("href")).toBe("/models/churn-model/versions/3");
    expect(screen.getByRole("heading", { name: "Registered model versions (1)" })).toBeTruthy();
    const rows = (name: string): string[] => within(screen.getByRole("table", { name })).getAllByRole("row").map((row) => Array.from(row.children).map((cell) => cell.textContent).join("|"));
    expect(rows("Parameters")).toEqual(["Parameter|Value", "epochs|20", "lr|0.01"]);
    expect(rows("Latest metric values")).toEqual(["Metric|Latest value", "loss|NaN"]);
    expect(rows("Tags")).toEqual(["Tag|Value", "team|vision"]);
    expect(rows("Datasets the run used")).toEqual(["Name|Context|Digest|Source type|Source", "iris|eval|d1|http|https://example.org/iris.csv"]);
    expect(screen.getByText("System tags (1)")).toBeTruthy();
    expect(screen.getByText("1 min 30 s")).toBeTruthy();
    expect(screen.getByRole("link", { name: "loss: NaN, show chart" }).getAttribute("href")).toBe("/experiments/7/runs/r1?tab=metrics&metric=loss");

    act(() => screen.getByRole("tab", { name: "Artifacts" }).click());
    expect(location.history.at(-1)).toBe("/experiments/7/runs/r1?tab=artifacts");
    expect(screen.getByRole("tab", { name: "Artifacts" }).getAttribute("aria-selected")).toBe("true");
    await screen.findByText("This run has no artifacts.");
    // A finished run is read once: no polling, and the tab change does not fetch it again.
    expect(fetchMock.mock.calls.map(([url]) => url).sort()).toEqual([...Object.keys(ANSWERS), "/ajax-api/2.0/mlflow/artifacts/list?run_id=r1"].sort());
  });

  it("says in plain words when the run does not exist", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "Run with id=nope not found" }), { status: 404 }));
    renderWithApp(<RunPage experimentId="7" runId="nope" />, "/experiments/7/runs/nope");
    expect((await screen.findByRole("alert")).textContent).toBe("Could not load run nope. Run with id=nope not found");
  });
});
