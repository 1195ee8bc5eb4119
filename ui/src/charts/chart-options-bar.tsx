import { useId, type ReactNode } from "react";
import type { ChartOptions } from "./use-chart-options";
import { X_AXIS_LABELS, X_AXIS_MODES, type XAxisMode } from "./x-axis";
import "./charts.css";

/** The x axis, smoothing and log-scale controls above a page's metric charts. */
export const ChartOptionsBar = ({ options }: { options: ChartOptions }): ReactNode => {
  const id = useId();
  return (
    <div className="chart-options" role="group" aria-label="Chart options">
      <label>
        X axis
        <select value={options.xMode} onChange={(event) => options.setXMode(event.target.value as XAxisMode)}>
          {X_AXIS_MODES.map((mode) => (
            <option key={mode} value={mode}>
              {X_AXIS_LABELS[mode]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Smoothing
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={options.smoothing}
          onChange={(event) => options.setSmoothing(Number(event.target.value))}
          aria-describedby={`${id}-smooth`}
        />
        <output id={`${id}-smooth`}>{options.smoothing.toFixed(2)}</output>
      </label>
      <label>
        <input type="checkbox" checked={options.logY} onChange={(event) => options.setLogY(event.target.checked)} />
        Log scale
      </label>
    </div>
  );
};
