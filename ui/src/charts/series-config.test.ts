import { describe, expect, it } from "vitest";
import { chartSeriesConfig, withAlpha } from "./series-config";
import { uplotOptions } from "./uplot-options";

const drawn = (series: ReturnType<typeof chartSeriesConfig>) => series.map(({ label, stroke, width, class: className }) => ({ label, stroke, width, className }));

describe("withAlpha", () => {
  it("makes hex colours translucent and leaves other notations alone", () => {
    expect(withAlpha("#4e79a7", 0.25)).toBe("rgba(78, 121, 167, 0.25)");
    expect(withAlpha("#F00", 0.5)).toBe("rgba(255, 0, 0, 0.5)");
    expect(withAlpha("rebeccapurple", 0.25)).toBe("rebeccapurple");
  });
});

describe("chartSeriesConfig", () => {
  it("draws one line per series without smoothing", () => {
    expect(drawn(chartSeriesConfig(["baseline", "tuned"], ["#4e79a7", undefined], false))).toEqual([
      { label: "baseline", stroke: "#4e79a7", width: 1.5, className: undefined },
      { label: "tuned", stroke: "#f28e2b", width: 1.5, className: undefined },
    ]);
  });

  it("puts a faint, thinner raw line of the same colour behind every smoothed one, labelled (raw)", () => {
    const series = chartSeriesConfig(["baseline", "tuned"], ["#4e79a7", "#e15759"], true);
    expect(drawn(series)).toEqual([
      { label: "baseline (raw)", stroke: "rgba(78, 121, 167, 0.25)", width: 1, className: "raw-series" },
      { label: "tuned (raw)", stroke: "rgba(225, 87, 89, 0.25)", width: 1, className: "raw-series" },
      { label: "baseline", stroke: "#4e79a7", width: 1.5, className: undefined },
      { label: "tuned", stroke: "#e15759", width: 1.5, className: undefined },
    ]);
    expect(series.every((one) => one.spanGaps === true)).toBe(true);
  });

  it("is what the chart's uPlot options use, after the x series", () => {
    const options = uplotOptions({ labels: ["baseline"], colors: ["#4e79a7"], xLabel: "Step", xIsTime: false, logY: false, rawLayer: true, width: 400, height: 240 });
    expect(options.series.map((one) => one.label)).toEqual(["Step", "baseline (raw)", "baseline"]);
  });
});

describe("a series of one point", () => {
  it("is drawn as a dot in its colour, the others as lines", () => {
    const series = chartSeriesConfig(["baseline", "once"], ["#4e79a7", undefined], false, [false, true]);
    expect(series.map((one) => one.points)).toEqual([undefined, { show: true, size: 8, fill: "#f28e2b" }]);
    // Smoothed: the raw copy stays a faint line, the dot is the smoothed series'.
    expect(chartSeriesConfig(["once"], [undefined], true, [true]).map((one) => one.points?.show)).toEqual([undefined, true]);
  });
});
