import type { ReactNode } from "react";
import { formatNumber, formatTime } from "../../format";
import { CHECK_LABELS } from "./monitor-describe";
import type { AlertEventWire, AlertsRead } from "./monitor-wire";

/** The check's score at the event: its summary (the first of the event's scores) against its threshold. */
const scoreText = (event: AlertEventWire): string => {
  const summary = event.scores[0];
  if (summary === undefined) return "—";
  if (summary.method === "error") return "could not run";
  return `${summary.method} ${summary.statistic === null ? "—" : formatNumber(summary.statistic)}${summary.threshold !== null ? ` (threshold ${formatNumber(summary.threshold)})` : ""}`;
};

const EVENT_BADGES: Record<AlertEventWire["kind"], { className: string; text: string }> = {
  alert: { className: "danger", text: "alert" },
  recovered: { className: "ok", text: "recovered" },
  // A check that could not run (monitor.error): a configuration or system problem, not a verdict on the data.
  error: { className: "warn", text: "error" },
};

/**
 * Open alerts (checks failing now, as the server keeps them), checks that cannot run now, and the alerts, recoveries
 * and errors within the chosen range, newest first.
 */
export const AlertsCard = ({ alerts }: { alerts: AlertsRead }): ReactNode => {
  const open = alerts.states.filter((state) => state.failing);
  const erroring = alerts.states.filter((state) => state.error_since !== undefined);
  return (
    <section className="card" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      {open.length === 0 ? (
        <p>
          <span className="badge ok">no open alert</span>
        </p>
      ) : (
        <ul className="check-list" aria-label="Open alerts">
          {open.map((state) => (
            <li key={state.check}>
              <span className="badge danger">open</span> <strong>{CHECK_LABELS[state.check]}</strong> failing
              {state.since !== undefined ? ` since ${formatTime(state.since)}` : ""}
            </li>
          ))}
        </ul>
      )}
      {erroring.length > 0 ? (
        <ul className="check-list" aria-label="Checks that cannot run">
          {erroring.map((state) => (
            <li key={state.check}>
              <span className="badge warn">error</span> <strong>{CHECK_LABELS[state.check]}</strong> could not run since{" "}
              {formatTime(state.error_since as number)}
            </li>
          ))}
        </ul>
      ) : null}
      {alerts.truncated ? <p className="muted">This period holds more events than one view reads; the newest are shown. Choose a shorter period.</p> : null}
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
              <tr key={`${event.time}-${event.check}-${event.kind}`}>
                <td>{formatTime(event.time)}</td>
                <td>
                  <span className={`badge ${EVENT_BADGES[event.kind].className}`}>{EVENT_BADGES[event.kind].text}</span>
                </td>
                <td>{CHECK_LABELS[event.check]}</td>
                <td className="muted" title={event.message}>
                  {scoreText(event)}
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
};
