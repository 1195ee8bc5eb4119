import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { mlflowGet } from "../../api/http";
import type { ModelVersion } from "../../api/entities";
import { formatTime } from "../../format";
import { versionPath } from "../models/paths";
import { quoteFilterValue } from "../models/registry-api";

/** One page of the run's versions is shown; a run registered more often than this is rare, and the card says so. */
export const RUN_VERSIONS_LIMIT = 100;

export const runVersionsKey = (runId: string) => ["registry", "versions-of-run", runId] as const;

/** The model versions registered from the run (model-versions/search with `run_id='…'`), newest first. */
export const searchRunVersions = async (runId: string, signal?: AbortSignal): Promise<{ versions: ModelVersion[]; more: boolean }> => {
  const answer = await mlflowGet<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
    "model-versions/search",
    { filter: `run_id = ${quoteFilterValue(runId)}`, max_results: RUN_VERSIONS_LIMIT, order_by: ["creation_timestamp DESC"] },
    signal,
  );
  return { versions: answer.model_versions ?? [], more: Boolean(answer.next_page_token) };
};

/** The registry's side of the run: which model versions it produced, each linked to its version page. */
export const ModelVersionsCard = ({ runId }: { runId: string }): ReactNode => {
  const found = useQuery({ queryKey: runVersionsKey(runId), queryFn: ({ signal }) => searchRunVersions(runId, signal), staleTime: 30_000 });
  const versions = found.data?.versions ?? [];
  return (
    <section className="card" aria-labelledby="run-versions-heading">
      <h2 id="run-versions-heading">Registered model versions{found.data ? ` (${versions.length}${found.data.more ? "+" : ""})` : ""}</h2>
      {found.error ? <p className="muted">Could not read the registry: {found.error.message}</p> : null}
      {found.isPending ? <p className="muted">Loading…</p> : null}
      {found.data && versions.length === 0 ? <p className="muted">No model version was registered from this run.</p> : null}
      {versions.length > 0 ? (
        <ul className="run-versions">
          {versions.map((version) => (
            <li key={`${version.name}/${version.version}`}>
              <Link href={versionPath(version.name, version.version)}>
                {version.name} version {version.version}
              </Link>
              {version.aliases && version.aliases.length > 0 ? <span className="muted"> @{version.aliases.join(", @")}</span> : null}
              <span className="muted"> · registered {formatTime(Number(version.creation_timestamp))}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {found.data?.more ? <p className="muted">The newest {RUN_VERSIONS_LIMIT} are listed.</p> : null}
    </section>
  );
};
