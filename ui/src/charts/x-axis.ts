/** What a metric chart puts on its x axis. */
export type XAxisMode = "step" | "time" | "relative";

export const X_AXIS_MODES: readonly XAxisMode[] = ["step", "time", "relative"];

export const X_AXIS_LABELS: Record<XAxisMode, string> = {
  step: "Step",
  time: "Wall time",
  relative: "Relative time (s)",
};

export const parseXAxisMode = (raw: string): XAxisMode => (X_AXIS_MODES as readonly string[]).includes(raw) ? (raw as XAxisMode) : "step";

/** One logged value of a metric as the API returns it (values may arrive as "NaN"/"Infinity" strings). */
export interface MetricPoint {
  step: number;
  timestamp: number;
  value: number | string;
}

export interface XYPoint {
  x: number;
  y: number;
}

/** MLflow writes non-finite doubles as strings; everything numeric becomes a JS number. */
export const metricValue = (value: number | string): number => (typeof value === "number" ? value : Number(value));

/**
 * Chart points of one metric history, sorted by x: the step, the wall time in seconds (uPlot's time unit), or the
 * seconds since the history's first logged point (its earliest timestamp), as TensorBoard's "relative" axis.
 */
export const toXY = (history: readonly MetricPoint[], mode: XAxisMode): XYPoint[] => {
  let origin = 0;
  if (mode === "relative" && history.length > 0) {
    origin = Infinity;
    for (const point of history) if (point.timestamp < origin) origin = point.timestamp;
  }
  const points = history.map((point): XYPoint => {
    const y = metricValue(point.value);
    if (mode === "step") return { x: point.step, y };
    if (mode === "time") return { x: point.timestamp / 1000, y };
    return { x: (point.timestamp - origin) / 1000, y };
  });
  // A stable sort keeps the server's order (by step, then time) among points that share an x.
  return points.sort((a, b) => a.x - b.x);
};
