import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { stubApi } from "../deployments/stub-api";
import PipelinesPage from "./pipelines-page";
import { parentRun, RUN } from "./test-pipeline";

const MLFLOW = "/ajax-api/2.0/mlflow";

afterEach(() => vi.unstubAllGlobals());

describe("PipelinesPage", () => {
  it("lists the pipeline parent runs of every active experiment, newest first, linking to each pipeline", async () => {
    const older = { ...parentRun("FINISHED"), info: { ...parentRun("FINISHED").info, run_id: "e".repeat(32), run_name: "", experiment_id: "2", start_time: 1_600_000_000_000 } };
    const calls = stubApi({
      [`POST ${MLFLOW}/experiments/search`]: () => ({ body: { experiments: [{ experiment_id: "1", name: "churn-pipeline" }, { experiment_id: "2", name: "other" }] } }),
      [`POST ${MLFLOW}/runs/search`]: () => ({ body: { runs: [parentRun(), older], next_page_token: "next" } }),
    });
    renderWithApp(<PipelinesPage />, "/pipelines");
    const table = await screen.findByRole("table", { name: "Pipeline runs" });
    expect(within(table).getAllByRole("row").slice(1).map((row) => [...row.children].map((cell) => cell.textContent))).toEqual([
      ["repro", "dvc.yaml", "churn-pipeline", "failed", expect.any(String)],
      ["e".repeat(32), "dvc.yaml", "other", "finished", expect.any(String)],
    ]);
    expect(within(table).getByRole("link", { name: "repro" }).getAttribute("href")).toBe(`/pipelines/${RUN.parent}`);
    expect(calls.find((call) => call.path.endsWith("runs/search"))?.body).toEqual({
      experiment_ids: ["1", "2"],
      filter: "tags.`cairn.pipeline` = 'true'",
      order_by: ["attributes.start_time DESC"],
      run_view_type: "ACTIVE_ONLY",
      max_results: 50,
    });
    expect(screen.getByRole("button", { name: "Next" }).hasAttribute("disabled")).toBe(false);
  });

  it("says how pipelines appear when there is none", async () => {
    stubApi({
      [`POST ${MLFLOW}/experiments/search`]: () => ({ body: { experiments: [{ experiment_id: "0", name: "Default" }] } }),
      [`POST ${MLFLOW}/runs/search`]: () => ({ body: {} }),
    });
    renderWithApp(<PipelinesPage />, "/pipelines");
    expect(await screen.findByText(/No pipeline runs yet/)).toBeTruthy();
  });
});
