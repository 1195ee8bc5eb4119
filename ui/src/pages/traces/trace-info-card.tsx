import type { ReactNode } from "react";
import { formatDuration, formatTime } from "../../format";
import { KeyValueTable } from "../run/key-value-table";
import { durationMs, timestampMs, userTags } from "./trace-format";
import { TraceStateBadge } from "./trace-state-badge";
import type { TraceInfoV3 } from "./trace-wire";

/** The trace's header: ids, state, timing, the request and response as the client previewed them, tags, metadata. */
export const TraceInfoCard = ({ trace }: { trace: TraceInfoV3 }): ReactNode => {
  const tags = userTags(trace.tags);
  const systemTags = Object.entries(trace.tags ?? {}).filter(([key]) => key.startsWith("mlflow.")).sort(([a], [b]) => (a < b ? -1 : 1));
  const metadata = Object.entries(trace.trace_metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    <div className="grid-2">
      <section className="card" aria-labelledby="trace-info-heading">
        <h2 id="trace-info-heading">Trace</h2>
        <dl className="kv">
          <dt>Trace ID</dt>
          <dd className="mono">{trace.trace_id}</dd>
          <dt>State</dt>
          <dd>
            <TraceStateBadge state={trace.state} />
          </dd>
          <dt>Request time</dt>
          <dd>{formatTime(timestampMs(trace.request_time))}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(durationMs(trace.execution_duration))}</dd>
          {trace.client_request_id ? (
            <>
              <dt>Client request ID</dt>
              <dd className="mono">{trace.client_request_id}</dd>
            </>
          ) : null}
        </dl>
        <h3>Request</h3>
        <pre className="span-value" tabIndex={0} aria-label="Request preview">
          {trace.request_preview || "—"}
        </pre>
        <h3>Response</h3>
        <pre className="span-value" tabIndex={0} aria-label="Response preview">
          {trace.response_preview || "—"}
        </pre>
      </section>
      <section className="card" aria-labelledby="trace-tags-heading">
        <h2 id="trace-tags-heading">Tags ({tags.length})</h2>
        <KeyValueTable caption="Trace tags" keyHeader="Tag" rows={tags.map(([key, value]) => ({ key, value }))} empty="No tags of its own." />
        {systemTags.length > 0 ? (
          <details className="system-tags">
            <summary>System tags ({systemTags.length})</summary>
            <KeyValueTable caption="System tags" keyHeader="Tag" rows={systemTags.map(([key, value]) => ({ key, value }))} empty="" />
          </details>
        ) : null}
        <details className="system-tags">
          <summary>Metadata ({metadata.length})</summary>
          <KeyValueTable caption="Trace metadata" keyHeader="Key" rows={metadata.map(([key, value]) => ({ key, value: <span className="span-attribute">{value}</span> }))} empty="No metadata." />
        </details>
      </section>
    </div>
  );
};
