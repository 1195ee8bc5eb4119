import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { Pager, usePaging } from "../../components/pager";
import { ErrorBanner, Loading } from "../../components/status";
import { formatBytes, formatTime } from "../../format";
import { experimentPath, runPath } from "../experiment/experiment-paths";
import { versionPath } from "../models/paths";
import { PIPELINES_PATH } from "../pipelines/pipeline-paths";
import { DATA_VERSION_HASH, shortHash } from "./data-version-paths";
import { dataVersionKeys, getDataVersion, getDataVersionRuns, type DataVersionRunView, type DataVersionView, type RunRelation } from "./data-versions-api";
import "./data-versions.css";

const FILES_NOTE: Record<Exclude<DataVersionView["files_state"], "ok">, string> = {
  absent: "The server does not hold this directory's manifest: push the data (`cairn push`) to list its files here.",
  "too-large": "This directory's manifest is too large to list here.",
  invalid: "The manifest the server holds does not match its hash, so its files are not listed.",
  "not-a-directory": "This data version is a single file.",
};

interface RunsTableProps {
  id: string;
  title: string;
  hash: string;
  relation: RunRelation;
  first: readonly DataVersionRunView[];
  /** The token of the runs after the first page, when there are more. */
  after: string | undefined;
}

/** The first page of runs (from the version's answer), and further pages of data/versions/runs on demand. */
const RunsTable = ({ id, title, hash, relation, first, after }: RunsTableProps): ReactNode => {
  const [expanded, setExpanded] = useState(false);
  const more = useInfiniteQuery({
    queryKey: dataVersionKeys.runs(hash, relation, after ?? ""),
    queryFn: ({ pageParam, signal }) => getDataVersionRuns(hash, relation, pageParam, signal),
    initialPageParam: after ?? "",
    getNextPageParam: (last) => last.nextPageToken,
    enabled: expanded && after !== undefined,
  });
  const runs = [...first, ...(more.data?.pages.flatMap((page) => page.runs) ?? [])];
  const hasMore = expanded ? more.hasNextPage : after !== undefined;
  return <RunsList id={id} title={title} runs={runs} loading={more.isFetching} error={more.error} onMore={hasMore ? () => (expanded ? void more.fetchNextPage() : setExpanded(true)) : undefined} />;
};

interface RunsListProps {
  id: string;
  title: string;
  runs: readonly DataVersionRunView[];
  loading: boolean;
  error: unknown;
  onMore: (() => void) | undefined;
}

