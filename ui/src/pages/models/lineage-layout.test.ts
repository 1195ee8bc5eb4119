import { describe, expect, it } from "vitest";
import { assignLayers, layoutLineage } from "./lineage-layout";
import { FULL_LINEAGE } from "./test-graph";

describe("assignLayers", () => {
  it("puts inputs left of the run, the run left of the version, and what the version became right of it", () => {
    expect(Object.fromEntries(assignLayers(FULL_LINEAGE))).toEqual({
      "registered_model:churn": 3,
      "model_version:churn/4": 2,
      "run:r1": 1,
      "experiment:7": 0,
      "dataset:customers@abc": 0,
      "code:1a2b3c": 0,
      "deployment:churn-prod": 3,
    });
  });

  it("places a parent run upstream of its child run, pushing the child a layer right", () => {
    const graph = {
      nodes: [
        { id: "model_version:m/1", type: "model_version" as const, label: "m v1", attributes: {} },
        { id: "run:child", type: "run" as const, label: "child", attributes: {} },
        { id: "run:parent", type: "run" as const, label: "parent", attributes: {} },
        { id: "dataset:d@1", type: "dataset" as const, label: "d", attributes: {} },
      ],
      edges: [
        { from: "run:child", to: "model_version:m/1", relation: "produced" as const },
        { from: "run:child", to: "run:parent", relation: "child_of" as const },
        { from: "run:parent", to: "dataset:d@1", relation: "used" as const },
      ],
    };
    expect(Object.fromEntries(assignLayers(graph))).toEqual({ "model_version:m/1": 3, "run:child": 2, "run:parent": 1, "dataset:d@1": 0 });
  });

  it("survives a cycle (which the API never sends) instead of recursing forever", () => {
    const graph = {
      nodes: [
        { id: "a", type: "run" as const, label: "a", attributes: {} },
        { id: "b", type: "run" as const, label: "b", attributes: {} },
      ],
      edges: [
        { from: "a", to: "b", relation: "produced" as const },
        { from: "b", to: "a", relation: "produced" as const },
      ],
    };
    expect(Object.fromEntries(assignLayers(graph))).toEqual({ a: 1, b: 0 });
  });
});

describe("layoutLineage", () => {
  it("places every node at exact coordinates: layers left to right, kinds top to bottom, each layer centred", () => {
    const layout = layoutLineage(FULL_LINEAGE);
    expect(layout.nodes.map(({ node, layer, x, y }) => [node.id, layer, x, y])).toEqual([
      ["registered_model:churn", 3, 784, 48],
      ["model_version:churn/4", 2, 528, 80],
      ["run:r1", 1, 272, 80],
      ["experiment:7", 0, 16, 144],
      ["dataset:customers@abc", 0, 16, 16],
      ["code:1a2b3c", 0, 16, 80],
      ["deployment:churn-prod", 3, 784, 112],
    ]);
    expect([layout.width, layout.height]).toEqual([984, 206]);
  });

  it("draws each edge from the upstream node's right side to the downstream node's left side", () => {
    const layout = layoutLineage(FULL_LINEAGE);
    expect(layout.edges.map(({ edge, upstream, downstream, path }) => [edge.relation, upstream, downstream, path])).toEqual([
      ["version_of", "model_version:churn/4", "registered_model:churn", "M 712 103 C 748 103, 748 71, 784 71"],
      ["logged_in", "experiment:7", "run:r1", "M 200 167 C 236 167, 236 103, 272 103"],
      ["used", "dataset:customers@abc", "run:r1", "M 200 39 C 236 39, 236 103, 272 103"],
      ["built_from", "code:1a2b3c", "run:r1", "M 200 103 C 236 103, 236 103, 272 103"],
      ["produced", "run:r1", "model_version:churn/4", "M 456 103 C 492 103, 492 103, 528 103"],
      ["deployed_as", "model_version:churn/4", "deployment:churn-prod", "M 712 103 C 748 103, 748 135, 784 135"],
    ]);
  });

  it("lays out an empty graph as nothing, and skips edges to nodes the graph does not have", () => {
    expect(layoutLineage({ nodes: [], edges: [] })).toEqual({ nodes: [], edges: [], width: 0, height: 0 });
    const lone = layoutLineage({
      nodes: [{ id: "model_version:m/1", type: "model_version", label: "m v1", attributes: {} }],
      edges: [{ from: "run:gone", to: "model_version:m/1", relation: "produced" }],
    });
    expect(lone).toEqual({
      nodes: [{ node: { id: "model_version:m/1", type: "model_version", label: "m v1", attributes: {} }, layer: 0, x: 16, y: 16 }],
      edges: [],
      width: 216,
      height: 78,
    });
  });
});
