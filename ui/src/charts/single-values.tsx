import type { ReactNode } from "react";
import { formatNumber, formatTime } from "../format";
import { metricValue, type MetricPoint } from "./x-axis";

export interface SingleValue {
  label: string;
  color: string;
  point: MetricPoint;
}

/**
 * A metric every run logged once: a line chart of one point per run is an empty frame (uPlot draws lines between
 * points), so the value itself is shown, large, beside a dot of the run's colour, its label, step and time.
 */
export const SingleValues = ({ title, values }: { title: string; values: readonly SingleValue[] }): ReactNode => (
  <div className="single-values" role="figure" aria-label={`${title} value${values.length === 1 ? "" : "s"}`}>
    {values.map((one) => (
      <div key={one.label} className="single-value">
        <span className="single-value-number">{formatNumber(metricValue(one.point.value))}</span>
        <span className="single-value-label">
          <span className="series-dot" aria-hidden="true" style={{ background: one.color }} /> {one.label} · step {one.point.step} · {formatTime(one.point.timestamp)}
        </span>
      </div>
    ))}
  </div>
);

/** The single values when every series holds at most one point (and one holds a point), else undefined: draw a chart. */
export const singleValuesOf = <T extends { label: string; color: string; history: readonly MetricPoint[] | undefined }>(series: readonly T[]): SingleValue[] | undefined => {
  if (series.some((one) => one.history === undefined || one.history.length > 1)) return undefined;
  const values = series.flatMap((one) => (one.history?.[0] ? [{ label: one.label, color: one.color, point: one.history[0] }] : []));
  return values.length > 0 ? values : undefined;
};
