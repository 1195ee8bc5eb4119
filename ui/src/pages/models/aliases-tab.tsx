import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import type { RegisteredModel } from "../../api/entities";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { AliasEditor } from "./alias-editor";
import { versionPath } from "./paths";
import { getAliasHistory, registryKeys } from "./registry-api";
import { actorName } from "./text";
import { useVersions } from "./versions-tab";

const VersionCell = ({ name, version, none }: { name: string; version: string | null; none: string }): ReactNode =>
  version === null ? <span className="muted">{none}</span> : <Link href={versionPath(name, version)}>Version {version}</Link>;

/** Who moved which alias from which version to which, oldest first (read from the audit trail). */
const AliasHistory = ({ name }: { name: string }): ReactNode => {
  const history = useQuery({ queryKey: registryKeys.aliasHistory(name), queryFn: ({ signal }) => getAliasHistory(name, signal) });
  return (
    <section className="card" aria-labelledby="alias-history-heading">
      <h2 id="alias-history-heading">Alias history</h2>
      <ErrorBanner error={history.error} what="the alias history" />
      {history.isPending ? <Loading what="alias history" /> : null}
      {history.data?.length === 0 ? <Empty>No alias has been set on this model yet.</Empty> : null}
      {history.data && history.data.length > 0 ? (
        <table className="data" aria-label="Alias history">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Alias</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">By</th>
              <th scope="col">Request</th>
            </tr>
          </thead>
          <tbody>
            {history.data.map((change) => (
              <tr key={`${change.request_id}|${change.alias}|${change.time}`}>
                <td className="nowrap">{formatTime(change.time)}</td>
                <td>@{change.alias}</td>
                <td>
                  <VersionCell name={name} version={change.from_version} none="(new)" />
                </td>
                <td>
                  <VersionCell name={name} version={change.to_version} none="(removed)" />
                </td>
                <td>{actorName(change.actor)}</td>
                <td className="mono muted" title={change.request_id}>
                  {change.request_id.slice(0, 8)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
};

export const AliasesTab = ({ model }: { model: RegisteredModel }): ReactNode => {
  const versions = useVersions(model.name);
  const numbers = versions.data?.pages.flatMap((page) => page.items.map((version) => version.version)) ?? [];
  return (
    <>
      <AliasEditor name={model.name} aliases={model.aliases} versions={numbers} />
      <AliasHistory name={model.name} />
    </>
  );
};
