import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { CHECK_LABELS, describeChecks, describeWindow } from "./monitor-describe";
import { runStatus } from "./monitor-results";
import { listMonitors, monitorKeys, readLatestRun, type MonitorWire } from "./monitor-wire";
import { formatSeconds } from "./time-range";
import "./monitors.css";

export const NoMonitors = (): ReactNode => (
  <Empty>
    <p>No monitors yet. A monitor checks a deployment's logged traffic on a schedule; create one with the CLI:</p>
    <pre className="command">cairn monitors create churn-watch --deployment churn --window-rows 5000 --every 300 --drift</pre>
    <p>
      Add <code>--skew</code>, <code>--suite live-suite.yaml</code> (data tests) or <code>--quality accuracy:0.9</code> for more checks, and{" "}
      <code>cairn monitors run churn-watch</code> to run it at once.
    </p>
  </Empty>
);

/** The latest run's outcome in counts; one small read per monitor (the list itself carries no scores). */
const StatusCells = ({ monitor }: { monitor: MonitorWire }): ReactNode => {
  const latest = useQuery({ queryKey: monitorKeys.latest(monitor.name), queryFn: ({ signal }) => readLatestRun(monitor.name, signal) });
  if (latest.isPending) return <td colSpan={3} className="muted">Loading…</td>;
  if (latest.error) return <td colSpan={3} className="error-text">{latest.error.message}</td>;
  const status = runStatus(latest.data);
  if (status === undefined) return <td colSpan={3} className="muted">{monitor.last_run_time === undefined ? "not run yet" : "no scores (empty window)"}</td>;
  const drifted = status.driftedFeatures.length;
  const failed = status.failedDataTests.length;
  return (
    <>
      <td className="num">{monitor.checks.drift ? <span className={`badge ${drifted > 0 ? "danger" : "ok"}`}>{drifted} drifted</span> : <span className="muted">—</span>}</td>
      <td className="num">{monitor.checks.data_tests ? <span className={`badge ${failed > 0 ? "danger" : "ok"}`}>{failed} failed</span> : <span className="muted">—</span>}</td>
      <td>
        {status.failingChecks.length === 0 ? (
          <span className="badge ok">none</span>
        ) : (
          status.failingChecks.map((check) => (
            <span key={check} className="badge danger alert-badge">
              {CHECK_LABELS[check]}
            </span>
          ))
        )}
      </td>
    </>
  );
};

/** Every monitor with its deployment, window, schedule, last run and the latest run's outcome. */
const MonitorsPage = (): ReactNode => {
  const monitors = useQuery({ queryKey: monitorKeys.list(), queryFn: ({ signal }) => listMonitors(signal), refetchInterval: 60_000 });
  return (
    <div className="page">
      <PageHeader title="Monitors" />
      {monitors.isPending ? <Loading what="monitors" /> : null}
      <ErrorBanner error={monitors.error} what="the monitors" />
      {monitors.data && monitors.data.length === 0 ? <NoMonitors /> : null}
      {monitors.data && monitors.data.length > 0 ? (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Deployment</th>
              <th scope="col">Checks</th>
              <th scope="col">Window</th>
              <th scope="col">Schedule</th>
              <th scope="col">Last run</th>
              <th scope="col" className="num">
                Drifted features
              </th>
              <th scope="col" className="num">
                Failed data tests
              </th>
              <th scope="col">Open alerts</th>
            </tr>
          </thead>
          <tbody>
            {monitors.data.map((m) => (
              <tr key={m.name}>
                <td>
                  <Link href={`/monitors/${encodeURIComponent(m.name)}`}>{m.name}</Link>
                </td>
                <td>
                  <Link href={`/deployments/${encodeURIComponent(m.deployment)}`}>{m.deployment}</Link>
                </td>
                <td>{describeChecks(m.checks).join("; ")}</td>
                <td>{describeWindow(m.window)}</td>
                <td>every {formatSeconds(m.schedule_seconds)}</td>
                <td>{m.last_run_time !== undefined ? formatTime(m.last_run_time) : <span className="muted">never</span>}</td>
                <StatusCells monitor={m} />
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
};

export default MonitorsPage;
