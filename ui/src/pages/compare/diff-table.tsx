import { useMemo, type ReactNode } from "react";
import { Link } from "wouter";
import type { Run } from "../../api/entities";
import { runLabel } from "../../charts/metric-history-chart";
import { useQueryFlag } from "../../url-state";
import { runPath } from "../experiment/experiment-paths";
import { diffRows, type DiffRow } from "./diff";
import { formatFieldValue } from "./format-value";

const pathOf = (run: Run): string => runPath(run.info.experiment_id, run.info.run_id);

const RowGroup = ({ title, rows, runCount }: { title: string; rows: readonly DiffRow[]; runCount: number }): ReactNode => (
  <tbody>
    <tr className="diff-group">
      <th scope="rowgroup" colSpan={runCount + 1}>
        {title} ({rows.length})
      </th>
    </tr>
    {rows.map((row) => (
      <tr key={row.field} className={row.differs ? "differs" : undefined}>
        <th scope="row" className="mono">
          {row.key}
          {row.differs ? <span className="visually-hidden"> (differs)</span> : null}
        </th>
        {row.values.map((value, index) => (
          <td key={index} className={row.differs ? "mono differs" : "mono"}>
            {formatFieldValue(value)}
          </td>
        ))}
      </tr>
    ))}
  </tbody>
);

/** Params and latest metrics, one column per run; rows whose values differ are highlighted (td.differs). */
export const DiffTable = ({ runs }: { runs: readonly Run[] }): ReactNode => {
  const [onlyDifferences, setOnlyDifferences] = useQueryFlag("diffs");
  const rows = useMemo(() => diffRows(runs), [runs]);
  const shown = onlyDifferences ? rows.filter((row) => row.differs) : rows;
  const params = shown.filter((row) => row.kind === "param");
  const metrics = shown.filter((row) => row.kind === "metric");
  const differing = rows.filter((row) => row.differs).length;
  return (
    <section className="card" aria-labelledby="diff-heading">
      <div className="page-title-row">
        <h2 id="diff-heading">Params and metrics</h2>
        <label className="diff-toggle">
          <input type="checkbox" checked={onlyDifferences} onChange={(event) => setOnlyDifferences(event.target.checked)} />
          Only differences
        </label>
      </div>
      <p className="muted">
        {differing} of {rows.length} rows differ.
      </p>
      <div className="diff-scroll">
        <table className="data diff-table">
          <caption className="visually-hidden">Params and latest metrics of the compared runs; highlighted rows differ</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              {runs.map((run) => (
                <th key={run.info.run_id} scope="col">
                  <Link href={pathOf(run)}>{runLabel(run)}</Link>
                </th>
              ))}
            </tr>
          </thead>
          {params.length > 0 ? <RowGroup title="Params" rows={params} runCount={runs.length} /> : null}
          {metrics.length > 0 ? <RowGroup title="Metrics" rows={metrics} runCount={runs.length} /> : null}
        </table>
      </div>
      {shown.length === 0 ? <p className="muted">{onlyDifferences ? "The runs agree on every param and metric." : "The runs have no params or metrics."}</p> : null}
    </section>
  );
};
