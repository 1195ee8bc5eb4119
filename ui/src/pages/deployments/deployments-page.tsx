import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { useQueryParam } from "../../url-state";
import { deploymentKeys, listDeployments, type DeploymentWire } from "./deployment-wire";
import { ReadyBadge } from "./serving-card";
import { describeShadow, describeSplit, trafficSegments } from "./traffic-split";
import "./deployments.css";

const matches = (d: DeploymentWire, needle: string): boolean =>
  needle === "" || d.name.toLowerCase().includes(needle) || d.model_uri.toLowerCase().includes(needle);

export const NoDeployments = (): ReactNode => (
  <Empty>
    <p>No deployments yet. A deployment serves a registered model version under a name; create one with the CLI:</p>
    <pre className="command">cairn deployments create churn models:/churn@champion</pre>
    <p>
      It follows the alias (or pin a version: <code>models:/churn/3</code>). Then split traffic with{" "}
      <code>cairn deployments canary churn 4 --weight 0.1</code> or mirror it with <code>cairn deployments shadow churn 4 --share 0.5</code>.
    </p>
  </Empty>
);

/** The split as a small bar beside its words (decorative: the words say it). */
const MiniSplit = ({ deployment }: { deployment: DeploymentWire }): ReactNode => (
  <span className="mini-split" aria-hidden="true">
    {trafficSegments(deployment).map((segment) => (
      <span key={segment.role} className={`role-${segment.role}`} style={{ width: `${segment.share * 100}%` }} />
    ))}
  </span>
);

/** Every deployment with what serves it and how traffic is split; the filter (`q`) is in the URL. */
const DeploymentsPage = (): ReactNode => {
  const [filter, setFilter] = useQueryParam("q");
  const deployments = useQuery({ queryKey: deploymentKeys.list(), queryFn: ({ signal }) => listDeployments(signal), refetchInterval: 30_000 });
  const needle = filter.trim().toLowerCase();
  const shown = deployments.data?.filter((d) => matches(d, needle)) ?? [];
  return (
    <div className="page">
      <PageHeader title="Deployments" />
      {deployments.isPending ? <Loading what="deployments" /> : null}
      <ErrorBanner error={deployments.error} what="the deployments" />
      {deployments.data && deployments.data.length === 0 ? <NoDeployments /> : null}
      {deployments.data && deployments.data.length > 0 ? (
        <>
          <div className="toolbar">
            <label className="deployments-filter">
              <span className="visually-hidden">Filter deployments</span>
              <input type="search" placeholder="Filter by name or model" value={filter} onChange={(event) => setFilter(event.target.value)} />
            </label>
            <span className="muted">
              {shown.length} of {deployments.data.length}
            </span>
          </div>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Model</th>
                <th scope="col">Serving</th>
                <th scope="col">Traffic</th>
                <th scope="col">Shadow</th>
                <th scope="col">Status</th>
                <th scope="col">Last change</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <tr key={d.name}>
                  <td>
                    <Link href={`/deployments/${encodeURIComponent(d.name)}`}>{d.name}</Link>
                  </td>
                  <td>
                    <code>{d.model_uri}</code>
                  </td>
                  <td>{d.serving_versions.length > 0 ? d.serving_versions.map((v) => `v${v}`).join(", ") : <span className="muted">none</span>}</td>
                  <td>
                    <MiniSplit deployment={d} />
                    {describeSplit(d)}
                  </td>
                  <td>{describeShadow(d) ?? <span className="muted">—</span>}</td>
                  <td>
                    <ReadyBadge deployment={d} />
                  </td>
                  <td>{formatTime(d.last_updated_timestamp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 ? <Empty>No deployment matches “{filter}”.</Empty> : null}
        </>
      ) : null}
    </div>
  );
};

export default DeploymentsPage;
