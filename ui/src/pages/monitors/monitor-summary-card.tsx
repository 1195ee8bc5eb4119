import type { ReactNode } from "react";
import { Link } from "wouter";
import { formatTime } from "../../format";
import { describeChecks, describeWindow } from "./monitor-describe";
import type { MonitorWire } from "./monitor-wire";
import { formatSeconds } from "./time-range";

const SHOWN_FEATURES = 20;
const featureList = (features: readonly string[]): string =>
  features.length > SHOWN_FEATURES ? `${features.slice(0, SHOWN_FEATURES).join(", ")} and ${features.length - SHOWN_FEATURES} more` : features.join(", ");

/** What the monitor watches (window, minimum rows, features, checks), how often, and when it last ran. */
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
      <dt>Minimum rows</dt>
      <dd>{monitor.min_rows ?? 100} (fewer in the window: insufficient data, nothing judged)</dd>
      <dt>Features</dt>
      <dd>{monitor.features !== undefined ? featureList(monitor.features) : "the model version's signature"}</dd>
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
