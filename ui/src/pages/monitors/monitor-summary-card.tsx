import type { ReactNode } from "react";
import { Link } from "wouter";
import { formatTime } from "../../format";
import { describeChecks, describeWindow } from "./monitor-describe";
import type { MonitorWire } from "./monitor-wire";
import { formatSeconds } from "./time-range";

/** What the monitor watches, how often, and when it last ran. */
export const MonitorSummaryCard = ({ monitor }: { monitor: MonitorWire }): ReactNode => (
  <section className="card" aria-labelledby="monitor-summary-heading">
    <h2 id="monitor-summary-heading">Definition</h2>
    <dl className="kv">
      <dt>Deployment</dt>
      <dd>
        <Link href={`/deployments/${encodeURIComponent(monitor.deployment)}`}>{monitor.deployment}</Link>
      </dd>
      <dt>Window</dt>
      <dd>{describeWindow(monitor.window)} of its prediction log</dd>
      <dt>Schedule</dt>
      <dd>every {formatSeconds(monitor.schedule_seconds)}</dd>
      <dt>Checks</dt>
      <dd>{describeChecks(monitor.checks).join("; ")}</dd>
      <dt>Last run</dt>
      <dd>{monitor.last_run_time !== undefined ? formatTime(monitor.last_run_time) : "never"}</dd>
      <dt>Created</dt>
      <dd>{formatTime(monitor.created_time)}</dd>
    </dl>
    {monitor.checks.data_tests ? (
      <details>
        <summary>Data-test suite</summary>
        <pre className="suite">{monitor.checks.data_tests.suite}</pre>
      </details>
    ) : null}
  </section>
);
