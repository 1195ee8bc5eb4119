import { describe, expect, it } from "vitest";
import { renderLineageTree } from "./lineage-tree.js";

describe("renderLineageTree", () => {
  it("prints the graph as a tree from the version, with each edge's relation and direction", () => {
    const text = renderLineageTree(
      {
        nodes: [
          { id: "model_version:churn/3", type: "model_version", label: "churn v3" },
          { id: "registered_model:churn", type: "registered_model", label: "churn" },
          { id: "run:r1", type: "run", label: "train-xgb" },
          { id: "experiment:1", type: "experiment", label: "churn-exp" },
          { id: "dataset:iris@abc", type: "dataset", label: "iris" },
          { id: "code:1a2b3c", type: "code", label: "" },
          { id: "deployment:prod", type: "deployment", label: "prod" },
        ],
        edges: [
          { from: "model_version:churn/3", to: "registered_model:churn", relation: "version_of" },
          { from: "run:r1", to: "model_version:churn/3", relation: "produced" },
          { from: "run:r1", to: "experiment:1", relation: "logged_in" },
          { from: "run:r1", to: "dataset:iris@abc", relation: "used" },
          { from: "run:r1", to: "code:1a2b3c", relation: "built_from" },
          // A second path to a node already printed is not followed again.
          { from: "dataset:iris@abc", to: "experiment:1", relation: "used" },
        ],
      },
      "model_version:churn/3",
    );
    expect(text).toBe(
      [
        "churn v3 (model_version:churn/3)",
        "├─ churn (registered_model:churn)  [version_of ->]",
        "└─ train-xgb (run:r1)  [<- produced]",
        "   ├─ churn-exp (experiment:1)  [logged_in ->]",
        "   ├─ iris (dataset:iris@abc)  [used ->]",
        "   └─ code:1a2b3c  [built_from ->]",
        "",
        "Not connected:",
        "  prod (deployment:prod)",
      ].join("\n"),
    );
  });

  it("prints a lone version as one line", () => {
    expect(renderLineageTree({ nodes: [{ id: "model_version:m/1", type: "model_version", label: "m v1" }], edges: [] }, "model_version:m/1")).toBe(
      "m v1 (model_version:m/1)",
    );
  });
});
