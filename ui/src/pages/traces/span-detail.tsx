import type { ReactNode } from "react";
import { KeyValueTable } from "../run/key-value-table";
import { formatMs } from "./span-timeline";
import type { SpanRow } from "./span-tree";
import { valueText } from "./trace-format";

/** A value longer than this is cut for the page (the span file holds it whole): a browser tab stays responsive. */
export const SHOWN_VALUE_CHARS = 200_000;

/** A JSON value in a preformatted block: the client's data as plain text (React escapes it), never as markup. */
const ValueBlock = ({ value, label, empty }: { value: unknown; label: string; empty: string }): ReactNode => {
  if (value === undefined || value === null) return <p className="muted">{empty}</p>;
  const text = valueText(value);
  const cut = text.length > SHOWN_VALUE_CHARS;
  return (
    <>
      <pre className="span-value" tabIndex={0} aria-label={label}>
        {cut ? text.slice(0, SHOWN_VALUE_CHARS) : text}
      </pre>
      {cut ? <p className="muted">Cut here: {(text.length - SHOWN_VALUE_CHARS).toLocaleString("en")} more characters are in the trace's span file.</p> : null}
    </>
  );
};

/** The chosen span: what and when, its inputs and outputs, its other attributes and its events. */
export const SpanDetail = ({ row, offsetOf }: { row: SpanRow; offsetOf(timeNs: number | undefined): number | undefined }): ReactNode => {
  const { span } = row;
  const attributes = Object.entries(span.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (
    <section className="card span-detail" aria-labelledby="span-detail-heading">
      <h2 id="span-detail-heading">Span {span.name}</h2>
      <dl className="kv">
        <dt>Span ID</dt>
        <dd className="mono">{span.spanId}</dd>
        <dt>Parent</dt>
        <dd className="mono">{span.parentId ?? "— (root)"}</dd>
        <dt>Type</dt>
        <dd>{span.spanType ?? "—"}</dd>
        <dt>Status</dt>
        <dd>
          {span.status.toLowerCase()}
          {span.statusMessage ? `: ${span.statusMessage}` : ""}
        </dd>
        <dt>Start</dt>
        <dd>{formatMs(row.startOffsetMs)} after the trace began</dd>
        <dt>Duration</dt>
        <dd>{formatMs(row.durationMs)}</dd>
      </dl>
      <h3>Inputs</h3>
      <ValueBlock value={span.inputs} label={`Inputs of ${span.name}`} empty="No inputs recorded." />
      <h3>Outputs</h3>
      <ValueBlock value={span.outputs} label={`Outputs of ${span.name}`} empty="No outputs recorded." />
      <h3>Attributes ({attributes.length})</h3>
      <KeyValueTable caption={`Attributes of ${span.name}`} keyHeader="Attribute" rows={attributes.map(([key, value]) => ({ key, value: <span className="span-attribute">{valueText(value, 0)}</span> }))} empty="No other attributes." />
      <h3>Events ({span.events.length})</h3>
      {span.events.length === 0 ? (
        <p className="muted">No events.</p>
      ) : (
        <table className="data">
          <caption className="visually-hidden">Events of {span.name}</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col" className="num">
                At
              </th>
              <th scope="col">Attributes</th>
            </tr>
          </thead>
          <tbody>
            {span.events.map((event, index) => (
              <tr key={index}>
                <th scope="row">{event.name}</th>
                <td className="num mono nowrap">{formatMs(offsetOf(event.timeNs))}</td>
                <td>
                  <pre className="span-value compact">{valueText(event.attributes)}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
};
