import { useEffect, useMemo, useRef, type ReactNode } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { buildChartData, hasRawLayer, type ChartSeries } from "./chart-data";
import { uplotOptions, type ChartShape } from "./uplot-options";
import "./charts.css";

export interface MetricChartProps {
  /** The chart's accessible name, e.g. the metric key. */
  title: string;
  series: readonly ChartSeries[];
  xLabel: string;
  /** x values are Unix seconds: the axis shows dates and times. */
  xIsTime?: boolean;
  logY?: boolean;
  /** EMA weight in [0, 0.99]; 0 draws the raw values. */
  smoothing?: number;
  height?: number;
}

/** The canvas with its axes; charts.css sizes a chart card to hold it, a legend line and a note. */
const DEFAULT_HEIGHT = 240;
const MIN_WIDTH = 200;

/**
 * A line chart of metric histories on uPlot. The uPlot instance lives as long as the chart's shape (series labels,
 * axis kinds); new points only go through setData, so live updates and smoothing changes never rebuild the canvas.
 */
export const MetricChart = ({ title, series, xLabel, xIsTime = false, logY = false, smoothing = 0, height = DEFAULT_HEIGHT }: MetricChartProps): ReactNode => {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  const data = useMemo(() => buildChartData(series, smoothing, logY), [series, smoothing, logY]);
  const dataRef = useRef(data);

  // The shape as one string, so that the chart is rebuilt only when it really changes, not when an array is new.
  // Turning smoothing on or off adds or removes the raw lines: another shape; changing its weight is only new data.
  const shapeKey = JSON.stringify({ labels: series.map((one) => one.label), colors: series.map((one) => one.color), xLabel, xIsTime, logY, rawLayer: hasRawLayer(smoothing), singlePoint: series.map((one) => one.points.length === 1), height });

  // Declared first: on a commit that changes both, the old chart is destroyed, this records the data, and the
  // effect below builds the new chart from it.
  useEffect(() => {
    dataRef.current = data;
    const chart = chartRef.current;
    if (chart && chart.data !== data) chart.setData(data);
  }, [data]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return undefined;
    const shape = JSON.parse(shapeKey) as Omit<ChartShape, "width">;
    const chart = new uPlot(uplotOptions({ ...shape, width: Math.max(container.clientWidth, MIN_WIDTH) }), dataRef.current, container);
    chartRef.current = chart;
    const observer = new ResizeObserver(() => {
      const width = Math.max(container.clientWidth, MIN_WIDTH);
      if (width !== chart.width) chart.setSize({ width, height: shape.height });
    });
    observer.observe(container);
    return () => {
      observer.disconnect();
      chart.destroy();
      chartRef.current = null;
    };
  }, [shapeKey]);

  return <div ref={containerRef} className="metric-chart" role="figure" aria-label={`${title} chart`} />;
};
