import { describe, expect, it } from "vitest";
import { axisLabels, parallelAxes, parallelLines, type PlotBox } from "./parallel-layout";
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

  it("keeps short titles whole in one row, and alternates rows, cutting with an ellipsis, when neighbours collide", () => {
    const short = (field: string): string => field.replace(/^(params|metrics)\./, "");
    const wide: PlotBox = { width: 640, height: 356, left: 70, right: 56, top: 60, bottom: 16 };
    const few = axisLabels(parallelAxes(runs, ["params.lr", "params.opt", "metrics.acc"], wide), wide, short);
    expect(few.map((label) => [label.title, label.titleRow])).toEqual([["lr", 0], ["opt", 0], ["acc", 0]]);
    expect(few[0]?.ticks.map((tick) => tick.label)).toEqual(["0.1", "0.2", "0.3"]);
    const long = ["metrics.acc", "params.lr", "params.opt", "metrics.acc", "params.lr", "params.opt", "metrics.acc", "params.lr"];
    const named = (field: string): string => `${short(field)}_with_a_rather_long_name`;
    const labels = axisLabels(parallelAxes(runs, long, wide), wide, named);
    expect(labels.map((label) => label.titleRow)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    // The first and last titles are cut further: they may not leave the drawing (70 and 56 units of margin).
    expect(labels.map((label) => label.title)).toEqual(["acc_with_a_rathe…", "lr_with_a_rather_…", "opt_with_a_rather…", "acc_with_a_rather…", "lr_with_a_rather_…", "opt_with_a_rather…", "acc_with_a_rather…", "lr_with_a_rat…"]);
  });
});
