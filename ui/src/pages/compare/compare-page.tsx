import type { ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useQueryList } from "../../url-state";
import { ExperimentCrumbs } from "../experiment/experiment-crumbs";
import { CompareCharts } from "./compare-charts";
import { DiffTable } from "./diff-table";
import { ParallelCoordinates } from "./parallel-coordinates";
import { ScatterPlot } from "./scatter-plot";
import { useComparedRuns } from "./use-runs";
import "../../charts/charts.css";
import "./compare.css";

/** Several runs side by side (`/compare?run=A&run=B`): overlaid metric charts, a diff table, parallel coordinates, a scatter plot. */
const ComparePage = (): ReactNode => {
  const [runIds] = useQueryList("run");
  const { runs, pending, errors } = useComparedRuns(runIds);
  const experimentIds = [...new Set(runs.map((run) => run.info.experiment_id))];
  // Runs of one experiment: the crumbs name it ("Experiments / churn-model / Compare").
  const experimentId = experimentIds.length === 1 ? experimentIds[0] : undefined;
  const crumbs =
    experimentId !== undefined ? (
      <ExperimentCrumbs experimentId={experimentId}>Compare</ExperimentCrumbs>
    ) : (
      <>
        <Link href="/experiments">Experiments</Link> / Compare
      </>
    );
  const title = `Compare ${runIds.length} run${runIds.length === 1 ? "" : "s"}`;
  if (runIds.length === 0) {
    return (
      <div className="page">
        <PageHeader title="Compare runs" crumbs={crumbs} />
        <Empty>
          No runs chosen. Select runs in an <Link href="/experiments">experiment</Link>&apos;s table and press Compare.
        </Empty>
      </div>
    );
  }
  return (
    <div className="page compare-page">
      <PageHeader title={title} crumbs={crumbs} />
      {errors.map(({ runId, error }) => (
        <ErrorBanner key={runId} error={error} what={`run ${runId}`} />
      ))}
      {pending ? (
        <Loading what="the runs" />
      ) : runs.length === 0 ? null : (
        <>
          <CompareCharts runs={runs} />
          <DiffTable runs={runs} />
          <div className="grid-2 compare-plots">
            <ParallelCoordinates runs={runs} />
            <ScatterPlot runs={runs} />
          </div>
        </>
      )}
    </div>
  );
};

export default ComparePage;
