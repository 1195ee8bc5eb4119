import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { deploymentKeys, getDeploymentHistory, type HistoryEntryWire } from "./deployment-wire";

const version = (v: string | null): string => (v === null ? "none" : `v${v}`);

/** "v1 → v2", "none → v3" (a role filled), "v2 → none" (a role emptied). */
export const describeChange = (entry: Pick<HistoryEntryWire, "from_version" | "to_version">): string => `${version(entry.from_version)} → ${version(entry.to_version)}`;

/** Who changed which version served, when and why; newest first. */
export const HistoryCard = ({ name }: { name: string }): ReactNode => {
  const history = useQuery({ queryKey: deploymentKeys.history(name), queryFn: ({ signal }) => getDeploymentHistory(name, signal) });
  const entries = history.data ? [...history.data].reverse() : [];
  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {history.isPending ? <Loading what="the history" /> : null}
      <ErrorBanner error={history.error} what="the deployment's history" />
      {history.data ? (
        <div className="scroll-box">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Role</th>
                <th scope="col">Change</th>
                <th scope="col">Reason</th>
                <th scope="col">By</th>
                <th scope="col">Request</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry, index) => (
                <tr key={`${entry.request_id}-${entry.role}-${index}`}>
                  <td>{formatTime(entry.time)}</td>
                  <td>{entry.role}</td>
                  <td>{describeChange(entry)}</td>
                  <td>{entry.reason}</td>
                  <td>{entry.actor}</td>
                  <td className="mono muted">{entry.request_id}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
};
