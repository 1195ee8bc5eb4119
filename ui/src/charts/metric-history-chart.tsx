import { useMemo, useRef, type ReactNode } from "react";
import type { Run } from "../api/entities";
import { ErrorBanner, Loading } from "../components/status";
import { MetricChart } from "./metric-chart";
import { seriesColor } from "./palette";
import { SingleValues, singleValuesOf } from "./single-values";
import { useMetricHistories, type HistoryRequest } from "./metric-history";
import type { ChartOptions } from "./use-chart-options";
import { useNearViewport } from "./use-near-viewport";
import { X_AXIS_LABELS, toXY } from "./x-axis";
import "./charts.css";

export const runLabel = (run: Run): string => run.info.run_name || run.info.run_id;

interface MetricHistoryChartProps {
  metricKey: string;
  runs: readonly Run[];
  options: ChartOptions;
}

/** The loaded chart: the histories of the runs that logged the metric, drawn with the page's chart options. */
const LoadedHistoryChart = ({ metricKey, runs, options }: MetricHistoryChartProps): ReactNode => {
  const requests = useMemo(
    (): HistoryRequest[] => runs.filter((run) => run.data.metrics?.some((metric) => metric.key === metricKey)).map((run) => ({ run, metricKey })),
    [runs, metricKey],
  );
  // Keyed by each run's latest point: while a run is RUNNING, only the charts that loaded follow its new points.
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
  const single = useMemo(
    () => (fetching ? undefined : singleValuesOf(requests.map((request, index) => ({ label: runLabel(request.run), color: seriesColor(runs.indexOf(request.run)), history: histories[index] })))),
    [fetching, requests, runs, histories],
  );
  return (
    <>
      <ErrorBanner error={error} what={`the history of ${metricKey}`} />
      {fetching && pointCount === 0 ? (
        <Loading what={`${metricKey} history`} />
      ) : (
        <>
          {single ? <SingleValues title={metricKey} values={single} /> : <MetricChart title={metricKey} series={series} xLabel={X_AXIS_LABELS[options.xMode]} xIsTime={options.xMode === "time"} logY={options.logY} smoothing={options.smoothing} />}
          <p className="muted chart-note">
            {pointCount.toLocaleString("en-US")} point{pointCount === 1 ? "" : "s"}{fetching ? " · updating…" : ""}
          </p>
        </>
      )}
    </>
  );
};

/**
 * One metric's history for one or more runs, one line per run (named by the run). A page may hold hundreds of
 * these: each card fetches its histories and builds its chart only once it comes within a screen of the viewport,
 * and keeps its fixed height (charts.css) before that, so the page does not jump and the scrollbar is right.
 */
export const MetricHistoryChart = (props: MetricHistoryChartProps): ReactNode => {
  const cardRef = useRef<HTMLElement>(null);
  const near = useNearViewport(cardRef);
  return (
    <section ref={cardRef} className="chart-card" aria-label={`Metric ${props.metricKey}`} aria-busy={near ? undefined : true}>
      <h3>{props.metricKey}</h3>
      {near ? <LoadedHistoryChart {...props} /> : null}
    </section>
  );
};