const RunsList = ({ id, title, runs, loading, error, onMore }: RunsListProps): ReactNode => (
  <section className="card" aria-labelledby={id}>
    <h2 id={id}>{title}</h2>
    {runs.length === 0 ? (
      <p className="muted">No run.</p>
    ) : (
      <table className="data">
        <caption className="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Stage</th>
            <th scope="col">Experiment</th>
            <th scope="col">Path</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={`${run.run_id}:${run.name}`}>
              <th scope="row">
                <Link href={runPath(run.experiment_id, run.run_id)}>{run.run_name || run.run_id}</Link>
              </th>
              <td>{run.stage ?? <span className="muted">—</span>}</td>
              <td>
                <Link href={experimentPath(run.experiment_id)}>{run.experiment_name ?? run.experiment_id}</Link>
              </td>
              <td className="mono">{run.name}</td>
              <td>{run.status.toLowerCase()}</td>
              <td>{formatTime(run.start_time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    <ErrorBanner error={error} what="more runs" />
    {onMore ? (
      <button type="button" disabled={loading} onClick={onMore} aria-label={`More runs: ${title.toLowerCase()}`}>
        {loading ? "Loading…" : "More runs"}
      </button>
    ) : null}
  </section>
);

const Summary = ({ version }: { version: DataVersionView }): ReactNode => (
  <section className="card" aria-labelledby="data-version-summary">
    <h2 id="data-version-summary">Summary</h2>
    <dl className="data-version-facts">
      <dt>Hash</dt>
      <dd className="mono">{version.hash}</dd>
      <dt>Kind</dt>
      <dd>{version.is_dir ? "Directory" : "File"}</dd>
      <dt>Size</dt>
      <dd>{version.size === undefined ? "unknown" : formatBytes(version.size)}</dd>
      {version.is_dir ? (
        <>
          <dt>Files</dt>
          <dd>{version.nfiles === undefined ? "unknown" : version.nfiles}</dd>
        </>
      ) : null}
      <dt>Recorded as</dt>
      <dd>{version.names.length === 0 ? <span className="muted">no run recorded it</span> : version.names.map((name) => <code key={name} className="data-version-name">{name}</code>)}</dd>
    </dl>
  </section>
);

/** A data version (/data-versions/:hash): its size and files (paged), the runs that used and produced it, and models. */
const DataVersionPage = ({ hash }: { hash: string }): ReactNode => {
  const paging = usePaging();
  const valid = DATA_VERSION_HASH.test(hash);
  const version = useQuery({
    queryKey: dataVersionKeys.get(hash, paging.pageSize, paging.token),
    queryFn: ({ signal }) => getDataVersion(hash, paging.pageSize, paging.token, signal),
    enabled: valid,
  });
  const data = version.data;
  return (
    <div className="page">
      <PageHeader title={data?.names[0] ? `Data version ${data.names[0]} ${shortHash(hash)}` : `Data version ${shortHash(hash)}`} crumbs={<Link href={PIPELINES_PATH}>Pipelines</Link>} />
      {!valid ? <p role="alert">This address does not name a data version: a hash is 64 lowercase hex digits, with ".dir" for a directory.</p> : null}
      {valid && version.isPending ? <Loading what="the data version" /> : null}
      <ErrorBanner error={version.error} what="the data version" />
      {data ? (
        <>
          <Summary version={data} />
          {data.is_dir ? (
            <section className="card" aria-labelledby="data-version-files">
              <h2 id="data-version-files">Files</h2>
              {data.files_state === "ok" ? (
                <>
                  <table className="data">
                    <caption className="visually-hidden">Files</caption>
                    <thead>
                      <tr>
                        <th scope="col">Path</th>
                        <th scope="col" className="num">
                          Size
                        </th>
                        <th scope="col">sha256</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.files.map((file) => (
                        <tr key={file.relpath}>
                          <th scope="row" className="mono">
                            {file.relpath}
                          </th>
                          <td className="num">{formatBytes(file.size)}</td>
                          <td className="mono" title={file.sha256}>
                            {shortHash(file.sha256)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <Pager paging={paging} nextToken={data.next_page_token} shown={data.files.length} what={["file", "files"]} />
                </>
              ) : (
                <p className="muted">{FILES_NOTE[data.files_state]}</p>
              )}
            </section>
          ) : null}
          <RunsTable id="data-version-produced" title="Produced by" hash={hash} relation="produced" first={data.produced_by} after={data.produced_by_next_page_token} />
          <RunsTable id="data-version-used" title="Used by" hash={hash} relation="used" first={data.used_by} after={data.used_by_next_page_token} />
          <section className="card" aria-labelledby="data-version-models">
            <h2 id="data-version-models">Model versions</h2>
            {data.model_versions.length === 0 ? (
              <p className="muted">No model version's lineage contains this data version.</p>
            ) : (
              <ul aria-label="Model versions whose lineage contains this data version">
                {data.model_versions.map((found) => (
                  <li key={`${found.name}/${found.version}`}>
                    <Link href={versionPath(found.name, found.version)}>
                      {found.name} v{found.version}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
            {data.model_versions_truncated ? <p className="muted">The search for model versions stopped at its bound (10 levels, 500 runs); more may exist.</p> : null}
          </section>
        </>
      ) : null}
    </div>
  );
};

export default DataVersionPage;
