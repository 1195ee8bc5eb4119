import type uPlot from "uplot";
import { formatNumber } from "../format";
import { seriesColor } from "./palette";

/** How faint the raw curve behind a smoothed one is drawn (TensorBoard draws it at about this opacity). */
export const RAW_ALPHA = 0.25;
export const LINE_WIDTH = 1.5;
export const RAW_LINE_WIDTH = 1;

/** A hex colour (#rgb or #rrggbb) made translucent; other notations are returned as they are. */
export const withAlpha = (color: string, alpha: number): string => {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return color;
  const full = hex.length === 3 ? [...hex].map((digit) => digit + digit).join("") : hex;
  const channels = [0, 2, 4].map((at) => parseInt(full.slice(at, at + 2), 16));
  return `rgba(${channels.join(", ")}, ${alpha})`;
};

const formatLegendValue = (_chart: uPlot, value: number | null): string => (value === null || value === undefined ? "—" : formatNumber(value));

/**
 * The y series of a metric chart, in drawing order. Smoothed, each line first gets a faint, thinner copy of its raw
 * values in the same colour, all of them before the smoothed lines so that they are drawn behind: outliers stay
 * visible while the trend reads clearly. Raw lines are labelled "(raw)" in the legend, which shows their values too.
 */
/** A series of one point draws no line: it is drawn as a dot, whatever the density of the others. */
export const SINGLE_POINT_SIZE = 8;

export const chartSeriesConfig = (
  labels: readonly string[],
  colors: readonly (string | undefined)[],
  withRawLayer: boolean,
  singlePoint: readonly boolean[] = [],
): uPlot.Series[] => {
  const line = (label: string, index: number, raw: boolean): uPlot.Series => {
    const color = colors[index] ?? seriesColor(index);
    const dot = !raw && singlePoint[index] === true;
    return {
      ...(dot ? { points: { show: true, size: SINGLE_POINT_SIZE, fill: color } } : {}),
      label: raw ? `${label} (raw)` : label,
      stroke: raw ? withAlpha(color, RAW_ALPHA) : color,
      width: raw ? RAW_LINE_WIDTH : LINE_WIDTH,
      // Series logged at other steps leave nulls in this one's column; the line goes on across them.
      spanGaps: true,
      value: formatLegendValue,
      ...(raw ? { class: "raw-series" } : {}),
    };
  };
  const smoothed = labels.map((label, index) => line(label, index, false));
  return withRawLayer ? [...labels.map((label, index) => line(label, index, true)), ...smoothed] : smoothed;
};
