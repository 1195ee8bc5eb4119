import { describe, expect, it } from "vitest";
import { parallelAxes, parallelLines, type PlotBox } from "./parallel-layout";
import { testRun as run } from "./test-runs";

const box: PlotBox = { width: 300, height: 120, left: 50, right: 50, top: 10, bottom: 10 };

describe("parallel coordinates layout", () => {
  const runs = [run("a", { lr: "0.1", opt: "adam" }, { acc: 0.5 }), run("b", { lr: "0.3", opt: "sgd" }, { acc: 0.9 }), run("c", { lr: "0.2" }, { acc: 0.7 })];

  it("spreads axes evenly and maps values to heights (top = largest, bottom = smallest)", () => {
    const axes = parallelAxes(runs, ["params.lr", "params.opt", "metrics.acc"], box);
    expect(axes.map((axis) => [axis.field, axis.x, axis.scale.kind])).toEqual([
      ["params.lr", 50, "numeric"],
      ["params.opt", 150, "categorical"],
      ["metrics.acc", 250, "numeric"],
    ]);
    const lines = parallelLines(runs, axes, box);
    expect(lines.map((line) => line.path)).toEqual([
      "M50,110h0L150,110L250,110",
      "M50,10h0L150,10L250,10",
      // c has no optimizer: the line breaks at that axis.
      "M50,60h0M250,60h0",
    ]);
  });

  it("puts a single axis in the middle", () => {
    expect(parallelAxes(runs, ["metrics.acc"], box).map((axis) => axis.x)).toEqual([150]);
  });
});
