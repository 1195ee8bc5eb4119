import { useMemo, useState, type ReactNode } from "react";
import type { Run } from "../../api/entities";
import { runLabel } from "../../charts/metric-history-chart";
import { seriesColor } from "../../charts/palette";
import { useQueryList } from "../../url-state";
import { diffRows } from "./diff";
import { FieldChooser } from "./field-chooser";
import { formatFieldValue } from "./format-value";
import { axisY, parallelAxes, parallelLines, type PlotBox } from "./parallel-layout";
import { allFields, fieldValue } from "./run-fields";

// About the size it is shown at in half a page, so that its text reads at the page's size.
const BOX: PlotBox = { width: 640, height: 340, left: 70, right: 56, top: 44, bottom: 16 };
const DEFAULT_DIMENSIONS = 8;
/** Beyond this many categories an axis labels only some of them. */
const MAX_CATEGORY_LABELS = 12;

/** Params that differ, then every metric: the dimensions worth seeing when none are chosen. */
const defaultDimensions = (runs: readonly Run[]): string[] => {
  const rows = diffRows(runs);
  const params = rows.filter((row) => row.kind === "param" && row.differs).map((row) => row.field);
  const metrics = rows.filter((row) => row.kind === "metric").map((row) => row.field);
  return [...params, ...metrics].slice(0, DEFAULT_DIMENSIONS);
};

const shortName = (field: string): string => field.replace(/^(params|metrics)\./, "");

/** One axis per chosen param or metric (`pc=` in the URL), one line per run; hovering or focusing a run brings it forward. */
export const ParallelCoordinates = ({ runs }: { runs: readonly Run[] }): ReactNode => {
  const [chosen, setChosen] = useQueryList("pc");
  const [hovered, setHovered] = useState<string | undefined>(undefined);
  const fields = useMemo(() => allFields(runs), [runs]);
  const dimensions = useMemo(() => (chosen.length > 0 ? chosen.filter((field) => (fields as readonly string[]).includes(field)) : defaultDimensions(runs)), [chosen, fields, runs]);
  const axes = useMemo(() => parallelAxes(runs, dimensions, BOX), [runs, dimensions]);
  const lines = useMemo(() => parallelLines(runs, axes, BOX), [runs, axes]);
  return (
    <section className="card" aria-labelledby="parallel-heading">
      <div className="page-title-row">
        <h2 id="parallel-heading">Parallel coordinates</h2>
        <FieldChooser label="Axes" fields={fields} chosen={dimensions} onChange={setChosen} />
      </div>
      {dimensions.length === 0 ? (
        <p className="muted">Choose params or metrics to draw as axes.</p>
      ) : (
        <>
          <svg
            className="parallel-plot"
            viewBox={`0 0 ${BOX.width} ${BOX.height}`}
            role="img"
            aria-label={`Parallel coordinates of ${runs.length} runs over ${dimensions.map(shortName).join(", ")}; the table below lists the values`}
            onMouseLeave={() => setHovered(undefined)}
          >
            {axes.map((axis) => {
              const every = axis.scale.ticks.length > MAX_CATEGORY_LABELS ? Math.ceil(axis.scale.ticks.length / MAX_CATEGORY_LABELS) : 1;
              return (
                <g key={axis.field} className="pc-axis">
                  <line x1={axis.x} x2={axis.x} y1={BOX.top} y2={BOX.height - BOX.bottom} />
                  <text x={axis.x} y={BOX.top - 24} textAnchor="middle" className="pc-axis-title">
                    {shortName(axis.field)}
                  </text>
                  <text x={axis.x} y={BOX.top - 10} textAnchor="middle" className="pc-axis-kind">
                    {axis.field.startsWith("params.") ? "param" : "metric"}
                  </text>
                  {axis.scale.ticks
                    .filter((_tick, index) => index % every === 0)
                    .map((tick) => (
                      <text key={tick.label} x={axis.x - 6} y={axisY(BOX, tick.at) + 4} textAnchor="end" className="pc-tick">
                        {tick.label.length > 14 ? `${tick.label.slice(0, 13)}…` : tick.label}
                      </text>
                    ))}
                </g>
              );
            })}
            {/* The hovered run's line last, so that it is drawn over the others. */}
            {[...lines.filter((line) => line.run.info.run_id !== hovered), ...lines.filter((line) => line.run.info.run_id === hovered)].map((line) => {
              const index = runs.indexOf(line.run);
              const id = line.run.info.run_id;
              const state = hovered === undefined ? "" : hovered === id ? "pc-active" : "pc-dim";
              return (
                <path key={id} d={line.path} className={`pc-line ${state}`} stroke={seriesColor(index)} onMouseEnter={() => setHovered(id)}>
                  <title>{runLabel(line.run)}</title>
                </path>
              );
            })}
          </svg>
          <table className="data pc-table">
            <caption className="visually-hidden">Values on the parallel coordinates axes</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                {dimensions.map((field) => (
                  <th key={field} scope="col" className="mono">
                    {field}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {runs.map((run, index) => (
                <tr
                  key={run.info.run_id}
                  className={hovered === run.info.run_id ? "pc-row-active" : undefined}
                  onMouseEnter={() => setHovered(run.info.run_id)}
                  onMouseLeave={() => setHovered(undefined)}
                >
                  <th scope="row">
                    <button type="button" className="run-swatch-button" onFocus={() => setHovered(run.info.run_id)} onBlur={() => setHovered(undefined)} aria-label={`Highlight ${runLabel(run)}`}>
                      <span className="run-swatch" style={{ background: seriesColor(index) }} aria-hidden="true" />
                      {runLabel(run)}
                    </button>
                  </th>
                  {dimensions.map((field) => (
                    <td key={field} className="mono">
                      {formatFieldValue(fieldValue(run, field))}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
};
