import { describe, expect, it } from "vitest";
import { alignSeries } from "./align";
import { buildChartData } from "./chart-data";
import { chartValues } from "./log-safe";

describe("chartValues", () => {
  it("turns non-positive values into gaps on a log axis only", () => {
    expect(chartValues([2, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, 0.001], true)).toEqual([2, null, null, null, null, 0.001]);
    expect(chartValues([2, 0, -1, Number.NaN], false)).toEqual([2, 0, -1, null]);
  });
});

describe("alignSeries", () => {
  it("merges series on the union of their x values with gaps", () => {
    expect(
      alignSeries([
        { xs: [0, 2, 4], ys: [1, 2, 3] },
        { xs: [1, 2, 2, 5], ys: [10, 20, 21, 50] },
      ]),
    ).toEqual([
      [0, 1, 2, 4, 5],
      [1, null, 2, 3, null],
      [null, 10, 21, null, 50],
    ]);
  });

  it("leaves out points without a finite x", () => {
    expect(alignSeries([{ xs: [0, Number.NaN, 1], ys: [1, 2, 3] }])).toEqual([[0, 1], [1, 3]]);
  });
});

describe("buildChartData", () => {
  it("smooths, then drops values a log axis cannot show, then aligns", () => {
    const data = buildChartData(
      [
        { label: "a", points: [{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: 1 }] },
        { label: "b", points: [{ x: 1, y: -3 }, { x: 2, y: 8 }] },
      ],
      0.5,
      true,
    );
    expect(data[0]).toEqual([0, 1, 2]);
    expect(data[1]?.map((v) => (v === null ? null : Number(v.toFixed(6))))).toEqual([1, 1.666667, 1.285714]);
    // b smoothed: -3, then (-0.75 + 4) / 0.75 = 4.333333; the first is negative: a gap on the log axis.
    expect(data[2]?.map((v) => (v === null ? null : Number(v.toFixed(6))))).toEqual([null, null, 4.333333]);
  });
});
