import type { ReactNode } from "react";
import type { DeploymentWire } from "./deployment-wire";
import { formatShare, trafficSegments } from "./traffic-split";

/** Segments narrower than this carry no text inside the bar (the table below says it all anyway). */
const MIN_LABELLED_SHARE = 0.08;

const roleText = { primary: "primary", canary: "canary" } as const;

/** The split drawn as a bar (who answers requests) with the shadow's mirrored share drawn apart, and a table. */
export const TrafficCard = ({ deployment }: { deployment: DeploymentWire }): ReactNode => {
  const segments = trafficSegments(deployment);
  const { canary, shadow } = deployment;
  const spoken = segments.map((s) => `version ${s.version} ${roleText[s.role]} ${formatShare(s.share)}`).join(", ");
  return (
    <section className="card" aria-labelledby="traffic-heading">
      <h2 id="traffic-heading">Traffic split</h2>
      <div className="traffic-bar" role="img" aria-label={`Answered traffic: ${spoken}`}>
        {segments.map((segment) => (
          <div key={`${segment.role}-${segment.version}`} className={`traffic-segment role-${segment.role}`} style={{ flexGrow: segment.share, flexBasis: 0 }}>
            {segment.share >= MIN_LABELLED_SHARE ? `v${segment.version} · ${formatShare(segment.share)}` : null}
          </div>
        ))}
      </div>
      {shadow ? (
        <div className="shadow-bar" role="img" aria-label={`Shadow version ${shadow.version} also runs ${formatShare(shadow.share)} of requests`}>
          <div className="shadow-fill" style={{ width: formatShare(Math.min(1, Math.max(0, shadow.share))) }}>
            {shadow.share >= MIN_LABELLED_SHARE * 2 ? `shadow v${shadow.version} · ${formatShare(shadow.share)} mirrored` : null}
          </div>
        </div>
      ) : null}
      <table className="data traffic-table">
        <caption className="visually-hidden">Versions and their share of requests</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Role</th>
            <th scope="col" className="num">
              Share of requests
            </th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {segments.map((segment) => (
            <tr key={`${segment.role}-${segment.version}`}>
              <td>
                <span className={`swatch role-${segment.role}`} aria-hidden="true" />
                Version {segment.version}
              </td>
              <td>{roleText[segment.role]}</td>
              <td className="num">{formatShare(segment.share)}</td>
              <td className="muted">
                {segment.role === "canary" && canary ? (canary.sticky ? "sticky: one routing key stays on one version" : "each request split at random") : "answers the callers"}
              </td>
            </tr>
          ))}
          {shadow ? (
            <tr>
              <td>
                <span className="swatch role-shadow" aria-hidden="true" />
                Version {shadow.version}
              </td>
              <td>shadow</td>
              <td className="num">{formatShare(shadow.share)} mirrored</td>
              <td className="muted">runs after the primary answered; its answers are compared, never returned</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
};
