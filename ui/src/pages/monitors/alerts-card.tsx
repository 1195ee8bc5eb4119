import type { ReactNode } from "react";
import { formatNumber, formatTime } from "../../format";
import { CHECK_LABELS } from "./monitor-describe";
import type { AlertsView } from "./monitor-results";

/** Open alerts (checks failing now) and the alerts and recoveries within the chosen range, newest first. */
export const AlertsCard = ({ alerts }: { alerts: AlertsView }): ReactNode => (
  <section className="card" aria-labelledby="alerts-heading">
    <h2 id="alerts-heading">Alerts</h2>
    {alerts.open.length === 0 ? (
      <p>
        <span className="badge ok">no open alert</span>
      </p>
    ) : (
      <ul className="check-list" aria-label="Open alerts">
        {alerts.open.map((open) => (
          <li key={open.check}>
            <span className="badge danger">open</span> <strong>{CHECK_LABELS[open.check]}</strong> failing since {formatTime(open.since)}
            {open.sinceBeforeRange ? " or earlier" : ""}
          </li>
        ))}
      </ul>
    )}
    {alerts.events.length > 0 ? (
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Check</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {alerts.events.map((event) => (
            <tr key={`${event.time}-${event.check}`}>
              <td>{formatTime(event.time)}</td>
              <td>{event.kind === "alert" ? <span className="badge danger">alert</span> : <span className="badge ok">recovered</span>}</td>
              <td>{CHECK_LABELS[event.check]}</td>
              <td className="muted">
                {event.method === "error"
                  ? "could not run"
                  : `${event.method} ${event.statistic === null ? "—" : formatNumber(event.statistic)}${event.threshold !== null ? ` (threshold ${formatNumber(event.threshold)})` : ""}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : (
      <p className="muted">No alert or recovery in this period.</p>
    )}
  </section>
);
