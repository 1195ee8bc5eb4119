import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { stubApi } from "../deployments/stub-api";
import PipelinePage from "./pipeline-page";
import { HASH, parentRun, RUN, SUMMARY_JSON } from "./test-pipeline";

const MLFLOW = "/ajax-api/2.0/mlflow";
const ARTIFACT = `/ajax-api/2.0/mlflow-artifacts/artifacts/1/${RUN.parent}/artifacts/cairn-pipeline.json`;

afterEach(() => vi.unstubAllGlobals());

describe("PipelinePage", () => {
  it("draws the DAG from cairn-pipeline.json: a box per stage in its state's colour, linking to its run, with a legend", async () => {
    stubApi({
      [`GET ${MLFLOW}/runs/get`]: () => ({ body: { run: parentRun() } }),
      [`GET ${ARTIFACT}`]: () => ({ body: SUMMARY_JSON }),
    });
    const { container, location } = renderWithApp(<PipelinePage runId={RUN.parent} />, `/pipelines/${RUN.parent}`);
    const dag = await screen.findByRole("group", { name: "Pipeline stages, upstream on the left" });
    expect(within(dag).getAllByRole("link").map((link) => [link.getAttribute("aria-label"), link.getAttribute("href"), link.getAttribute("data-state")])).toEqual([
      ["prepare ran: stage prepare, ran", `/experiments/1/runs/${RUN.prepare}`, "ran"],
      ["train cached: stage train, restored from run cache", `/experiments/1/runs/${RUN.train}`, "cached"],
      ["evaluate failed: stage evaluate, failed", `/experiments/1/runs/${RUN.evaluate}`, "failed"],
    ]);
    expect(within(dag).getByRole("img", { name: "report skipped: stage report, skipped (unchanged)" }).getAttribute("data-state")).toBe("skipped");
    expect(container.querySelectorAll("path.dag-edge")).toHaveLength(3);
    expect(within(screen.getByRole("list", { name: "Stage states" })).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "Ran",
      "Restored from run cache",
      "Skipped (unchanged)",
      "Failed",
    ]);
    const stages = screen.getByRole("table", { name: "Stages" });
    expect(within(stages).getAllByRole("row").slice(1).map((row) => [row.children[0]?.textContent, row.children[1]?.textContent, row.children[3]?.textContent])).toEqual([
      ["prepare", "ran", "node prepare.mjs"],
      ["train", "cached", "node train.mjs"],
      ["evaluate", "failed", "node evaluate.mjs"],
      ["report", "skipped", "node report.mjs"],
    ]);
    expect(within(stages).getAllByRole("link", { name: /^Data version / }).map((link) => link.getAttribute("href"))).toEqual([
      `/data-versions/${HASH.raw}`,
      `/data-versions/${HASH.prepared}`,
      `/data-versions/${HASH.prepared}`,
      `/data-versions/${HASH.model}`,
      `/data-versions/${HASH.model}`,
    ]);
    expect(screen.getByText(/dvc\.yaml/).textContent).toBe("dvc.yaml");
    fireEvent.click(within(dag).getByRole("link", { name: "train cached: stage train, restored from run cache" }), { button: 0 });
    expect(location.history.at(-1)).toBe(`/experiments/1/runs/${RUN.train}`);
  });

  it("says when the summary is not written yet, and what is wrong with a bad one", async () => {
    stubApi({
      [`GET ${MLFLOW}/runs/get`]: () => ({ body: { run: parentRun("FINISHED") } }),
      [`GET ${ARTIFACT}`]: () => ({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "missing" } }),
    });
    const first = renderWithApp(<PipelinePage runId={RUN.parent} />, `/pipelines/${RUN.parent}`);
    expect(await screen.findByText(/This run has no cairn-pipeline\.json yet/)).toBeTruthy();
    first.unmount();
    vi.unstubAllGlobals();
    stubApi({
      [`GET ${MLFLOW}/runs/get`]: () => ({ body: { run: parentRun("FINISHED") } }),
      [`GET ${ARTIFACT}`]: () => ({ body: { ...SUMMARY_JSON, version: 7 } }),
    });
    renderWithApp(<PipelinePage runId={RUN.parent} />, `/pipelines/${RUN.parent}`);
    expect((await screen.findByRole("alert")).textContent).toBe("Could not load the pipeline's stages. version: expected 1, got 7");
  });
});
