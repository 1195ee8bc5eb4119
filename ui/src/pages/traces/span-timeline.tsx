import type { ReactNode } from "react";
import { barPlacement, type SpanTree } from "./span-tree";

/** Offsets and durations in milliseconds with up to three decimals (microseconds), as a reader compares them. */
export const formatMs = (ms: number | undefined): string => (ms === undefined ? "—" : `${Number(ms.toFixed(3)).toLocaleString("en", { maximumFractionDigits: 3 })} ms`);

/**
 * The span tree and the timeline in one table: each row a span, indented under its parent, with its start offset,
 * its duration and a bar placed on the trace's time axis. Choosing a span's name shows its details.
 */
export const SpanTimeline = ({ tree, selectedId, onSelect }: { tree: SpanTree; selectedId: string | undefined; onSelect(spanId: string): void }): ReactNode => (
  <div className="table-scroll span-scroll" role="region" aria-label="Span tree and timeline" tabIndex={0}>
    <table className="data span-table">
      <caption className="visually-hidden">Spans of the trace, nested by parent, with their place on the timeline</caption>
      <thead>
        <tr>
          <th scope="col">Span</th>
          <th scope="col">Type</th>
          <th scope="col" className="num">
            Start
          </th>
          <th scope="col" className="num">
            Duration
          </th>
          <th scope="col" className="timeline-col">
            Timeline (0 – {formatMs(tree.totalMs)})
          </th>
        </tr>
      </thead>
      <tbody>
        {tree.rows.map((row) => {
          const { leftPercent, widthPercent } = barPlacement(row, tree.totalMs);
          const selected = row.span.spanId === selectedId;
          return (
            <tr key={row.span.spanId} className={selected ? "selected" : undefined} data-depth={row.depth}>
              <td className="span-name-cell">
                <span className="span-indent" style={{ width: Math.min(row.depth, 24) * 16 }} aria-hidden="true" />
                <span className="visually-hidden">Level {row.depth + 1}: </span>
                <button type="button" className="span-name" aria-pressed={selected} onClick={() => onSelect(row.span.spanId)}>
                  {row.span.name || row.span.spanId}
                </button>
                {row.span.status === "ERROR" ? <span className="badge danger">error</span> : null}
              </td>
              <td>{row.span.spanType ?? "—"}</td>
              <td className="num mono nowrap">{formatMs(row.startOffsetMs)}</td>
              <td className="num mono nowrap">{formatMs(row.durationMs)}</td>
              <td className="timeline-col">
                <div className="timeline-track" aria-hidden="true">
                  <div
                    className={row.span.status === "ERROR" ? "timeline-bar error" : "timeline-bar"}
                    data-left={leftPercent.toFixed(2)}
                    data-width={widthPercent.toFixed(2)}
                    style={{ left: `${leftPercent}%`, width: `${widthPercent}%` }}
                  />
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  </div>
);
