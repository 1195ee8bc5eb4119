import { useInfiniteQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import type { RegisteredModel } from "../../api/entities";
import { PageHeader } from "../../components/page";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { ModelAliasBadges } from "./alias-badges";
import { compareVersionsDescending } from "./alias-grouping";
import { modelPath, versionPath } from "./paths";
import { registryKeys, searchModels } from "./registry-api";
import { excerpt } from "./text";
import { useSearchBox } from "./use-search-box";
import "./models.css";

const LatestVersions = ({ model }: { model: RegisteredModel }): ReactNode => {
  // MLflow returns the latest version per stage; the same version can't repeat, but show newest first.
  const versions = [...model.latest_versions].sort((a, b) => compareVersionsDescending(a.version, b.version));
  if (versions.length === 0) return <span className="muted">—</span>;
  return (
    <span className="alias-badges">
      {versions.map((version) => (
        <Link key={version.version} href={versionPath(model.name, version.version)} title={`Latest in stage ${version.current_stage}`}>
          v{version.version}
          {version.current_stage !== "None" ? ` (${version.current_stage})` : ""}
        </Link>
      ))}
    </span>
  );
};

const ModelsTable = ({ models }: { models: readonly RegisteredModel[] }): ReactNode => (
  <table className="data">
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col">Latest versions</th>
        <th scope="col">Aliases</th>
        <th scope="col">Last modified</th>
        <th scope="col">Description</th>
      </tr>
    </thead>
    <tbody>
      {models.map((model) => (
        <tr key={model.name}>
          <td>
            <Link href={modelPath(model.name)}>{model.name}</Link>
          </td>
          <td>
            <LatestVersions model={model} />
          </td>
          <td>
            <ModelAliasBadges name={model.name} aliases={model.aliases} />
          </td>
          <td>{formatTime(model.last_updated_timestamp)}</td>
          <td className="description-excerpt" title={model.description}>
            {excerpt(model.description)}
          </td>
        </tr>
      ))}
    </tbody>
  </table>
);

/**
 * Registered models, a page of 100 at a time (more on demand), searched by name. The search text is the URL's `q`,
 * and the server is asked once the typing pauses.
 */
const ModelsPage = (): ReactNode => {
  const { search, typed, onType } = useSearchBox("q");
  const query = useInfiniteQuery({
    queryKey: registryKeys.models(search),
    queryFn: ({ pageParam, signal }) => searchModels(search, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextPageToken,
  });
  const models = query.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="page">
      <PageHeader title="Models" />
      <div className="toolbar" role="search">
        <label htmlFor="models-search" className="visually-hidden">
          Search models by name
        </label>
        <input
          id="models-search"
          className="models-search"
          type="search"
          placeholder="Search models by name"
          value={typed}
          onChange={(event) => onType(event.target.value)}
        />
        {query.data ? (
          <span className="muted" aria-live="polite">
            {models.length}
            {query.hasNextPage ? "+" : ""} {models.length === 1 ? "model" : "models"}
          </span>
        ) : null}
      </div>
      <ErrorBanner error={query.error} what="the registered models" />
      {query.isPending ? <Loading what="models" /> : null}
      {query.data && models.length === 0 ? (
        <Empty>{search ? `No model's name contains “${search}”.` : "No registered models yet. Register one from a run with the MLflow client, the SDK or `cairn models register`."}</Empty>
      ) : null}
      {models.length > 0 ? <ModelsTable models={models} /> : null}
      {query.hasNextPage ? (
        <button type="button" className="load-more" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? "Loading…" : "Load more models"}
        </button>
      ) : null}
    </div>
  );
};

export default ModelsPage;
