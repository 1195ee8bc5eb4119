import { useMemo, useState, type ReactNode } from "react";
import type { Run } from "../../api/entities";
import { runLabel } from "../../charts/metric-history-chart";
import { seriesColor } from "../../charts/palette";
import { useQueryParam } from "../../url-state";
import { dimensionScale } from "./dimension-scale";
import { FieldSelect } from "./field-select";
import { formatFieldValue } from "./format-value";
import { allFields, fieldValue } from "./run-fields";
import { diffRows } from "./diff";

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 80, right: 24, top: 16, bottom: 56 };
const MAX_TICK_LABELS = 10;

/** Extreme values stay off the frame: positions 0..1 map to 4%..96% of the plot. */
const inset = (position: number): number => 0.04 + 0.92 * position;
const plotX = (position: number): number => MARGIN.left + inset(position) * (WIDTH - MARGIN.left - MARGIN.right);
const plotY = (position: number): number => HEIGHT - MARGIN.bottom - inset(position) * (HEIGHT - MARGIN.top - MARGIN.bottom);

/** Sensible axes before anyone chooses: a param that differs (else any field) against the first metric. */
const defaultAxes = (runs: readonly Run[], fields: readonly string[]): { x: string; y: string } => {
  const differing = diffRows(runs).find((row) => row.kind === "param" && row.differs)?.field;
  const firstMetric = fields.find((field) => field.startsWith("metrics."));
  const x = differing ?? fields[0] ?? "";
  const y = firstMetric && firstMetric !== x ? firstMetric : (fields.find((field) => field !== x) ?? x);
  return { x, y };
};

const shorten = (label: string): string => (label.length > 12 ? `${label.slice(0, 11)}…` : label);

/** Any param or metric against another (`sx=`, `sy=` in the URL), one point per run, named on hover or focus. */
export const ScatterPlot = ({ runs }: { runs: readonly Run[] }): ReactNode => {
  const fields = useMemo(() => allFields(runs), [runs]);
  const defaults = useMemo(() => defaultAxes(runs, fields), [runs, fields]);
  const [xField, setXField] = useQueryParam("sx", defaults.x);
  const [yField, setYField] = useQueryParam("sy", defaults.y);
  const [hovered, setHovered] = useState<string | undefined>(undefined);
  const xScale = useMemo(() => dimensionScale(runs.map((run) => fieldValue(run, xField))), [runs, xField]);
  const yScale = useMemo(() => dimensionScale(runs.map((run) => fieldValue(run, yField))), [runs, yField]);
  const points = runs.flatMap((run, index) => {
    const xValue = fieldValue(run, xField);
    const yValue = fieldValue(run, yField);
    const x = xScale.position(xValue);
    const y = yScale.position(yValue);
    return x === undefined || y === undefined ? [] : [{ run, index, cx: plotX(x), cy: plotY(y), text: `${runLabel(run)}: ${xField} = ${formatFieldValue(xValue)}, ${yField} = ${formatFieldValue(yValue)}` }];
  });
  const missing = runs.filter((run) => !points.some((point) => point.run === run));
  const everyX = Math.max(1, Math.ceil(xScale.ticks.length / MAX_TICK_LABELS));
  const everyY = Math.max(1, Math.ceil(yScale.ticks.length / MAX_TICK_LABELS));
  const active = points.find((point) => point.run.info.run_id === hovered);
  return (
    <section className="card" aria-labelledby="scatter-heading">
      <div className="page-title-row">
        <h2 id="scatter-heading">Scatter plot</h2>
        <div className="toolbar scatter-axes">
          <FieldSelect label="X axis" value={xField} fields={fields} onChange={(field) => setXField(field)} />
          <FieldSelect label="Y axis" value={yField} fields={fields} onChange={(field) => setYField(field)} />
        </div>
      </div>
      <svg className="scatter-plot" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="group" aria-label={`${yField} against ${xField}`}>
        <rect x={MARGIN.left} y={MARGIN.top} width={WIDTH - MARGIN.left - MARGIN.right} height={HEIGHT - MARGIN.top - MARGIN.bottom} className="scatter-frame" />
        {xScale.ticks
          .filter((_tick, index) => index % everyX === 0)
          .map((tick) => (
            <g key={`x-${tick.label}`} className="scatter-tick">
              <line x1={plotX(tick.at)} x2={plotX(tick.at)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} />
              <text x={plotX(tick.at)} y={HEIGHT - MARGIN.bottom + 16} textAnchor="middle">
                {shorten(tick.label)}
              </text>
            </g>
          ))}
        {yScale.ticks
          .filter((_tick, index) => index % everyY === 0)
          .map((tick) => (
            <g key={`y-${tick.label}`} className="scatter-tick">
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={plotY(tick.at)} y2={plotY(tick.at)} />
              <text x={MARGIN.left - 8} y={plotY(tick.at) + 4} textAnchor="end">
                {shorten(tick.label)}
              </text>
            </g>
          ))}
        <text x={(MARGIN.left + WIDTH - MARGIN.right) / 2} y={HEIGHT - 12} textAnchor="middle" className="scatter-axis-title">
          {xField}
        </text>
        <text x={16} y={(MARGIN.top + HEIGHT - MARGIN.bottom) / 2} textAnchor="middle" transform={`rotate(-90 16 ${(MARGIN.top + HEIGHT - MARGIN.bottom) / 2})`} className="scatter-axis-title">
          {yField}
        </text>
        {points.map((point) => (
          <circle
            key={point.run.info.run_id}
            cx={point.cx}
            cy={point.cy}
            r={hovered === point.run.info.run_id ? 8 : 6}
            fill={seriesColor(point.index)}
            className="scatter-point"
            tabIndex={0}
            role="img"
            aria-label={point.text}
            onMouseEnter={() => setHovered(point.run.info.run_id)}
            onMouseLeave={() => setHovered(undefined)}
            onFocus={() => setHovered(point.run.info.run_id)}
            onBlur={() => setHovered(undefined)}
          >
            <title>{point.text}</title>
          </circle>
        ))}
        {active ? (
          <text x={active.cx + (active.cx > WIDTH / 2 ? -12 : 12)} y={active.cy - 10} textAnchor={active.cx > WIDTH / 2 ? "end" : "start"} className="scatter-label">
            {runLabel(active.run)}
          </text>
        ) : null}
      </svg>
      <p className="muted scatter-status" aria-live="polite">
        {active ? active.text : `${points.length} of ${runs.length} runs plotted`}
        {missing.length > 0 ? `; without both values: ${missing.map(runLabel).join(", ")}` : ""}
      </p>
    </section>
  );
};
