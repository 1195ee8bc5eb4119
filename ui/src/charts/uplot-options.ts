import uPlot from "uplot";
import { formatNumber } from "../format";
import { cssColor } from "./palette";
import { chartSeriesConfig } from "./series-config";

export interface ChartShape {
  labels: readonly string[];
  /** One per label; missing ones come from the palette. */
  colors: readonly (string | undefined)[];
  xLabel: string;
  xIsTime: boolean;
  logY: boolean;
  /** Smoothed: each line's raw values are drawn faintly behind it (the data then holds the raw columns first). */
  rawLayer: boolean;
  /** Per label: the series holds a single point (drawn as a dot). */
  singlePoint?: readonly boolean[];
  width: number;
  height: number;
}

/**
 * A log axis over data without one positive value has no range at all (uPlot would compute NaN bounds); show one
 * decade instead so the chart stays drawable while its series are all gaps.
 */
const logRange = (_chart: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax =>
  min !== null && max !== null && min > 0 && max > 0 ? uPlot.rangeLog(min, max, 10, true) : [1, 10];

/** uPlot's options for a chart of this shape: one x axis, one y axis (linear or log), one line per label. */
export const uplotOptions = (shape: ChartShape): uPlot.Options => {
  const axisColor = cssColor("--muted", "#5f6b7a");
  const gridColor = cssColor("--border", "#dde1e6");
  const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
  return {
    width: shape.width,
    height: shape.height,
    scales: {
      x: { time: shape.xIsTime },
      y: shape.logY ? { distr: 3, log: 10, range: logRange } : {},
    },
    axes: [
      { ...axis, label: shape.xLabel, labelSize: 20 },
      {
        ...axis,
        size: 64,
        // A log axis leaves its minor ticks unlabelled: uPlot passes null for them.
        values: (_chart, splits) => splits.map((value: number | null) => (value === null ? "" : formatNumber(value))),
      },
    ],
    series: [
      { label: shape.xLabel },
      ...chartSeriesConfig(shape.labels, shape.colors, shape.rawLayer, shape.singlePoint),
    ],
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
  };
};
