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
  const a = { label: "a", points: [{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: 1 }] };
  const b = { label: "b", points: [{ x: 1, y: -3 }, { x: 2, y: 8 }] };
  const rounded = (column: (number | null)[] | undefined): (number | null)[] | undefined => column?.map((v) => (v === null ? null : Number(v.toFixed(6))));

  it("puts the raw columns first, then the smoothed ones, each made safe for a log axis, then aligns", () => {
    const data = buildChartData([a, b], 0.5, true);
    expect(data).toHaveLength(5);
    expect(data[0]).toEqual([0, 1, 2]);
    // Raw a, raw b (-3 cannot sit on a log axis: a gap).
    expect(data[1]).toEqual([1, 2, 1]);
    expect(data[2]).toEqual([null, null, 8]);
    expect(rounded(data[3])).toEqual([1, 1.666667, 1.285714]);
    // b smoothed: -3, then (-0.75 + 4) / 0.75 = 4.333333; the first is negative: a gap on the log axis.
    expect(rounded(data[4])).toEqual([null, null, 4.333333]);
  });

  it("draws only the values themselves without smoothing", () => {
    expect(buildChartData([a, b], 0, false)).toEqual([
      [0, 1, 2],
      [1, 2, 1],
      [null, -3, 8],
    ]);
  });
});
