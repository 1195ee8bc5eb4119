import { useMemo, useState, type ReactNode } from "react";
import type { Run } from "../../api/entities";
import { runLabel } from "../../charts/metric-history-chart";
import { seriesColor } from "../../charts/palette";
import { useQueryList } from "../../url-state";
import { diffRows } from "./diff";
import { FieldChooser } from "./field-chooser";
import { formatFieldValue } from "./format-value";
import { axisLabels, axisY, LABEL_METRICS, parallelAxes, parallelLines, type PlotBox } from "./parallel-layout";
import { allFields, fieldValue } from "./run-fields";

// About the size it is shown at in half a page, so that its text reads at the page's size.
// The top holds two rows of titles (when long ones must alternate) and the param/metric line under them.
const BOX: PlotBox = { width: 640, height: 356, left: 70, right: 56, top: 60, bottom: 16 };
const DEFAULT_DIMENSIONS = 8;

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
  const labels = useMemo(() => axisLabels(axes, BOX, shortName), [axes]);
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
            {axes.map((axis, index) => {
              const label = labels[index];
              return (
                <g key={axis.field} className="pc-axis">
                  <line x1={axis.x} x2={axis.x} y1={BOX.top} y2={BOX.height - BOX.bottom} />
                  <text x={axis.x} y={BOX.top - 12 - (label?.titleRow === 0 ? 2 : 1) * LABEL_METRICS.titleRowPx} textAnchor="middle" className="pc-axis-title">
                    <title>{axis.field}</title>
                    {label?.title}
                  </text>
                  <text x={axis.x} y={BOX.top - 8} textAnchor="middle" className="pc-axis-kind">
                    {axis.field.startsWith("params.") ? "param" : "metric"}
                  </text>
                  {(label?.ticks ?? []).map((tick) => (
                    <text key={`${tick.at}:${tick.label}`} x={axis.x - LABEL_METRICS.tickGapPx} y={axisY(BOX, tick.at) + 4} textAnchor="end" className="pc-tick">
                      {tick.label}
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
