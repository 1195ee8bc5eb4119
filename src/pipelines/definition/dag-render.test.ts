import { describe, expect, it } from "vitest";
import { renderDot, renderMermaid, renderText } from "./dag-render.js";

describe("dag renderings", () => {
  const view = {
    nodes: ['say "hi"', "a\\b", "two\nlines", "alone"],
    edges: [
      { from: 'say "hi"', to: "a\\b", paths: ["x"] },
      { from: 'say "hi"', to: "two\nlines", paths: ["x", "y/z"] },
    ],
  };

  it("escapes names in dot and mermaid", () => {
    expect(renderDot(view)).toBe(
      ["strict digraph {", '\t"say \\"hi\\"";', '\t"a\\\\b";', '\t"two\\nlines";', '\t"alone";', '\t"say \\"hi\\"" -> "a\\\\b";', '\t"say \\"hi\\"" -> "two\\nlines";', "}"].join("\n"),
    );
    expect(renderMermaid(view)).toBe(
      ["flowchart TD", '\tnode1["say #quot;hi#quot;"]', '\tnode2["a\\b"]', '\tnode3["two lines"]', '\tnode4["alone"]', "\tnode1-->node2", "\tnode1-->node3"].join("\n"),
    );
  });

  it("lists each stage with arrows to its consumers, and says when there is nothing", () => {
    expect(renderText(view)).toBe(['say "hi"', "  +-> a\\b  (x)", "  `-> two\nlines  (x, y/z)", "a\\b", "two\nlines", "alone"].join("\n"));
    expect(renderText({ nodes: [], edges: [] })).toBe("(no stages)");
  });
});
