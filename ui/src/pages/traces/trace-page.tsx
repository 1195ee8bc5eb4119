import { useQuery } from "@tanstack/react-query";
import { useMemo, type ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { ErrorBanner, Loading } from "../../components/status";
import { useQueryParam } from "../../url-state";
import { ExperimentCrumbs } from "../experiment/experiment-crumbs";
import { tracesPath } from "../experiment/experiment-paths";
import { AssessmentsCard } from "./assessments-card";
import { SpanDetail } from "./span-detail";
import { SpanTimeline } from "./span-timeline";
import { buildSpanTree, offsetMs } from "./span-tree";
import { fetchTraceSpans, getTraceInfo, traceKeys } from "./trace-api";
import { TraceInfoCard } from "./trace-info-card";
import { TraceStateBadge } from "./trace-state-badge";
import type { TraceInfoV3 } from "./trace-wire";
import "../run/run.css";
import "../logged-models/logged-models.css";
import "./traces.css";

/** The spans part: tree and timeline, then the span chosen in the URL (`span=<id>`; the first span by default). */
const Spans = ({ trace }: { trace: TraceInfoV3 }): ReactNode => {
  const spans = useQuery({ queryKey: traceKeys.spans(trace.trace_id), queryFn: ({ signal }) => fetchTraceSpans(trace, signal), staleTime: Infinity });
  const tree = useMemo(() => (spans.data ? buildSpanTree(spans.data.spans) : undefined), [spans.data]);
  const [chosen, setChosen] = useQueryParam("span");
  const selected = tree?.rows.find((row) => row.span.spanId === chosen) ?? tree?.rows[0];
  const select = (spanId: string): void => setChosen(spanId, { push: true });
  const spanName = (spanId: string): string | undefined => tree?.rows.find((row) => row.span.spanId === spanId)?.span.name;
  return (
    <>
      <section className="card" aria-labelledby="spans-heading">
        <h2 id="spans-heading">Spans{tree ? ` (${tree.rows.length})` : ""}</h2>
        <ErrorBanner error={spans.error} what="the spans" />
        {spans.isPending ? <Loading what="the spans" /> : null}
        {spans.data && spans.data.skipped > 0 ? <p className="muted">{spans.data.skipped} entries of the span file were left out (not spans, or too many).</p> : null}
        {tree && tree.rows.length === 0 ? <p className="muted">This trace has no spans.</p> : null}
        {tree && tree.rows.length > 0 ? <SpanTimeline tree={tree} selectedId={selected?.span.spanId} onSelect={select} /> : null}
      </section>
      {tree && selected ? <SpanDetail row={selected} offsetOf={(timeNs) => offsetMs(tree, timeNs)} /> : null}
      <AssessmentsCard assessments={trace.assessments ?? []} spanName={spanName} onSelectSpan={select} />
    </>
  );
};

/** One trace: its header, the span tree with the timeline, the chosen span's data, and the assessments. */
const TracePage = ({ experimentId, traceId }: { experimentId: string; traceId: string }): ReactNode => {
  const trace = useQuery({ queryKey: traceKeys.info(traceId), queryFn: ({ signal }) => getTraceInfo(traceId, signal) });
  const crumbs = (
    <ExperimentCrumbs experimentId={experimentId}>
      <Link href={tracesPath(experimentId)}>Traces</Link> / {traceId}
    </ExperimentCrumbs>
  );
  return (
    <div className="page run-page trace-page">
      <PageHeader title={`Trace ${traceId}`} crumbs={crumbs} actions={trace.data ? <TraceStateBadge state={trace.data.state} /> : null} />
      <ErrorBanner error={trace.error} what={`trace ${traceId}`} />
      {trace.isPending ? <Loading what="the trace" /> : null}
      {trace.data ? (
        <>
          <TraceInfoCard trace={trace.data} />
          <Spans trace={trace.data} />
        </>
      ) : null}
    </div>
  );
};

export default TracePage;
