import type { ReactNode } from "react";
import { Link } from "wouter";
import { SortHeader } from "../../components/column-sort";
import { clip, formatDuration, formatTime } from "../../format";
import { tracePath } from "../experiment/experiment-paths";
import { assessmentSummary, durationMs, timestampMs, userTags, validAssessments } from "./trace-format";
import type { TraceSort } from "./trace-sort";
import { TraceStateBadge } from "./trace-state-badge";
import type { TraceInfoV3 } from "./trace-wire";

/** Previews are cut here for the table; the trace page shows them whole. */
export const PREVIEW_CHARS = 120;

/** One page of an experiment's traces. Previews and tags are the client's text, shown as text. */
export const TracesTable = ({ experimentId, traces, sort, onSort }: { experimentId: string; traces: readonly TraceInfoV3[]; sort: TraceSort; onSort(column: TraceSort["column"]): void }): ReactNode => (
  <div className="table-scroll" role="region" aria-label="Traces" tabIndex={0}>
    <table className="data traces-table">
      <thead>
        <tr>
          <th scope="col">Trace</th>
          <th scope="col">Request</th>
          <th scope="col">Response</th>
          <th scope="col">State</th>
          <SortHeader column="execution_time_ms" label="Duration" sort={sort} onSort={onSort} numeric />
          <SortHeader column="timestamp_ms" label="Request time" sort={sort} onSort={onSort} />
          <th scope="col">Tags</th>
          <th scope="col">Assessments</th>
        </tr>
      </thead>
      <tbody>
        {traces.map((trace) => {
          const tags = userTags(trace.tags);
          const assessments = validAssessments(trace);
          return (
            <tr key={trace.trace_id}>
              <td className="mono nowrap">
                <Link href={tracePath(experimentId, trace.trace_id)}>{trace.trace_id}</Link>
              </td>
              <td className="mono preview-cell">{clip(trace.request_preview, PREVIEW_CHARS)}</td>
              <td className="mono preview-cell">{clip(trace.response_preview, PREVIEW_CHARS)}</td>
              <td>
                <TraceStateBadge state={trace.state} />
              </td>
              <td className="num nowrap">{formatDuration(durationMs(trace.execution_duration))}</td>
              <td className="nowrap">{formatTime(timestampMs(trace.request_time))}</td>
              <td className="mono tag-cell">{tags.length > 0 ? clip(tags.map(([key, value]) => `${key}=${value}`).join(", "), 200) : <span className="muted">—</span>}</td>
              <td className="tag-cell">{assessments.length > 0 ? `${assessments.length}: ${clip(assessmentSummary(trace), PREVIEW_CHARS)}` : <span className="muted">—</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  </div>
);
