import { alignSeries, type AlignedData } from "./align";
import { chartValues } from "./log-safe";
import { smoothEma } from "./smoothing";
import type { XYPoint } from "./x-axis";

/** One line of a metric chart: a run's history of one metric, say. Points sorted by x. */
export interface ChartSeries {
  label: string;
  /** CSS colour; by default the palette's colour of the series' position. */
  color?: string;
  points: readonly XYPoint[];
}

/** Whether a chart smoothed with this weight also draws the raw values (behind the smoothed ones). */
export const hasRawLayer = (smoothing: number): boolean => smoothing > 0;

/**
 * What uPlot draws: each series smoothed, then made safe for the y scale, then aligned on one x array. When smoothed,
 * the raw values of every series come first (drawn behind), then the smoothed ones, in the order of chartSeriesConfig.
 */
export const buildChartData = (series: readonly ChartSeries[], smoothing: number, logY: boolean): AlignedData => {
  const column = (one: ChartSeries, weight: number) => ({
    xs: one.points.map((point) => point.x),
    ys: chartValues(
      smoothEma(
        one.points.map((point) => point.y),
        weight,
      ),
      logY,
    ),
  });
  const smoothed = series.map((one) => column(one, smoothing));
  return alignSeries(hasRawLayer(smoothing) ? [...series.map((one) => column(one, 0)), ...smoothed] : smoothed);
};
