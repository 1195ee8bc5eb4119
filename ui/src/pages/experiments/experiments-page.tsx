import { useMemo, type ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { useQueryParam } from "../../url-state";
import { CreateExperiment } from "./create-experiment";
import { EXPERIMENT_VIEW_TYPES, useExperimentsSearch } from "./experiments-query";
import { useDebounced } from "./use-debounced";
import "./experiments.css";

/** The experiments, newest activity first, searchable by name; `q` and `view=active|deleted|all` in the URL. */
const ExperimentsPage = (): ReactNode => {
  const [nameSearch, setNameSearch] = useQueryParam("q");
  const [view, setView] = useQueryParam("view", "active");
  const viewType = EXPERIMENT_VIEW_TYPES[view] ?? "ACTIVE_ONLY";
  const search = useExperimentsSearch(viewType, useDebounced(nameSearch, 250));
  const experiments = useMemo(() => search.data?.pages.flatMap((page) => page.experiments ?? []) ?? [], [search.data]);

  return (
    <div className="page experiments-page">
      <PageHeader title="Experiments" actions={<CreateExperiment />} />
      <div className="toolbar">
        <input
          type="search"
          aria-label="Search experiments by name"
          placeholder="Search by name"
          value={nameSearch}
          onChange={(event) => setNameSearch(event.target.value)}
        />
        <label>
          Show{" "}
          <select value={view} onChange={(event) => setView(event.target.value, { push: true })}>
            <option value="active">Active experiments</option>
            <option value="deleted">Deleted experiments</option>
            <option value="all">All experiments</option>
          </select>
        </label>
      </div>
      <ErrorBanner error={search.error} what="experiments" />
      {search.isPending ? <Loading what="experiments" /> : null}
      {search.data && experiments.length === 0 ? <Empty>{nameSearch ? "No experiment has a matching name." : "No experiments yet."}</Empty> : null}
      {experiments.length > 0 ? (
        <div className="card experiments-card">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ID</th>
                <th scope="col">Created</th>
                <th scope="col">Last updated</th>
                <th scope="col">Tags</th>
              </tr>
            </thead>
            <tbody>
              {experiments.map((experiment) => (
                <tr key={experiment.experiment_id}>
                  <td>
                    <Link href={`/experiments/${encodeURIComponent(experiment.experiment_id)}`}>{experiment.name}</Link>
                    {experiment.lifecycle_stage === "deleted" ? <span className="badge muted">deleted</span> : null}
                  </td>
                  <td className="mono">{experiment.experiment_id}</td>
                  <td>{formatTime(experiment.creation_time)}</td>
                  <td>{formatTime(experiment.last_update_time)}</td>
                  <td className="experiment-tags">
                    {(experiment.tags ?? [])
                      .filter((tag) => !tag.key.startsWith("mlflow."))
                      .map((tag) => (
                        <span key={tag.key} className="badge muted">
                          {tag.key}: {tag.value}
                        </span>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {search.hasNextPage ? (
            <button type="button" onClick={() => void search.fetchNextPage()} disabled={search.isFetchingNextPage}>
              {search.isFetchingNextPage ? "Loading…" : "Load more experiments"}
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
};

export default ExperimentsPage;
