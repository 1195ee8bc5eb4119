import type { ReactNode } from "react";
import { PageHeader } from "../../components/page";
import { ErrorBanner, Loading } from "../../components/status";
import { ExperimentCrumbs } from "../experiment/experiment-crumbs";
import { useQueryParam } from "../../url-state";
import { ArtifactsTab } from "./artifacts/artifacts-tab";
import { MetricsTab } from "./metrics-tab";
import { OverviewTab } from "./overview-tab";
import { RunTabs, parseRunTab } from "./run-tabs";
import { StatusBadge } from "./status-badge";
import { isLive, useRun } from "./use-run";
import "./run.css";

/** One run: overview, metric charts and artifacts, in tabs kept in the URL (`tab=`). Polled while it runs. */
const RunPage = ({ experimentId, runId }: { experimentId: string; runId: string }): ReactNode => {
  const { data: run, error, isPending, dataUpdatedAt } = useRun(runId);
  const [rawTab, setTab] = useQueryParam("tab", "overview");
  const tab = parseRunTab(rawTab);
  const experimentPath = `/experiments/${encodeURIComponent(experimentId)}`;
  const runPath = `${experimentPath}/runs/${encodeURIComponent(runId)}`;
  // The last crumb is the run's own name ("Experiments / <experiment> / <run>"), its id until the run loads.
  const crumbs = <ExperimentCrumbs experimentId={experimentId}>{run ? run.info.run_name || run.info.run_id : runId}</ExperimentCrumbs>;
  if (error) {
    return (
      <div className="page">
        <PageHeader title="Run" crumbs={crumbs} />
        <ErrorBanner error={error} what={`run ${runId}`} />
      </div>
    );
  }
  if (isPending) {
    return (
      <div className="page">
        <PageHeader title="Run" crumbs={crumbs} />
        <Loading what="the run" />
      </div>
    );
  }
  return (
    <div className="page run-page">
      <PageHeader
        title={run.info.run_name || run.info.run_id}
        crumbs={crumbs}
        actions={
          <>
            <StatusBadge status={run.info.status} />
            {isLive(run) ? (
              <span className="muted live-note" role="status">
                Live: updating every few seconds
              </span>
            ) : null}
          </>
        }
      />
      <RunTabs current={tab} onChange={(next) => setTab(next, { push: true })} />
      <div id="run-tab-panel" role="tabpanel" aria-labelledby={`run-tab-${tab}`}>
        {tab === "overview" ? <OverviewTab run={run} runPath={runPath} fetchedAt={dataUpdatedAt} /> : tab === "metrics" ? <MetricsTab run={run} /> : <ArtifactsTab run={run} />}
      </div>
    </div>
  );
};

export default RunPage;
