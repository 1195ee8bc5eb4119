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

/** What uPlot draws: each series smoothed, then made safe for the y scale, then aligned on one x array. */
export const buildChartData = (series: readonly ChartSeries[], smoothing: number, logY: boolean): AlignedData =>
  alignSeries(
    series.map((one) => ({
      xs: one.points.map((point) => point.x),
      ys: chartValues(
        smoothEma(
          one.points.map((point) => point.y),
          smoothing,
        ),
        logY,
      ),
    })),
  );
