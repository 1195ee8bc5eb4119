import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { deploymentKeys, getShadowReport, type CurrentShadowReportWire } from "./deployment-wire";
import { shadowReportLines } from "./shadow-report-format";

/** The shadow's comparison with the primary on mirrored traffic; refreshed while the page is open. */
export const ShadowReportCard = ({ name }: { name: string }): ReactNode => {
  const report = useQuery({
    queryKey: deploymentKeys.shadowReport(name),
    queryFn: ({ signal }) => getShadowReport(name, signal),
    refetchInterval: 15_000,
  });
  return (
    <section className="card" aria-labelledby="shadow-heading">
      <h2 id="shadow-heading">Shadow comparison{report.data ? `: v${report.data.report.candidate_version} against v${report.data.report.primary_version}` : ""}</h2>
      {report.isPending ? <Loading what="the shadow report" /> : null}
      <ErrorBanner error={report.error} what="the shadow report" />
      {report.data && !report.data.live ? (
        <p className="muted">As last saved at {formatTime(report.data.updated_timestamp)}: this server is not counting it live.</p>
      ) : null}
      {report.data ? <ReplicasNote data={report.data} /> : null}
      {report.data ? (
        <dl className="kv">
          {shadowReportLines(report.data.report).map((line) => (
            <div key={line.label} className="kv-row">
              <dt>{line.label}</dt>
              <dd>{line.warn ? <span className="badge warn">{line.value}</span> : line.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </section>
  );
};

/**
 * Several replicas: the report adds up every server's part, each as that server last saved it (other servers' counts
 * reach this one at their next save), so the oldest save says how fresh the total is.
 */
const ReplicasNote = ({ data }: { data: CurrentShadowReportWire }): ReactNode => {
  const replicas = data.replicas ?? 1;
  if (replicas < 2) return null;
  const saves = (data.parts ?? []).flatMap((p) => (p.updated_timestamp === undefined ? [] : [p.updated_timestamp]));
  const oldest = saves.length > 0 ? Math.min(...saves) : undefined;
  return (
    <p className="muted">
      Combined from {replicas} server processes{oldest !== undefined ? `; the oldest part was saved at ${formatTime(oldest)}` : ""}.
    </p>
  );
};
