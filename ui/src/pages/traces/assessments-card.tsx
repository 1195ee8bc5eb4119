import type { ReactNode } from "react";
import { formatTime } from "../../format";
import { assessmentKind, assessmentValue, timestampMs } from "./trace-format";
import type { Assessment } from "./trace-wire";

/** The trace's assessments (feedback and expectations), overridden ones marked; a span's links to that span. */
export const AssessmentsCard = ({ assessments, spanName, onSelectSpan }: { assessments: readonly Assessment[]; spanName(spanId: string): string | undefined; onSelectSpan(spanId: string): void }): ReactNode => (
  <section className="card" aria-labelledby="assessments-heading">
    <h2 id="assessments-heading">Assessments ({assessments.length})</h2>
    {assessments.length === 0 ? (
      <p className="muted">No feedback or expectations on this trace.</p>
    ) : (
      <table className="data">
        <caption className="visually-hidden">Assessments of the trace</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Value</th>
            <th scope="col">Rationale</th>
            <th scope="col">Source</th>
            <th scope="col">Span</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {assessments.map((assessment, index) => (
            <tr key={assessment.assessment_id ?? index}>
              <th scope="row">
                {assessment.assessment_name ?? "—"}
                {assessment.valid === false ? <span className="badge muted">overridden</span> : null}
              </th>
              <td>{assessmentKind(assessment)}</td>
              <td className="mono assessment-value">{assessmentValue(assessment)}</td>
              <td className="assessment-value">{assessment.rationale ?? "—"}</td>
              <td>
                {assessment.source?.source_type?.toLowerCase().replace("_", " ") ?? "—"}
                {assessment.source?.source_id ? ` (${assessment.source.source_id})` : ""}
              </td>
              <td>
                {assessment.span_id ? (
                  <button type="button" className="link-button" aria-label={`Show span ${spanName(assessment.span_id) ?? assessment.span_id}`} onClick={() => onSelectSpan(assessment.span_id ?? "")}>
                    {spanName(assessment.span_id) ?? assessment.span_id}
                  </button>
                ) : (
                  "whole trace"
                )}
              </td>
              <td className="nowrap">{formatTime(timestampMs(assessment.create_time))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);
