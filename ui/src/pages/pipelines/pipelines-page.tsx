import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { Pager, usePaging } from "../../components/pager";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { StatusBadge } from "../run/status-badge";
import { experimentPath } from "../experiment/experiment-paths";
import { MAX_EXPERIMENTS, PIPELINE_FILE_TAG, pipelineKeys, searchPipelineRuns, tagOf } from "./pipelines-api";
import { pipelinePath } from "./pipeline-paths";
import "./pipelines.css";

const NoPipelines = (): ReactNode => (
  <Empty>
    <p>No pipeline runs yet. Each `cairn repro` that runs a stage records one parent run here, with a run per stage:</p>
    <pre className="command">cairn init && cairn repro</pre>
  </Empty>
);

/** Every pipeline parent run (tag cairn.pipeline = "true") of the active experiments, newest first, paged. */
const PipelinesPage = (): ReactNode => {
  const paging = usePaging();
  const page = useQuery({
    queryKey: pipelineKeys.list(paging.pageSize, paging.token),
    queryFn: ({ signal }) => searchPipelineRuns(paging.pageSize, paging.token, signal),
  });
  return (
    <div className="page">
      <PageHeader title="Pipelines" />
      {page.isPending ? <Loading what="pipelines" /> : null}
      <ErrorBanner error={page.error} what="the pipelines" />
      {page.data?.experimentsCut ? (
        <p className="muted">Only the pipelines of the first {MAX_EXPERIMENTS} active experiments are listed.</p>
      ) : null}
      {page.data && page.data.runs.length === 0 && paging.pageNumber === 1 ? <NoPipelines /> : null}
      {page.data && (page.data.runs.length > 0 || paging.pageNumber > 1) ? (
        <>
          <table className="data">
            <caption className="visually-hidden">Pipeline runs</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Pipeline file</th>
                <th scope="col">Experiment</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {page.data.runs.map((run) => (
                <tr key={run.info.run_id}>
                  <th scope="row">
                    <Link href={pipelinePath(run.info.run_id)}>{run.info.run_name || run.info.run_id}</Link>
                  </th>
                  <td className="mono">{tagOf(run, PIPELINE_FILE_TAG) ?? "—"}</td>
                  <td>
                    <Link href={experimentPath(run.info.experiment_id)}>{page.data.experimentNames.get(run.info.experiment_id) ?? run.info.experiment_id}</Link>
                  </td>
                  <td>
                    <StatusBadge status={run.info.status} />
                  </td>
                  <td>{formatTime(run.info.start_time)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager paging={paging} nextToken={page.data.nextPageToken} shown={page.data.runs.length} what={["pipeline run", "pipeline runs"]} />
        </>
      ) : null}
    </div>
  );
};

export default PipelinesPage;
