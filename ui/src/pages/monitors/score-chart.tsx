import { useEffect, useRef, type ReactNode } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { FeatureSeriesSet } from "./monitor-results";
import { timeAxis } from "./time-range";

/** Distinct enough on light and dark backgrounds; the threshold lines are dashed red. */
const PALETTE = ["#1d5fd1", "#c2620a", "#1a7f37", "#7a5cc4", "#0e7490", "#b8336a", "#6b7280", "#a16207", "#2563eb", "#15803d"];
const THRESHOLD_COLOR = "#d1242f";
const HEIGHT = 300;

const cssVar = (name: string, fallback: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/**
 * Scores over time, one line per feature, with a dashed line per threshold. uPlot draws to a canvas, so thousands of
 * runs times tens of features stay smooth; it is rebuilt only when the series change (the parent memoises them).
 */
export const ScoreChart = ({ set, yLabel, description }: { set: FeatureSeriesSet; yLabel: string; description: string }): ReactNode => {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element || set.times.length === 0) return undefined;
    const axisColor = cssVar("--muted", "#5f6b7a");
    const gridColor = cssVar("--border", "#dde1e6");
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    const showPoints = set.times.length <= 60;
    // Ticks that say which day when the runs span days, HH:MM otherwise, in a zone the axis names.
    const time = timeAxis(set.times);
    const data: uPlot.AlignedData = [
      set.times.map((t) => t / 1000),
      ...set.series.map((s) => s.values),
      ...set.thresholds.map((threshold) => set.times.map(() => threshold)),
    ];
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth),
      height: HEIGHT,
      scales: { x: { time: true } },
      series: [
        { label: "Run", value: (_plot: uPlot, seconds: number | null) => (seconds === null ? "—" : time.full(seconds * 1000)) },
        ...set.series.map((s, i) => ({
          label: s.feature,
          stroke: PALETTE[i % PALETTE.length] as string,
          width: 2,
          points: { show: showPoints, size: 6 },
        })),
        ...set.thresholds.map((threshold) => ({
          label: `threshold ${threshold}`,
          stroke: THRESHOLD_COLOR,
          width: 1.5,
          dash: [6, 4],
          points: { show: false },
        })),
      ],
      axes: [
        { ...axis, label: time.label, labelSize: 20, incrs: time.incrs, space: time.space, values: (_plot, splits) => splits.map((seconds) => time.tick(seconds * 1000)) },
        { ...axis, label: yLabel, size: 60 },
      ],
    };
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, element.clientWidth), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [set, yLabel]);
  return <div ref={container} className="score-chart" role="img" aria-label={description} />;
};
