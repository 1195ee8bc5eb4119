import { describe, expect, it } from "vitest";
import { DAG_LAYOUT, layoutDag, stageLayers } from "./pipeline-layout";

const stage = (name: string) => ({ name, cmd: "", state: "ran" as const, runId: undefined, deps: [], outs: [] });
const edge = (from: string, to: string) => ({ from, to, paths: [] });

describe("layoutDag", () => {
  it("puts each stage one layer right of its furthest upstream stage, and stacks a layer in the file's order", () => {
    // a -> b -> d, a -> c -> d, a -> d: d sits after b and c, not beside them.
    const summary = { stages: ["a", "b", "c", "d", "lone"].map(stage), edges: [edge("a", "b"), edge("a", "c"), edge("b", "d"), edge("c", "d"), edge("a", "d")] };
    expect([...stageLayers(summary)]).toEqual([["a", 0], ["b", 1], ["c", 1], ["d", 2], ["lone", 0]]);
    const layout = layoutDag(summary);
    const { nodeWidth, nodeHeight, gapX, gapY, padding } = DAG_LAYOUT;
    const row = nodeHeight + gapY;
    expect(layout.stages.map(({ name, x, y }) => [name, x, y])).toEqual([
      ["a", padding, padding],
      ["b", padding + nodeWidth + gapX, padding],
      ["c", padding + nodeWidth + gapX, padding + row],
      ["d", padding + 2 * (nodeWidth + gapX), padding + row / 2],
      ["lone", padding, padding + row],
    ]);
    expect(layout.width).toBe(2 * padding + 3 * nodeWidth + 2 * gapX);
    expect(layout.height).toBe(2 * padding + 2 * nodeHeight + gapY);
    expect(layout.edges.map((placed) => `${placed.from}>${placed.to}`)).toEqual(["a>b", "a>c", "b>d", "c>d", "a>d"]);
    expect(layout.edges[0]?.path).toBe(`M ${padding + nodeWidth} ${padding + nodeHeight / 2} C ${padding + nodeWidth + gapX / 2} ${padding + nodeHeight / 2}, ${padding + nodeWidth + gapX / 2} ${padding + nodeHeight / 2}, ${padding + nodeWidth + gapX} ${padding + nodeHeight / 2}`);
  });

  it("draws a cycle (a bad file) without looping, dropping the edge that closes it", () => {
    const layout = layoutDag({ stages: ["a", "b"].map(stage), edges: [edge("a", "b"), edge("b", "a")] });
    // The walk starts at a, so b's edge back to a is the one that closes the cycle from b's side: b first, then a.
    expect(layout.stages.map(({ name, layer }) => [name, layer])).toEqual([["a", 1], ["b", 0]]);
    expect(layout.edges.map((placed) => `${placed.from}>${placed.to}`)).toEqual(["b>a"]);
  });

  it("is empty for a pipeline without stages", () => {
    expect(layoutDag({ stages: [], edges: [] })).toEqual({ stages: [], edges: [], width: 0, height: 0 });
  });
});
