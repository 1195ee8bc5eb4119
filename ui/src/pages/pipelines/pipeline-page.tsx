import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { ApiError } from "../../api/http";
import { PageHeader } from "../../components/page";
import { ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { dataVersionPath, shortHash } from "../data-versions/data-version-paths";
import { experimentPath, runPath } from "../experiment/experiment-paths";
import { StatusBadge } from "../run/status-badge";
import { useRun } from "../run/use-run";
import { PipelineDag, STATE_LABEL } from "./pipeline-dag";
import { PIPELINES_PATH } from "./pipeline-paths";
import type { PathVersion, PipelineSummary } from "./pipeline-summary";
import { fetchPipelineSummary, PIPELINE_SUMMARY_ARTIFACT, pipelineKeys } from "./pipelines-api";
import "./pipelines.css";

const STATE_BADGE = { ran: "badge ok", cached: "badge", skipped: "badge muted", failed: "badge danger" } as const;

const Paths = ({ versions }: { versions: readonly PathVersion[] }): ReactNode =>
  versions.length === 0 ? (
    <span className="muted">—</span>
  ) : (
    <ul className="stage-paths">
      {versions.map((version) => (
        <li key={`${version.path}@${version.hash}`}>
          <span className="mono">{version.path}</span>{" "}
          <Link href={dataVersionPath(version.hash)} aria-label={`Data version ${version.path} ${shortHash(version.hash)}`}>
            {shortHash(version.hash)}
          </Link>
        </li>
      ))}
    </ul>
  );

const StagesTable = ({ summary, experimentId }: { summary: PipelineSummary; experimentId: string }): ReactNode => (
  <table className="data">
    <caption className="visually-hidden">Stages</caption>
    <thead>
      <tr>
        <th scope="col">Stage</th>
        <th scope="col">State</th>
        <th scope="col">Run</th>
        <th scope="col">Command</th>
        <th scope="col">Dependencies</th>
        <th scope="col">Outputs</th>
      </tr>
    </thead>
    <tbody>
      {summary.stages.map((stage) => (
        <tr key={stage.name}>
          <th scope="row">{stage.name}</th>
          <td>
            <span className={STATE_BADGE[stage.state]} title={STATE_LABEL[stage.state]}>
              {stage.state}
            </span>
          </td>
          <td>{stage.runId === undefined ? <span className="muted">none</span> : <Link href={runPath(experimentId, stage.runId)}>{shortHash(stage.runId)}</Link>}</td>
          <td className="mono">{stage.cmd}</td>
          <td>
            <Paths versions={stage.deps} />
          </td>
          <td>
            <Paths versions={stage.outs} />
          </td>
        </tr>
      ))}
    </tbody>
  </table>
);

const isMissing = (error: unknown): boolean => error instanceof ApiError && error.status === 404;

/** One pipeline run: its DAG with each stage's state and run (from the parent run's cairn-pipeline.json). */
const PipelinePage = ({ runId }: { runId: string }): ReactNode => {
  const run = useRun(runId);
  const summary = useQuery({
    queryKey: pipelineKeys.summary(runId),
    queryFn: ({ signal }) => fetchPipelineSummary(run.data!, signal),
    enabled: run.data !== undefined,
    // Written when the pipeline ends: asked again while the parent run is still running.
    refetchInterval: run.data?.info.status === "RUNNING" ? 4000 : false,
  });
  const info = run.data?.info;
  const title = `Pipeline ${info?.run_name || runId}`;
  return (
    <div className="page">
      <PageHeader
        title={title}
        crumbs={
          <>
            <Link href={PIPELINES_PATH}>Pipelines</Link>
            {info ? (
              <>
                {" / "}
                <Link href={experimentPath(info.experiment_id)}>Experiment {info.experiment_id}</Link>
              </>
            ) : null}
          </>
        }
      />
      {run.isPending ? <Loading what="the pipeline run" /> : null}
      <ErrorBanner error={run.error} what="the pipeline run" />
      {info ? (
        <section className="card" aria-labelledby="pipeline-run-heading">
          <h2 id="pipeline-run-heading">Run</h2>
          <p className="pipeline-run-facts">
            <StatusBadge status={info.status} /> started {formatTime(info.start_time)} · <Link href={runPath(info.experiment_id, info.run_id)}>parent run</Link>
            {summary.data ? (
              <>
                {" · "}
                <span className="mono">{summary.data.pipelineFile}</span>
                {summary.data.gitCommit ? (
                  <>
                    {" at commit "}
                    <span className="mono">{summary.data.gitCommit.slice(0, 12)}</span>
                  </>
                ) : null}
              </>
            ) : null}
          </p>
        </section>
      ) : null}
      {run.data && summary.isPending ? <Loading what="the pipeline's stages" /> : null}
      {summary.error && isMissing(summary.error) ? (
        <p className="muted">
          This run has no {PIPELINE_SUMMARY_ARTIFACT} yet: it is written when the pipeline ends.
        </p>
      ) : (
        <ErrorBanner error={summary.error} what="the pipeline's stages" />
      )}
      {summary.data && info ? (
        <>
          <section className="card" aria-labelledby="pipeline-dag-heading">
            <h2 id="pipeline-dag-heading">Stages</h2>
            <PipelineDag summary={summary.data} experimentId={info.experiment_id} />
          </section>
          <section className="card" aria-labelledby="pipeline-stages-heading">
            <h2 id="pipeline-stages-heading">Stage details</h2>
            <StagesTable summary={summary.data} experimentId={info.experiment_id} />
          </section>
        </>
      ) : null}
    </div>
  );
};

export default PipelinePage;
