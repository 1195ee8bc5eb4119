import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorBanner } from "../../components/status";
import { formatNumber, formatTime } from "../../format";
import { deploymentKeys, listShadowReports } from "./deployment-wire";
import { formatLatency, formatRate } from "./shadow-report-format";

/**
 * Every shadow comparison the server saved for this deployment, the current one included: what a promote was
 * decided on stays readable after the shadow ended. Nothing shows for a deployment that never had a shadow.
 */
export const SavedReportsCard = ({ name }: { name: string }): ReactNode => {
  const reports = useQuery({ queryKey: deploymentKeys.shadowReports(name), queryFn: ({ signal }) => listShadowReports(name, signal) });
  if (reports.error) return <ErrorBanner error={reports.error} what="the saved shadow comparisons" />;
  if (!reports.data || reports.data.length === 0) return null;
  return (
    <section className="card" aria-labelledby="saved-reports-heading">
      <h2 id="saved-reports-heading">Shadow comparisons</h2>
      <div className="scroll-box">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Shadow</th>
              <th scope="col">Since</th>
              <th scope="col">Saved</th>
              <th scope="col" className="num">
                Compared
              </th>
              <th scope="col" className="num">
                Agreement
              </th>
              <th scope="col" className="num">
                Mean abs. diff.
              </th>
              <th scope="col" className="num">
                p50 primary / shadow
              </th>
              <th scope="col" className="num">
                Errors primary / shadow
              </th>
            </tr>
          </thead>
          <tbody>
            {reports.data.map((r) => (
              <tr key={`${r.since}-${r.candidate_version}`}>
                <td>
                  v{r.candidate_version} against v{r.primary_version}
                </td>
                <td>{formatTime(r.since)}</td>
                <td>
                  {formatTime(r.updated_timestamp)}
                  {(r.replicas ?? 1) > 1 ? <span className="muted"> ({r.replicas} servers)</span> : null}
                </td>
                <td className="num">{r.compared.toLocaleString("en-US")}</td>
                <td className="num">{formatRate(r.agreement_rate)}</td>
                <td className="num">{r.abs_diff.mean === null ? "—" : formatNumber(r.abs_diff.mean)}</td>
                <td className="num">
                  {formatLatency(r.latency.primary.p50_ms)} / {formatLatency(r.latency.candidate.p50_ms)}
                </td>
                <td className="num">
                  {r.primary_errors} / {r.candidate_errors}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
};
