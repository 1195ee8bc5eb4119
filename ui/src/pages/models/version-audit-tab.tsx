import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { AuditTrail } from "./audit-trail";
import { modelPath, versionPath } from "./paths";
import { getAliasHistory, registryKeys, versionEntity } from "./registry-api";
import type { AliasChange } from "./registry-wire";
import { actorName } from "./text";

/**
 * The alias history is read from the model's audit events registry.alias.set and registry.alias.delete
 * (src/audit/alias-history.ts); a change without a new version is a deletion.
 */
export const aliasActionOf = (change: AliasChange): string => (change.to_version === null ? "registry.alias.delete" : "registry.alias.set");

/** The alias changes that moved an alias onto or off `version`, oldest first. */
export const aliasMovesOf = (changes: readonly AliasChange[], version: string): AliasChange[] =>
  changes.filter((change) => change.from_version === version || change.to_version === version);

const VersionText = ({ name, version, current, none }: { name: string; version: string | null; current: string; none: string }): ReactNode => {
  if (version === null) return <span className="muted">{none}</span>;
  if (version === current) return <>Version {version} (this one)</>;
  return <Link href={versionPath(name, version)}>Version {version}</Link>;
};

/**
 * Alias moves are events of the model (entity registered_model/<name>), not of the version; the version's story
 * needs them all the same, so they are picked from the model's alias history (cached with the aliases tab's).
 */
const AliasMoves = ({ name, version }: { name: string; version: string }): ReactNode => {
  const history = useQuery({ queryKey: registryKeys.aliasHistory(name), queryFn: ({ signal }) => getAliasHistory(name, signal) });
  const moves = history.data ? aliasMovesOf(history.data, version) : undefined;
  return (
    <section className="card" aria-labelledby="alias-moves-heading">
      <h2 id="alias-moves-heading">Alias moves to or from this version</h2>
      <ErrorBanner error={history.error} what="the alias history" />
      {history.isPending ? <Loading what="alias history" /> : null}
      {moves?.length === 0 ? <Empty>No alias has pointed to this version.</Empty> : null}
      {moves && moves.length > 0 ? (
        <table className="data" aria-label="Alias moves">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Alias</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
            </tr>
          </thead>
          <tbody>
            {moves.map((change) => (
              <tr key={`${change.request_id}|${change.alias}|${change.time}`}>
                <td className="nowrap">{formatTime(change.time)}</td>
                <td>{actorName(change.actor)}</td>
                <td className="mono">{aliasActionOf(change)}</td>
                <td>@{change.alias}</td>
                <td>
                  <VersionText name={name} version={change.from_version} current={version} none="(new)" />
                </td>
                <td>
                  <VersionText name={name} version={change.to_version} current={version} none="(removed)" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
};

/** The version's audit trail (entity model_version/<name>/<version>), then the alias moves that concerned it. */
export const VersionAuditTab = ({ name, version }: { name: string; version: string }): ReactNode => (
  <>
    <section className="card" aria-labelledby="version-events-heading">
      <h2 id="version-events-heading">Events of this version</h2>
      <AuditTrail entity={versionEntity(name, version)} empty="No audit events for this version." />
    </section>
    <AliasMoves name={name} version={version} />
    <p className="muted">
      The model&apos;s other events (its creation, tags and promotion rules) are in <Link href={`${modelPath(name)}?tab=audit`}>the model&apos;s audit trail</Link>.
    </p>
  </>
);
