import { useMemo, type ReactNode } from "react";
import type { Run } from "../api/entities";
import { ErrorBanner, Loading } from "../components/status";
import { MetricChart } from "./metric-chart";
import { seriesColor } from "./palette";
import { useMetricHistories, type HistoryRequest } from "./metric-history";
import type { ChartOptions } from "./use-chart-options";
import { X_AXIS_LABELS, toXY } from "./x-axis";
import "./charts.css";

export const runLabel = (run: Run): string => run.info.run_name || run.info.run_id;

/**
 * One metric's history for one or more runs, one line per run (named by the run), fetched page by page and drawn
 * with the page's shared chart options. Runs that never logged the metric are left out.
 */
export const MetricHistoryChart = ({ metricKey, runs, options }: { metricKey: string; runs: readonly Run[]; options: ChartOptions }): ReactNode => {
  const requests = useMemo(
    (): HistoryRequest[] => runs.filter((run) => run.data.metrics?.some((metric) => metric.key === metricKey)).map((run) => ({ run, metricKey })),
    [runs, metricKey],
  );
  const { histories, fetching, error } = useMetricHistories(requests);
  const series = useMemo(
    () =>
      requests.map((request, index) => ({
        label: runLabel(request.run),
        // A run keeps its colour on every chart, whichever other runs logged this metric.
        color: seriesColor(runs.indexOf(request.run)),
        points: toXY(histories[index] ?? [], options.xMode),
      })),
    [requests, runs, histories, options.xMode],
  );
  const pointCount = series.reduce((sum, one) => sum + one.points.length, 0);
  return (
    <section className="chart-card" aria-label={`Metric ${metricKey}`}>
      <h3>{metricKey}</h3>
      <ErrorBanner error={error} what={`the history of ${metricKey}`} />
      {fetching && pointCount === 0 ? (
        <Loading what={`${metricKey} history`} />
      ) : (
        <>
          <MetricChart title={metricKey} series={series} xLabel={X_AXIS_LABELS[options.xMode]} xIsTime={options.xMode === "time"} logY={options.logY} smoothing={options.smoothing} />
          <p className="muted chart-note">
            {pointCount.toLocaleString("en-US")} points{fetching ? " · updating…" : ""}
          </p>
        </>
      )}
    </section>
  );
};
