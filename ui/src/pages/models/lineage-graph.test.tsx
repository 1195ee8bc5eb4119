import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { LineageGraph } from "./lineage-graph";
import { FULL_LINEAGE } from "./test-graph";

describe("LineageGraph", () => {
  it("draws a box per node: pages as links, the rest focusable images, each named by kind and label", () => {
    const { container } = renderWithApp(<LineageGraph graph={FULL_LINEAGE} currentNodeId="model_version:churn/4" />);
    const graph = screen.getByRole("group", { name: "Lineage graph, upstream on the left" });
    expect(within(graph).getAllByRole("link").map((link) => [link.getAttribute("aria-label"), link.getAttribute("href")])).toEqual([
      ["Registered model churn", "/models/churn"],
      ["This version churn v4: Model version churn v4", "/models/churn/versions/4"],
      ["Run train-xgb", "/experiments/7/runs/r1"],
      ["Experiment churn-experiments", "/experiments/7"],
      ["Deployment churn-prod", "/deployments/churn-prod"],
    ]);
    expect(within(graph).getAllByRole("img").map((node) => [node.getAttribute("aria-label"), node.getAttribute("tabindex")])).toEqual([
      ["Dataset customers", "0"],
      ["Code train.py @ 1a2b3c", "0"],
    ]);
    const current = container.querySelector('[data-node-id="model_version:churn/4"]');
    expect(current?.getAttribute("class")).toBe("lineage-node current");
    expect(container.querySelector('[data-node-id="run:r1"] rect')?.getAttribute("x")).toBe("272");
    expect(container.querySelectorAll("path.lineage-edge")).toHaveLength(6);
  });

  it("lists the same edges as sentences", () => {
    renderWithApp(<LineageGraph graph={FULL_LINEAGE} currentNodeId="model_version:churn/4" />);
    const items = within(screen.getByRole("list", { name: "Lineage edges" })).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      "Model version churn v4 is a version of Registered model churn",
      "Run train-xgb was logged in Experiment churn-experiments",
      "Run train-xgb used Dataset customers",
      "Run train-xgb was built from Code train.py @ 1a2b3c",
      "Run train-xgb produced Model version churn v4",
      "Model version churn v4 is deployed as Deployment churn-prod",
    ]);
  });

  it("follows a node's link inside the app on a plain click", () => {
    const { location } = renderWithApp(<LineageGraph graph={FULL_LINEAGE} currentNodeId="model_version:churn/4" />, "/models/churn/versions/4?tab=lineage");
    fireEvent.click(screen.getByRole("link", { name: "Run train-xgb" }), { button: 0 });
    expect(location.history.at(-1)).toBe("/experiments/7/runs/r1");
  });

  it("links no page for a run that is gone from the store", () => {
    const graph = {
      nodes: [
        { id: "model_version:m/1", type: "model_version" as const, label: "m v1", attributes: {} },
        { id: "run:gone", type: "run" as const, label: "gone", attributes: { run_id: "gone", found: false } },
      ],
      edges: [{ from: "run:gone", to: "model_version:m/1", relation: "produced" as const }],
    };
    renderWithApp(<LineageGraph graph={graph} currentNodeId="model_version:m/1" />);
    expect(screen.getByRole("img", { name: "Run gone" }).tagName.toLowerCase()).toBe("g");
  });

  it("draws data versions as their own kind (pill, legend entry) linking to their page, and says when the graph was cut", () => {
    const hash = `${"2".repeat(64)}.dir`;
    const graph = {
      nodes: [
        { id: "model_version:m/1", type: "model_version" as const, label: "m v1", attributes: {} },
        { id: "run:r2", type: "run" as const, label: "train", attributes: { run_id: "r2", experiment_id: "1" } },
        { id: `data_version:${hash}`, type: "data_version" as const, label: "data/prepared", attributes: { hash, short_hash: hash.slice(0, 12) } },
        { id: "run:r1", type: "run" as const, label: "prepare", attributes: { run_id: "r1", experiment_id: "1" } },
      ],
      edges: [
        { from: "run:r2", to: "model_version:m/1", relation: "produced" as const },
        { from: "run:r2", to: `data_version:${hash}`, relation: "used" as const },
        { from: "run:r1", to: `data_version:${hash}`, relation: "produced" as const },
      ],
      truncated: true,
    };
    const { container } = renderWithApp(<LineageGraph graph={graph} currentNodeId="model_version:m/1" />);
    const node = screen.getByRole("link", { name: "Data version data/prepared" });
    expect(node.getAttribute("href")).toBe(`/data-versions/${encodeURIComponent(hash)}`);
    expect(node.getAttribute("data-node-type")).toBe("data_version");
    expect(node.querySelector("rect")?.getAttribute("rx")).toBe("23");
    // Flow: prepare -> data/prepared -> train -> the version, one layer each.
    expect(["run:r1", `data_version:${hash}`, "run:r2", "model_version:m/1"].map((id) => container.querySelector(`[data-node-id="${id}"] rect`)?.getAttribute("x"))).toEqual([
      "16",
      "272",
      "528",
      "784",
    ]);
    expect(within(screen.getByRole("list", { name: "Node kinds" })).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "Data version",
      "Run",
      "Model version",
    ]);
    expect(screen.getByText(/The graph is cut at its bounds/)).toBeTruthy();
    expect(within(screen.getByRole("list", { name: "Lineage edges" })).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "Run train produced Model version m v1",
      "Run train used Data version data/prepared",
      "Run prepare produced Data version data/prepared",
    ]);
  });
});
