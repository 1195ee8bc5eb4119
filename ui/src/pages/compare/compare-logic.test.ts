import { describe, expect, it } from "vitest";
import { diffRows, valuesDiffer } from "./diff";
import { dimensionScale } from "./dimension-scale";
import { testRun as run } from "./test-runs";

describe("diff rows", () => {
  it("marks rows whose runs disagree, counting a missing value as different", () => {
    const rows = diffRows([
      run("a", { lr: "0.01", epochs: "10", opt: "adam" }, { loss: 0.25, acc: "NaN" }),
      run("b", { lr: "0.1", epochs: "10" }, { loss: 0.25, acc: "NaN" }),
    ]);
    expect(rows.map((row) => [row.field, row.values, row.differs])).toEqual([
      ["params.epochs", ["10", "10"], false],
      ["params.lr", ["0.01", "0.1"], true],
      ["params.opt", ["adam", undefined], true],
      ["metrics.acc", [Number.NaN, Number.NaN], false],
      ["metrics.loss", [0.25, 0.25], false],
    ]);
  });

  it("compares params as written and a single run never differs", () => {
    expect(valuesDiffer(["0.1", "0.10"])).toBe(true);
    expect(valuesDiffer(["1", 1])).toBe(true);
    expect(valuesDiffer(["x"])).toBe(false);
    expect(valuesDiffer([undefined, undefined])).toBe(false);
  });
});

describe("dimensionScale", () => {
  it("scales numeric text and numbers linearly between min and max", () => {
    const scale = dimensionScale(["0.1", "0.3", undefined, "0.2"]);
    expect(scale.kind).toBe("numeric");
    expect(scale.position("0.1")).toBe(0);
    expect(scale.position("0.3")).toBe(1);
    expect(scale.position(0.25)).toBeCloseTo(0.75, 12);
    expect(scale.position(undefined)).toBeUndefined();
    expect(scale.ticks).toEqual([
      { label: "0.1", at: 0 },
      { label: "0.2", at: 0.5 },
      { label: "0.3", at: 1 },
    ]);
  });

  it("puts a single value in the middle", () => {
    const scale = dimensionScale([5, 5]);
    expect(scale.position(5)).toBe(0.5);
    expect(scale.ticks).toEqual([{ label: "5", at: 0.5 }]);
  });

  it("spaces categories evenly in natural order", () => {
    const scale = dimensionScale(["sgd", "adam", "rmsprop", "adam", undefined]);
    expect(scale.kind).toBe("categorical");
    expect(scale.kind === "categorical" ? scale.categories : []).toEqual(["adam", "rmsprop", "sgd"]);
    expect(["adam", "rmsprop", "sgd", "other"].map((value) => scale.position(value))).toEqual([0, 0.5, 1, undefined]);
    const layers = dimensionScale(["10", "2", "x"]);
    expect(layers.kind === "categorical" ? layers.categories : []).toEqual(["2", "10", "x"]);
  });
});
