import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { ErrorBanner, Loading } from "../../components/status";
import { useQueryParam } from "../../url-state";
import { AlertsCard } from "./alerts-card";
import { HistoryChartCard } from "./history-chart-card";
import { ChecksCard, DataTestsCard, FeaturesTable } from "./latest-run-cards";
import { MonitorSummaryCard } from "./monitor-summary-card";
import { getMonitor, monitorKeys, readAlerts, readHistory, readLatestRun } from "./monitor-wire";
import { RunResult, useRunNow } from "./run-now";
import { DEFAULT_RANGE, rangeOf, rangeStartNow } from "./time-range";
import "./monitors.css";

/** A monitor's dashboard: definition, latest run (checks, features, failed data tests), scores over time, alerts. */
const MonitorPage = ({ name }: { name: string }): ReactNode => {
  const [rangeKey, setRangeKey] = useQueryParam("range", DEFAULT_RANGE);
  const range = rangeOf(rangeKey).key;
  const monitor = useQuery({ queryKey: monitorKeys.one(name), queryFn: ({ signal }) => getMonitor(name, signal) });
  const latest = useQuery({ queryKey: monitorKeys.latest(name), queryFn: ({ signal }) => readLatestRun(name, signal), enabled: monitor.isSuccess });
  const history = useQuery({
    queryKey: monitorKeys.history(name, range),
    queryFn: ({ signal }) => readHistory(name, rangeStartNow(range), signal),
    enabled: monitor.isSuccess,
  });
  const alerts = useQuery({
    queryKey: monitorKeys.alerts(name, range),
    queryFn: ({ signal }) => readAlerts(name, rangeStartNow(range), signal),
    enabled: monitor.isSuccess,
  });
  const runNow = useRunNow(name);

  return (
    <div className="page monitor-page">
      <PageHeader
        title={name}
        crumbs={<Link href="/monitors">Monitors</Link>}
        actions={
          monitor.data ? (
            <button type="button" className="primary" onClick={() => runNow.mutate()} disabled={runNow.isPending}>
              {runNow.isPending ? "Running…" : "Run now"}
            </button>
          ) : null
        }
      />
      {runNow.error ? (
        <div role="alert" className="error-banner">
          <strong>The run failed. </strong>
          {runNow.error.message}
        </div>
      ) : null}
      <p role="status" className="visually-hidden">
        {runNow.isPending ? "Running the monitor" : runNow.data ? `Run finished: ${runNow.data.passed ? "all checks passed" : "checks failed"}` : ""}
      </p>
      {runNow.data ? <RunResult run={runNow.data} /> : null}
      {monitor.isPending ? <Loading what="the monitor" /> : null}
      <ErrorBanner error={monitor.error} what={`monitor ${name}`} />
      {monitor.data ? (
        <>
          <div className="grid-2">
            <MonitorSummaryCard monitor={monitor.data} />
            <div>
              {latest.isPending ? <Loading what="the latest run" /> : null}
              <ErrorBanner error={latest.error} what="the latest run" />
              {latest.data ? <ChecksCard run={latest.data} lastRunTime={monitor.data.last_run_time} /> : null}
              <ErrorBanner error={alerts.error} what="the alerts" />
              {alerts.data ? <AlertsCard alerts={alerts.data} /> : null}
            </div>
          </div>
          <HistoryChartCard history={history.data} error={history.error} pending={history.isPending} rangeKey={range} onRange={(key) => setRangeKey(key)} />
          {latest.data ? (
            <>
              <FeaturesTable run={latest.data} check="drift" />
              <FeaturesTable run={latest.data} check="skew" />
              <DataTestsCard run={latest.data} />
            </>
          ) : null}
        </>
      ) : null}
    </div>
  );
};

export default MonitorPage;
