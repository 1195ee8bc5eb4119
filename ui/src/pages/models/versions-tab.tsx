import { useInfiniteQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import type { ModelVersion } from "../../api/entities";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { StageBadge, VersionAliasBadges, VersionStatusBadge } from "./alias-badges";
import { versionPath } from "./paths";
import { registryKeys, searchVersions } from "./registry-api";
import { RunLink } from "./run-link";
import { excerpt } from "./text";

export const useVersions = (name: string) =>
  useInfiniteQuery({
    queryKey: registryKeys.versions(name),
    queryFn: ({ pageParam, signal }) => searchVersions(name, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextPageToken,
  });

const VersionRow = ({ version }: { version: ModelVersion }): ReactNode => (
  <tr>
    <td>
      <Link href={versionPath(version.name, version.version)}>Version {version.version}</Link>
    </td>
    <td>
      <VersionAliasBadges aliases={version.aliases} />
    </td>
    <td>
      <StageBadge stage={version.current_stage} />
    </td>
    <td>
      <VersionStatusBadge status={version.status} />
    </td>
    <td>
      <RunLink runId={version.run_id} />
    </td>
    <td>{formatTime(version.creation_timestamp)}</td>
    <td className="description-excerpt" title={version.description}>
      {excerpt(version.description)}
    </td>
  </tr>
);

/** Every version of the model, newest first, 100 at a time. */
export const VersionsTab = ({ name }: { name: string }): ReactNode => {
  const query = useVersions(name);
  const versions = query.data?.pages.flatMap((page) => page.items) ?? [];
  if (query.isPending) return <Loading what="versions" />;
  return (
    <>
      <ErrorBanner error={query.error} what="the versions" />
      {query.data && versions.length === 0 ? <Empty>This model has no versions yet.</Empty> : null}
      {versions.length > 0 ? (
        <table className="data" aria-label="Versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Aliases</th>
              <th scope="col">Stage</th>
              <th scope="col">Status</th>
              <th scope="col">Source run</th>
              <th scope="col">Created</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => (
              <VersionRow key={version.version} version={version} />
            ))}
          </tbody>
        </table>
      ) : null}
      {query.hasNextPage ? (
        <button type="button" className="load-more" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? "Loading…" : "Load more versions"}
        </button>
      ) : null}
    </>
  );
};
